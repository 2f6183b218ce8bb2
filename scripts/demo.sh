#!/usr/bin/env bash
# The demo: a local distribution registry, the built-in synth corpus pushed into
# it, `mpirun -np 2 regcensus run` over it, the report and the figures.
# Everything lands in demo-out/ (results.h5, figures/, the registry's storage).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

out=demo-out
images=${DEMO_IMAGES:-200}
scale=${DEMO_SCALE:-4}
ranks=${DEMO_RANKS:-2}
rm -rf "$out"
mkdir -p "$out/registry"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$out/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $PWD/$out/registry/storage
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$out/registry/config.yml" >"$out/registry/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null || true' EXIT
registry=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$registry/v2/" >/dev/null && break; sleep 0.1; done

echo "== synth: $images images (scale $scale) -> $out/corpus"
build/regcensus synth --out "$out/corpus" --seed 42 --images "$images" --scale "$scale"
echo "== push to $registry"
build/regcensus push --layout "$out/corpus/layout" --registry "$registry" | tail -n 1
echo "== mpirun -np $ranks regcensus run --config jobs/demo.cfg"
# The wrapper makes Ctrl-C a clean stop (exit 75, rerun with --resume); docs/signals.md.
scripts/regcensus-mpirun --oversubscribe -np "$ranks" build/regcensus run --config jobs/demo.cfg --registry "$registry"
echo "== report"
build/regcensus report "$out/results.h5"
echo "== figures -> $out/figures"
/usr/bin/python3 analysis/figures.py "$out/results.h5" --out "$out/figures"
echo "demo done: $out/results.h5, $out/figures/"
