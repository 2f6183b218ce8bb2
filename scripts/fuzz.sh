#!/usr/bin/env bash
# Fuzzes the layer analyser for a fixed time with libFuzzer (clang, ASan,
# UBSan), in its own build directory (build-fuzz/), never the normal build.
#   scripts/fuzz.sh [SECONDS=300] [extra libFuzzer options...]
# The corpus grows in build-fuzz/corpus/ (seeded from tests/fuzz-regressions/).
# Any crashing, leaking or hanging input is copied to tests/fuzz-regressions/,
# where the unit test FuzzRegressions.EveryKeptInputEndsWithAStatus replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true

build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -DREGCENSUS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
make -C "$build" -j"${FUZZ_BUILD_JOBS:-1}" regcensus_fuzz_layer >/dev/null

mkdir -p "$build/corpus" "$build/artifacts"
cp -n tests/fuzz-regressions/* "$build/corpus/" 2>/dev/null || true
rm -f "$build/corpus/README.md"
status=0
# -timeout: an input that takes more than 10 s is a hang; -rss_limit_mb: the
# analyser must stay far below 2 GB whatever the input.
"$build/regcensus_fuzz_layer" "$build/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" || status=$?

found=0
for f in "$build"/artifacts/crash-* "$build"/artifacts/leak-* "$build"/artifacts/timeout-* "$build"/artifacts/oom-*; do
  [[ -e "$f" ]] || continue
  cp "$f" tests/fuzz-regressions/
  echo "fuzz: kept $(basename "$f") in tests/fuzz-regressions/"
  found=1
done
if ((status != 0 || found)); then
  echo "fuzz: the fuzzer found a problem (exit $status); see above" >&2
  exit 1
fi
echo "fuzz: no crash, leak or hang in ${seconds} s"
