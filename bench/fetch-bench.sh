#!/usr/bin/env bash
# regcensus fetch against skopeo copy, from the same loopback docker-registry,
# same images: a corpus of many small layers and one of a few large ones.
# Prints seconds, MB/s and the ratio (skopeo time / regcensus time) per corpus.
#
#   bench/fetch-bench.sh [path/to/regcensus] [--concurrency N]
#
# skopeo copies one image per invocation (docker://REG/REPO:TAG -> dir:), as
# it is used for a list of images; regcensus fetch takes the whole list.
# Layers are incompressible random bytes (neither tool decompresses here).
set -euo pipefail

BIN=${1:-build/regcensus}
shift || true
CONCURRENCY=8
if [[ ${1:-} == --concurrency ]]; then CONCURRENCY=$2; fi
SMALL_IMAGES=${SMALL_IMAGES:-40} SMALL_LAYERS=${SMALL_LAYERS:-25} SMALL_BYTES=${SMALL_BYTES:-32768}
LARGE_IMAGES=${LARGE_IMAGES:-2} LARGE_LAYERS=${LARGE_LAYERS:-3} LARGE_BYTES=${LARGE_BYTES:-67108864}

command -v skopeo >/dev/null || { echo "fetch-bench: skopeo is not installed (apt-get install skopeo)" >&2; exit 1; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
# shellcheck source=bench/loopback-registry.sh
source "$(dirname "$0")/loopback-registry.sh"

# An OCI layout of IMAGES images with LAYERS random layers of BYTES each.
make_corpus() {  # name images layers bytes
  /usr/bin/python3 - "$WORK/$1" "$1" "$2" "$3" "$4" <<'PY'
import hashlib, json, os, sys
root, name, images, layers, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
blobs = os.path.join(root, "blobs", "sha256"); os.makedirs(blobs, exist_ok=True)
def put(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f: f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}
entries, refs = [], []
for i in range(images):
    config = put(json.dumps({"architecture": "amd64", "os": "linux", "bench": [name, i]}).encode())
    config["mediaType"] = "application/vnd.oci.image.config.v1+json"
    ls = []
    for j in range(layers):
        d = put(os.urandom(size)); d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"; ls.append(d)
    manifest = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": config, "layers": ls}).encode())
    manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    ref = f"bench/{name}{i}:v1"
    manifest["annotations"] = {"org.opencontainers.image.ref.name": ref}
    entries.append(manifest); refs.append(ref)
json.dump({"schemaVersion": 2, "manifests": entries}, open(os.path.join(root, "index.json"), "w"))
open(os.path.join(root, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
open(os.path.join(root, "images.txt"), "w").write("\n".join(refs) + "\n")
PY
  "$BIN" push --layout "$WORK/$1" --registry "$URL" >/dev/null
}

now() { date +%s.%N; }

bench() {  # name
  local name=$1 images="$WORK/$1/images.txt" bytes t0 t1 t2 ours theirs
  bytes=$(du -sb "$WORK/$name/blobs" | cut -f1)
  t0=$(now)
  "$BIN" fetch --images "$images" --registry "$URL" --layout "$WORK/out-$name-regcensus" \
      --concurrency "$CONCURRENCY" >/dev/null
  t1=$(now)
  mkdir -p "$WORK/out-$name-skopeo"
  while read -r ref; do
    [[ -z $ref ]] && continue
    skopeo copy --quiet --src-tls-verify=false "docker://127.0.0.1:$PORT/$ref" "dir:$WORK/out-$name-skopeo/${ref//[:\/]/_}"
  done <"$images"
  t2=$(now)
  /usr/bin/python3 - "$name" "$bytes" "$t0" "$t1" "$t2" <<'PY'
import sys
name, size, t0, t1, t2 = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
ours, theirs = t1 - t0, t2 - t1
print(f"{name:6s} {size/1e6:8.1f} MB  regcensus fetch {ours:6.2f} s ({size/1e6/ours:7.1f} MB/s)  "
      f"skopeo copy {theirs:6.2f} s ({size/1e6/theirs:7.1f} MB/s)  ratio {theirs/ours:5.2f}x")
PY
}

make_corpus small "$SMALL_IMAGES" "$SMALL_LAYERS" "$SMALL_BYTES"
make_corpus large "$LARGE_IMAGES" "$LARGE_LAYERS" "$LARGE_BYTES"
echo "fetch-bench: $(skopeo --version), regcensus fetch --concurrency $CONCURRENCY, registry $URL"
bench small
bench large
