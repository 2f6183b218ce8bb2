#!/usr/bin/env bash
# Reruns the libmagic comparison: builds (or reuses) the cached Debian minbase
# root filesystem tar and the python3.11, perl and npm trees, then runs the
# checker on all four. Extra arguments (--list) go to the checker.
#   tests/libmagic/run-comparison.sh build/regcensus_libmagic_check [--list]
set -euo pipefail
checker="$1"
shift
here="$(dirname "$0")"
rootfs="$("$here/build-minbase-rootfs.sh")"
mapfile -t package_trees < <("$here/build-package-trees.sh")
exec "$checker" "$@" "$rootfs" "${package_trees[@]}"
