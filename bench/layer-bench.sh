#!/usr/bin/env bash
# The layer benchmark: the same inputs for every contender, on one core
# (taskset -c 0), best of REPEAT rounds (each round runs every contender once).
#   bench/layer-bench.sh [build-dir=build]        (REPEAT=3 by default)
# Inputs (built once, cached in ${XDG_CACHE_HOME:-$HOME/.cache}/regcensus/bench):
#   rootfs  the Debian bookworm minbase root filesystem (tests/libmagic/build-minbase-rootfs.sh), gzip -6
#   small   50,000 small files (bench/layer_make_small_files.py), gzip -6
# Contenders:
#   regcensus  regcensus analyze-layer --expect-digest (full analysis + SHA-256)
#   regcensus 2 cores  the same on taskset -c 0,1: the inflate gets a thread of
#              its own, the blob's read and SHA-256 another, beside the tar walk
#              (LayerLimits::use_spare_core)
#   gzip -dc   gzip -dc > /dev/null
#   igzip -dc  igzip -dc > /dev/null (ISA-L's command-line tool, Debian isal)
#   study      the study's method: extract to tmpfs (/dev/shm), walk, SHA-256
#              every file, `file` on every file (batched by xargs), remove
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
repeat="${REPEAT:-3}"
bin="$build/regcensus"
[[ -x "$bin" ]] || { echo "layer-bench: $bin is missing (build it first)" >&2; exit 1; }
for tool in igzip file taskset sha256sum; do
  command -v "$tool" >/dev/null || { echo "layer-bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

cache="${XDG_CACHE_HOME:-$HOME/.cache}/regcensus/bench"
mkdir -p "$cache"
rootfs_tar="$(tests/libmagic/build-minbase-rootfs.sh)"
if [[ ! -s "$cache/rootfs.tar.gz" ]]; then
  gzip -6 -n -c "$rootfs_tar" >"$cache/rootfs.tar.gz.tmp" && mv "$cache/rootfs.tar.gz.tmp" "$cache/rootfs.tar.gz"
fi
if [[ ! -s "$cache/small.tar.gz" ]]; then
  /usr/bin/python3 bench/layer_make_small_files.py "$cache/small.tar" 50000
  gzip -6 -n -c "$cache/small.tar" >"$cache/small.tar.gz.tmp" && mv "$cache/small.tar.gz.tmp" "$cache/small.tar.gz"
  rm -f "$cache/small.tar"
fi

one_core=(taskset -c 0)
shm="/dev/shm/regcensus-bench.$$"
trap 'rm -rf "$shm"' EXIT

study() {  # the study's method on one layer
  mkdir -p "$shm"
  tar --no-same-owner -xzf "$1" -C "$shm" 2>/dev/null || true   # device nodes may be refused
  find "$shm" -type f -print0 | xargs -0 -r sha256sum >/dev/null
  find "$shm" -type f -print0 | xargs -0 -r file >/dev/null
  rm -rf "$shm"
}
export -f study
export shm

# Wall-clock seconds of one run of a command.
time_once() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

# The contenders, on the layer in $blob and $digest.
c_regcensus() { "${one_core[@]}" "$bin" analyze-layer --expect-digest "$digest" "$blob"; }
c_regcensus2() { taskset -c 0,1 "$bin" analyze-layer --expect-digest "$digest" "$blob"; }
c_gzip() { "${one_core[@]}" sh -c 'gzip -dc "$0" >/dev/null' "$blob"; }
c_igzip() { "${one_core[@]}" sh -c 'igzip -dc "$0" >/dev/null' "$blob"; }
c_study() { "${one_core[@]}" bash -c 'study "$0"' "$blob"; }
contenders=(regcensus regcensus2 gzip igzip study)

for input in rootfs small; do
  blob="$cache/$input.tar.gz"
  digest="sha256:$(sha256sum "$blob" | cut -d' ' -f1)"
  check="$("$bin" analyze-layer --expect-digest "$digest" "$blob")"
  grep -q '"status":"ok"' <<<"$check" || { echo "layer-bench: analyze-layer failed: $check" >&2; exit 1; }
  files=$(sed -E 's/.*"file_count":([0-9]+).*/\1/' <<<"$check")
  unc=$(sed -E 's/.*"uncompressed_bytes":([0-9]+).*/\1/' <<<"$check")
  # Best of $repeat rounds; a round runs every contender once, in turn, so a
  # slow spell of the machine falls on all of them rather than on one.
  declare -A best=()
  for ((round = 0; round < repeat; round++)); do
    for c in "${contenders[@]}"; do
      t=$(time_once "c_$c")
      if [[ -z "${best[$c]:-}" ]] || (($(echo "$t < ${best[$c]}" | bc -l))); then best[$c]=$t; fi
    done
  done
  for c in "${contenders[@]}"; do printf -v "t_$c" '%.3f' "${best[$c]}"; done
  printf '\n%s layer: %s, %d bytes compressed, %d uncompressed, %d regular files (one core, best of %d rounds)\n' \
    "$input" "$blob" "$(stat -c %s "$blob")" "$unc" "$files" "$repeat"
  printf '  %-34s %8s  %s\n' contender seconds "speed vs gzip -dc"
  for row in "regcensus analyze-layer:$t_regcensus" "regcensus analyze-layer, 2 cores:$t_regcensus2" "gzip -dc:$t_gzip" "igzip -dc:$t_igzip" \
             "study (tmpfs+sha256+file):$t_study"; do
    name="${row%:*}"; t="${row##*:}"
    printf '  %-34s %8s  %6.2fx\n' "$name" "$t" "$(echo "$t_gzip / $t" | bc -l)"
  done
  printf '  regcensus vs study: %.1fx faster\n' "$(echo "$t_study / $t_regcensus" | bc -l)"
  # The cost of the full analysis (inflate, tar walk, SHA-256 of the blob,
  # content hashes, file types) over a bare inflate of the same blob.
  printf '  regcensus / igzip -dc: %.2fx on one core, %.2fx with a second core (target <= 1.25x on the rootfs layer)\n' \
    "$(echo "$t_regcensus / $t_igzip" | bc -l)" "$(echo "$t_regcensus2 / $t_igzip" | bc -l)"
done
