#!/usr/bin/env bash
# What /files costs (issue 12, "/files at registry scale"): one synth corpus
# censused from its OCI layout at -np 2 twice, with the default shard size
# and with small shards (SMALL_SHARDS, default 100KiB: a census of thousands
# of shards, as a registry-scale one is); each work directory then merged
# again and again, in rotation, three ways:
#   none   merge without /files
#   join   merge --files       (each rank writes one piece, results.h5 joins them)
#   copy   merge --files-copy  (rank 0 copies every row into results.h5)
# For each: the merge phase's time (the run's own "phase merge: S s" line) and
# the time h5py takes to read /files/path and /files/size back, best of ROUNDS;
# the time /files adds to the merge per row, and copy's over join's.
#
#   bench/files-bench.sh [BUILD_DIR]      IMAGES=2000 SCALE=0.1 ROUNDS=5 SMALL_SHARDS=100KiB
#
# Ratios of runs in one script on one machine, never an absolute target: run
# it on an idle machine. The corpus is cached in $WORK (default /tmp/files-bench).
set -euo pipefail
source "$(dirname "$0")/bench-common.sh"
work=${WORK:-/tmp/files-bench}
images=${IMAGES:-2000}
scale=${SCALE:-0.1}
rounds=${ROUNDS:-5}
small_shards=${SMALL_SHARDS:-100KiB}
python=/usr/bin/python3  # Debian's, which has h5py
corpus=$work/corpus-$images-$scale
mkdir -p "$work"
[[ -f $corpus/groundtruth.json ]] || "$bin" synth --out "$corpus" --images "$images" --scale "$scale" --force >/dev/null

read_seconds() {
    "$python" -c 'import h5py, sys, time
start = time.perf_counter()
with h5py.File(sys.argv[1], "r") as f:
    f["files/path"][:], f["files/size"][:]
print(f"{time.perf_counter() - start:.3f}")' "$1"
}
smaller() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(b == "" || a < b) }'; }
bytes_of() { du -sb "$@" | awk '{ s += $1 } END { print s }'; }

echo "corpus: $images images (scale $scale), -np 2, best of $rounds"
for shards in default "$small_shards"; do
    run=$work/run-$shards
    shard_option=()
    [[ $shards == default ]] || shard_option=(--shard-bytes "$shards")
    rm -rf "$run"
    mpirun --oversubscribe -np 2 "$bin" run --layout "$corpus/layout" --images "$corpus/images.txt" \
        --out "$run/results.h5" --work "$run/work" --progress 0 -q "${shard_option[@]}"
    declare -A merge=() reading=()
    modes=(none join copy)
    for ((round = 1; round <= rounds; round++)); do
        for mode in "${modes[@]}"; do
            case $mode in
                none) extra=() ;;
                join) extra=(--files) ;;
                copy) extra=(--files-copy) ;;
            esac
            out=$run/$mode/results.h5
            mkdir -p "$(dirname "$out")"
            log=$(mpirun --oversubscribe -np 2 "$bin" merge --work "$run/work" --out "$out" "${extra[@]}" 2>&1)
            seconds=$(sed -n 's/.*\] phase merge: \([0-9.]*\) s.*/\1/p' <<<"$log" | head -1)
            [[ -n $seconds ]] || { echo "no merge phase line for $mode:" >&2; echo "$log" >&2; exit 1; }
            if smaller "$seconds" "${merge[$mode]:-}"; then merge[$mode]=$seconds; fi
            if [[ $mode != none ]]; then
                seconds=$(read_seconds "$out")
                if smaller "$seconds" "${reading[$mode]:-}"; then reading[$mode]=$seconds; fi
            fi
        done
    done
    count=$(ls "$run/work/shards" | grep -c '^shard-.*\.h5$')
    rows=$("$python" -c 'import h5py, sys; print(len(h5py.File(sys.argv[1], "r")["files/layer"]))' "$run/join/results.h5")
    echo
    echo "shards: $shards ($count shard files), /files: $rows rows"
    printf '%-5s %9s %12s %9s %12s\n' mode merge_s us_per_row read_s bytes
    printf '%-5s %9s %12s %9s %12s\n' none "${merge[none]}" - - "$(bytes_of "$run/none/results.h5")"
    for mode in join copy; do
        size=$(bytes_of "$run/$mode/results.h5" $([[ $mode == join ]] && echo "$run/join/results.files"))
        printf '%-5s %9s %12s %9s %12s\n' "$mode" "${merge[$mode]}" \
            "$(awk -v a="${merge[$mode]}" -v b="${merge[none]}" -v r="$rows" 'BEGIN { printf "%.2f", 1e6 * (a - b) / r }')" \
            "${reading[$mode]}" "$size"
    done
    awk -v j="${merge[join]}" -v c="${merge[copy]}" -v n="${merge[none]}" \
        'BEGIN { printf "time /files adds to the merge, copy over join: %.2fx\n", (j - n > 0 ? (c - n) / (j - n) : 0) }'
done
