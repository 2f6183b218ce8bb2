#!/usr/bin/env bash
# The union view's cost at registry scale: synth corpora of 500, 2000 and 8000
# images censused from their OCI layout (`run --layout`) at -np 2. For each
# size: the census's wall time, the union phase's own time (the merge's
# "union view of N images ... S s" line), its share of the census, the union
# time per image. Then,
# per size, each phase of the run (plan, analyse, merge, and the union view
# inside the merge): its wall time and every rank's peak resident memory during
# it, from the run's "phase NAME: S s, peak RSS per rank A, B MiB" lines.
# Targets (issue 12): union phase <= 15% of the census at every size; union
# time per image at 8000 images within 1.25x of that at 500.
#
#   bench/union-bench.sh [BUILD_DIR]          SIZES="500 2000 8000" SCALE=0.25 by default
#
# The union phase is measured inside the same run as the census it is compared
# with (a ratio, never an absolute time): the census without it is the same
# run's total minus that line's seconds. Corpora are cached in $WORK (default
# /tmp/union-bench) so a rerun only censuses.
set -euo pipefail
source "$(dirname "$0")/bench-common.sh"
work=${WORK:-/tmp/union-bench}
sizes=${SIZES:-500 2000 8000}
scale=${SCALE:-0.25}
mkdir -p "$work"

printf '%-7s %10s %10s %8s %14s\n' images census_s union_s share us_per_image
declare -A per_image phases
for n in $sizes; do
    corpus=$work/corpus-$n
    [[ -f $corpus/groundtruth.json ]] || "$bin" synth --out "$corpus" --images "$n" --scale "$scale" --force >/dev/null
    rm -rf "$work/run-$n"
    start=$(date +%s.%N)
    log=$(mpirun --oversubscribe -np 2 "$bin" run --layout "$corpus/layout" \
        --images "$corpus/images.txt" --out "$work/run-$n/results.h5" --work "$work/run-$n/work" --progress 0 2>&1)
    end=$(date +%s.%N)
    census=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    union=$(sed -n 's/.*union view of .* tasks, \([0-9.]*\) s.*/\1/p' <<<"$log" | head -1)
    phases[$n]=$(sed -n 's/.*\] phase \([a-z]*\): \([0-9.]*\) s, peak RSS per rank \([0-9, ]*\) MiB\(.*\)/\1 \2 \3\4/p' <<<"$log")
    per_image[$n]=$(awk -v u="$union" -v n="$n" 'BEGIN { printf "%.1f", 1e6 * u / n }')
    printf '%-7s %10s %10s %7.1f%% %14s\n' "$n" "$census" "$union" \
        "$(awk -v u="$union" -v c="$census" 'BEGIN { print 100 * u / c }')" "${per_image[$n]}"
done
first=${sizes%% *}
last=${sizes##* }
awk -v a="${per_image[$first]}" -v b="${per_image[$last]}" -v f="$first" -v l="$last" \
    'BEGIN { printf "union time per image, %s vs %s images: %.2fx\n", l, f, (a > 0 ? b / a : 0) }'
echo
printf '%-7s %-8s %8s  %s\n' images phase time_s "peak RSS per rank (MiB)"
for n in $sizes; do
    while read -r phase seconds peaks; do
        if [[ -n $phase ]]; then printf '%-7s %-8s %8s  %s\n' "$n" "$phase" "$seconds" "$peaks"; fi
    done <<<"${phases[$n]}"
done
