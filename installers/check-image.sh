#!/usr/bin/env bash
# Runs the built OCI image as a container and checks it serves: podman loads the tarball (no daemon),
# runs it with no flags (the default model, CPU), and /health, /v1/models and a completion must
# answer on the published port while the process runs as the image's non-root user. The image's
# structure (layers, entrypoint, port, user) is checked by OciImageIT in the Maven build.
#   installers/check-image.sh [path/to/pagoda-image-VERSION.tar]
# Installs podman (and runc) from Debian when absent (needs root). In a container without cgroup v2
# and with a low open-files limit (as on these build machines) crun refuses to start containers:
# the check then runs podman with runc and the limits this machine allows.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tar=${1:-$(ls "$here"/target/pagoda-image-*.tar 2>/dev/null | grep -v -- -cuda | head -1)}
[ -f "${tar:-}" ] || { echo "check-image: no image tarball; build it first: ./mvnw -pl installers -am package" >&2; exit 1; }
if ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "check-image: podman and runc are needed (apt-get install podman runc)" >&2; exit 1; }
  apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y -q podman runc >/dev/null
fi
failures=0 checks=0
check() { local what=$1; shift; checks=$((checks + 1)); if "$@"; then echo "check-image: ok   $what"; else failures=$((failures + 1)); echo "check-image: FAIL $what" >&2; fi; }

image=$(podman load -q -i "$tar" | sed -n 's/^Loaded image: //p' | tail -1)
name=pagoda-check-$$
port=$(for p in $(seq 18300 18999); do ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; break; }; done)
run=(podman --runtime runc run -d --name "$name" -p "127.0.0.1:$port:8000"
  --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; podman rmi "$image" >/dev/null 2>&1 || true' EXIT
"${run[@]}" "$image" >/dev/null
up=
for _ in $(seq 1 90); do
  if curl -sf -o /dev/null "http://127.0.0.1:$port/health"; then up=1; break; fi
  [ "$(podman inspect -f '{{.State.Running}}' "$name")" = true ] || break
  sleep 2
done
check "the container answers GET /health" test -n "$up"
check "GET /v1/models lists the default model" bash -c 'curl -sf "$1" | grep -q "\"id\":\"pagoda-default\""' _ "http://127.0.0.1:$port/v1/models"
check "POST /v1/completions returns 4 tokens" bash -c 'curl -sf "$1" -H "Content-Type: application/json" \
  -d "{\"model\":\"pagoda-default\",\"prompt\":\"Hello\",\"max_tokens\":4}" | grep -q "\"completion_tokens\":4"' _ "http://127.0.0.1:$port/v1/completions"
check "the server runs as uid 10001, not root" bash -c '[ "$(podman top "$1" huser | tail -n +2 | sort -u | xargs)" = 10001 ]' _ "$name"
check "the entrypoint is pagoda serve" bash -c '[ "$(podman inspect -f "{{json .Config.Entrypoint}}" "$1")" = "[\"/opt/pagoda/bin/pagoda\",\"serve\"]" ]' _ "$image"
if [ -z "$up" ]; then podman logs "$name" 2>&1 | tail -20 >&2; fi
echo "check-image: $((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
