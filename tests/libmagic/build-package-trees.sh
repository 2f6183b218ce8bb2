#!/usr/bin/env bash
# Builds (once) the three package trees that the libmagic comparison reads
# beside the minbase root filesystem, each as one tar in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/regcensus/
#   debian-python3.11.tar  python3.11 with its libraries (apt-get download, dpkg-deb -x)
#   debian-perl.tar        perl with perl-modules and libperl (apt-get download, dpkg-deb -x)
#   npm-express-lodash-moment.tar   `npm install express lodash moment`
# A second run finds the tars and does nothing. Needs the Debian archive
# (apt-get) and the npm registry once, like debootstrap for the rootfs;
# prints the three paths on stdout, one a line.
set -euo pipefail

cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/regcensus"
mkdir -p "$cache_dir"
exec 9>"$cache_dir/.package-trees.lock"
flock 9

# Unpacks the named Debian packages (downloaded by apt-get) into one tar.
debian_tree() {
  local tar_path="$1"; shift
  [[ -s "$tar_path" ]] && return 0
  local work
  work="$(mktemp -d "$cache_dir/debtree.XXXXXX")"
  (cd "$work" && apt-get download "$@" >"$work/download.log" 2>&1) || {
    tail -n 20 "$work/download.log" >&2
    rm -rf "$work"
    echo "build-package-trees: apt-get download $* failed" >&2
    return 1
  }
  mkdir "$work/root"
  for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  tar --numeric-owner --sort=name -C "$work/root" -cf "$work/tree.tar" .
  mv "$work/tree.tar" "$tar_path"
  rm -rf "$work"
}

npm_tree() {
  local tar_path="$1"; shift
  [[ -s "$tar_path" ]] && return 0
  if ! command -v npm >/dev/null; then
    echo "build-package-trees: npm is missing (scripts/install-deps.sh installs it)" >&2
    return 1
  fi
  local work
  work="$(mktemp -d "$cache_dir/npmtree.XXXXXX")"
  (cd "$work" && npm install --no-audit --no-fund --cache "$work/.npm-cache" "$@" >"$work/npm.log" 2>&1) || {
    tail -n 20 "$work/npm.log" >&2
    rm -rf "$work"
    echo "build-package-trees: npm install $* failed" >&2
    return 1
  }
  tar --numeric-owner --sort=name -C "$work" -cf "$work/tree.tar" node_modules
  mv "$work/tree.tar" "$tar_path"
  rm -rf "$work"
}

debian_tree "$cache_dir/debian-python3.11.tar" python3.11 python3.11-minimal libpython3.11-stdlib libpython3.11-minimal
debian_tree "$cache_dir/debian-perl.tar" perl perl-base perl-modules-5.36 libperl5.36
npm_tree "$cache_dir/npm-express-lodash-moment.tar" express lodash moment
echo "$cache_dir/debian-python3.11.tar"
echo "$cache_dir/debian-perl.tar"
echo "$cache_dir/npm-express-lodash-moment.tar"
