#!/usr/bin/env bash
# Reruns the libmagic comparison: builds (or reuses) the cached Debian minbase
# root filesystem tar, then runs the checker on it. Extra arguments (--list)
# go to the checker.
#   tests/libmagic/run-comparison.sh build/regcensus_libmagic_check [--list]
set -euo pipefail
checker="$1"
shift
tar_path="$("$(dirname "$0")/build-minbase-rootfs.sh")"
exec "$checker" "$tar_path" "$@"
