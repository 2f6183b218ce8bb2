#!/usr/bin/env bash
# What /files costs the merge (issue 12, "/files at registry scale"): one synth
# corpus censused once from its OCI layout at -np 2, then the same work
# directory merged again and again, in rotation, three ways:
#   none   merge without /files
#   join   merge --files       (each rank writes its shards' pieces, results.h5 joins them)
#   copy   merge --files-copy  (rank 0 copies every row into results.h5)
# For each: the merge phase's time (the run's own "phase merge: S s" line),
# best of ROUNDS; then the time /files adds per row for join and copy, and
# their ratio. The rows of /files and the bytes on disk are printed too.
#
#   bench/files-bench.sh [BUILD_DIR]      IMAGES=2000 SCALE=0.1 ROUNDS=5 by default
#
# A ratio of runs in one script on one machine, never an absolute target: run
# it on an idle machine. The corpus is cached in $WORK (default /tmp/files-bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
bin=$build/regcensus
[[ -x $bin ]] || { echo "build regcensus first" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=${WORK:-/tmp/files-bench}
images=${IMAGES:-2000}
scale=${SCALE:-0.1}
rounds=${ROUNDS:-5}
corpus=$work/corpus-$images-$scale
mkdir -p "$work"
[[ -f $corpus/groundtruth.json ]] || "$bin" synth --out "$corpus" --images "$images" --scale "$scale" --force >/dev/null
rm -rf "$work/run"
mpirun --oversubscribe -np 2 "$bin" run --layout "$corpus/layout" --images "$corpus/images.txt" \
    --out "$work/run/results.h5" --work "$work/run/work" --progress 0 -q

declare -A best
modes=(none join copy)
for ((round = 1; round <= rounds; round++)); do
    for mode in "${modes[@]}"; do
        case $mode in
            none) extra=() ;;
            join) extra=(--files) ;;
            copy) extra=(--files-copy) ;;
        esac
        out=$work/run/$mode/results.h5
        mkdir -p "$(dirname "$out")"
        log=$(mpirun --oversubscribe -np 2 "$bin" merge --work "$work/run/work" --out "$out" "${extra[@]}" 2>&1)
        seconds=$(sed -n 's/.*\] phase merge: \([0-9.]*\) s.*/\1/p' <<<"$log" | head -1)
        [[ -n $seconds ]] || { echo "no merge phase line for $mode:" >&2; echo "$log" >&2; exit 1; }
        if [[ -z ${best[$mode]:-} ]] || awk -v a="$seconds" -v b="${best[$mode]}" 'BEGIN { exit !(a < b) }'; then
            best[$mode]=$seconds
        fi
    done
done

rows=$(/usr/bin/python3 -c 'import h5py, sys; print(len(h5py.File(sys.argv[1], "r")["files/layer"]))' "$work/run/join/results.h5")
bytes_of() { du -sb "$@" | awk '{ s += $1 } END { print s }'; }
echo "corpus: $images images (scale $scale), /files: $rows rows, -np 2, best of $rounds"
printf '%-5s %10s %14s %12s\n' mode merge_s us_per_row bytes
printf '%-5s %10s %14s %12s\n' none "${best[none]}" - "$(bytes_of "$work/run/none/results.h5")"
for mode in join copy; do
    size=$(bytes_of "$work/run/$mode/results.h5" $([[ $mode == join ]] && echo "$work/run/join/results.files"))
    printf '%-5s %10s %14s %12s\n' "$mode" "${best[$mode]}" \
        "$(awk -v a="${best[$mode]}" -v b="${best[none]}" -v r="$rows" 'BEGIN { printf "%.2f", 1e6 * (a - b) / r }')" "$size"
done
awk -v j="${best[join]}" -v c="${best[copy]}" -v n="${best[none]}" \
    'BEGIN { printf "time /files adds to the merge, copy vs join: %.2fx\n", (j - n > 0 ? (c - n) / (j - n) : 0) }'
