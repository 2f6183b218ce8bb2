#!/usr/bin/env bash
# Installs the Debian 12 packages regcensus needs to build, test and run its demo.
# Only packages that are missing are installed, so a second run costs nothing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools
  libarchive-dev libcurl4-openssl-dev libsimdjson-dev
  libboost-program-options-dev libssl-dev libisal-dev isal
  libzstd-dev zstd libxxhash-dev zlib1g-dev libgtest-dev
  docker-registry apache2-utils skopeo python3-cryptography
  python3 python3-h5py python3-numpy python3-matplotlib python3-pytest
  debootstrap libmagic-dev file
  bc
  slurm-wlm munge
  slurmdbd mariadb-server
)
# slurmdbd and mariadb-server: real accounting for the Slurm tests. Their test
# fixture runs its own mariadbd (own datadir and unix socket, no networking) and
# its own slurmdbd (own config and port), so a system MariaDB or slurmdbd that the
# packages' postinst may start (where services can start) does not interfere.

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm (for the libmagic comparison's npm tree): Debian's package, unless an npm
# is already there (a NodeSource nodejs ships its own and conflicts with Debian's).
if ! command -v npm >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q "install ok installed"; then
  missing+=(npm)
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
