#!/usr/bin/env bash
# Builds (once) the tar of a real Debian root filesystem that the libmagic
# comparison and the layer benchmark read:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/regcensus/minbase-bookworm.tar
# debootstrap --variant=minbase bookworm into a temporary directory, then one
# tar of it (numeric owners, sorted names, so the tar is reproducible enough
# for a benchmark). A second run finds the tar and does nothing. Needs root
# and the Debian mirror (the only outside access of the test suite, like
# apt-get); prints the tar's path on stdout.
set -euo pipefail

cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/regcensus"
tar_path="$cache_dir/minbase-bookworm.tar"
mirror="${REGCENSUS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

mkdir -p "$cache_dir"
exec 9>"$cache_dir/.minbase-bookworm.lock"
flock 9  # two test runs at once build it once
if [[ -s "$tar_path" ]]; then
  echo "$tar_path"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "build-minbase-rootfs: debootstrap is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "build-minbase-rootfs: debootstrap needs root" >&2
  exit 1
fi

work="$(mktemp -d "$cache_dir/minbase-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "build-minbase-rootfs: debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)" >&2
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}
# The apt package cache is not part of a container image's root filesystem.
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb
tar --numeric-owner --sort=name -C "$work/rootfs" -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$tar_path"
echo "$tar_path"
