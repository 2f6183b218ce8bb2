#!/usr/bin/env bash
# The demo-size census read straight from a registry's storage against the same
# census over HTTP from that registry (a loopback docker-registry serving the
# same storage), both under `mpirun -np 2`, same image list (`crawl --storage`),
# cold work directories. Prints the seconds of each, the ratio HTTP / storage,
# and fails (exit 1) when the storage census is not at least 1.5x faster.
#
#   bench/storage-bench.sh [path/to/regcensus]
#   knobs: BENCH_IMAGES=200 BENCH_SCALE=4 (the demo's corpus), BENCH_RANKS=2, BENCH_ROUNDS=2 (best of)
#
# The corpus (synth, seed 42) is made once into ~/.cache/regcensus/bench/.
set -euo pipefail

BIN=$(realpath "${1:-build/regcensus}")
IMAGES=${BENCH_IMAGES:-200} SCALE=${BENCH_SCALE:-4} RANKS=${BENCH_RANKS:-2} ROUNDS=${BENCH_ROUNDS:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
CORPUS=$HOME/.cache/regcensus/bench/storage-synth-42-$IMAGES-$SCALE
if [[ ! -f $CORPUS/done ]]; then
  rm -rf "$CORPUS" && mkdir -p "$CORPUS"
  "$BIN" synth --out "$CORPUS" --seed 42 --images "$IMAGES" --scale "$SCALE" >/dev/null
  touch "$CORPUS/done"
fi
WORK=$(mktemp -d)

# shellcheck source=bench/loopback-registry.sh
source "$(dirname "$0")/loopback-registry.sh"
"$BIN" push --layout "$CORPUS/layout" --registry "$URL" >/dev/null
"$BIN" crawl --storage "$WORK/storage" --out "$WORK/list.txt" 2>/dev/null
echo "storage-bench: $(($(wc -l <"$WORK/list.txt") - 1)) images, $(du -sm "$WORK/storage" | cut -f1) MB stored, np $RANKS"

now() { date +%s.%N; }
secs() { /usr/bin/python3 -c "print(f'{$2 - $1:.2f}')"; }
http_times=() storage_times=()
for round in $(seq "$ROUNDS"); do
  rm -rf "$WORK/wh" "$WORK/ws"
  t0=$(now)
  mpirun -np "$RANKS" "$BIN" run --registry "$URL" --images "$WORK/list.txt" --work "$WORK/wh" --out "$WORK/http.h5" \
    --progress 0 >/dev/null 2>&1
  t1=$(now)
  mpirun -np "$RANKS" "$BIN" run --storage "$WORK/storage" --images "$WORK/list.txt" --work "$WORK/ws" \
    --out "$WORK/storage.h5" --progress 0 >/dev/null 2>&1
  t2=$(now)
  http_times+=("$(secs "$t0" "$t1")") storage_times+=("$(secs "$t1" "$t2")")
  echo "round $round: http ${http_times[-1]}s, storage ${storage_times[-1]}s"
done
# Same census either way: /images and /layers agree (the storage file also has /storage).
/usr/bin/python3 - "$WORK/http.h5" "$WORK/storage.h5" <<'PY'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for group in ("images", "layers"):
    for name in a[group]:
        assert (a[group][name][()] == b[group][name][()]).all(), (group, name)
PY
/usr/bin/python3 - "$ROUNDS" "${http_times[*]}" "${storage_times[*]}" <<'PY'
import sys
http, storage = min(map(float, sys.argv[2].split())), min(map(float, sys.argv[3].split()))
print(f"best of {sys.argv[1]}: http {http:.2f}s, storage {storage:.2f}s, http/storage {http / storage:.2f}x")
if http / storage < 1.5:
    sys.exit("storage-bench: FAIL: the storage census is not 1.5x faster")
print("storage-bench: PASS (>= 1.5x)")
PY
