# Sourced by the benchmarks: a docker-registry on a free loopback port whose
# filesystem storage is $WORK/storage (access log off), stopped and $WORK
# removed on exit. Sets REGISTRY_PID and URL. Needs WORK set.
REGISTRY_PID=
cleanup() {
  if [[ -n $REGISTRY_PID ]]; then kill "$REGISTRY_PID" 2>/dev/null || true; wait "$REGISTRY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/storage
http:
  addr: 127.0.0.1:$PORT
YAML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -fs "$URL/v2/" >/dev/null && break; sleep 0.1; done
