#!/usr/bin/env bash
# The duplicate-index reduce alone, on synthetic Zipf-distributed records, at
# -np 1 and -np 2: records/s per rank, peak resident bytes per record, and the
# throughput ratio np2/np1. Targets (issue 5): >= 10 M records/s per rank,
# <= 32 bytes/record at peak, np2 >= 1.7 x np1.
#
#   bench/dedup-bench.sh [BUILD_DIR] [-- extra dedup_bench options]
#   e.g. bench/dedup-bench.sh build -- --records 50000000 --memory-mib 2048
#
# Wall-clock figures need an otherwise idle machine (2 cores for -np 2); the
# CPU-time figures are printed too for shared machines. MPIRUN_ARGS is passed
# to mpirun (e.g. "--mca mpi_yield_when_idle 1" on a busy machine).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shift || true
[[ ${1:-} == -- ]] && shift
bench=$build/dedup_bench
[[ -x $bench ]] || { echo "build the dedup_bench target first: make -C $build dedup_bench" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(--records 50000000 "$@")

declare -A seconds
for np in 1 2; do
    # shellcheck disable=SC2086
    out=$(mpirun --oversubscribe ${MPIRUN_ARGS:-} -np "$np" "$bench" "${args[@]}")
    echo "$out"
    seconds[$np]=$(sed -n 's/.*reduce_seconds=\([0-9.]*\).*/\1/p' <<<"$out")
done
awk -v t1="${seconds[1]}" -v t2="${seconds[2]}" \
    'BEGIN { printf "throughput np2/np1 = %.2f (reduce %.3f s at np1, %.3f s at np2)\n", t1 / t2, t1, t2 }'
