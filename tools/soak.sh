#!/usr/bin/env bash
# The soak test of docs/security.md: `./pagoda serve` on the default model (CPU), 128 well-behaved
# streaming clients and 40 hostile ones (slow readers, drops mid-stream, garbage, idle connections,
# trickled headers, cut-off bodies, requests smuggled after a 413, no key, HTTP/1.0, huge headers) for
# SECONDS (default 600). Prints the server's resident memory every 10 s and, at the end, the failures
# of the well-behaved clients, the server's client-fault counts and whether every engine request and
# KV block is back. Exit status 0 when there were no failures and everything came back.
#   tools/soak.sh [SECONDS] [CLIENTS]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
seconds=${1:-600}
clients=${2:-128}
port=${SOAK_PORT:-18123}
key=soak-$RANDOM$RANDOM
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java

log=$(mktemp -t pagoda-soak.XXXXXX.log)
./pagoda serve --host 127.0.0.1 --port "$port" --api-key "$key" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "soak: the server did not start:" >&2; cat "$log" >&2; exit 1; fi
  sleep 1
done
echo "soak: server pid $server ($(tr '\0' ' ' < "/proc/$server/cmdline" | grep -o -- '-Xmx[^ ]*' || echo 'no -Xmx')), log $log"
status=0
"$java" "$root/tools/soak/Soak.java" "http://127.0.0.1:$port" "$key" "$server" "$seconds" "$clients" || status=$?
echo "soak: server log lines: $(wc -l < "$log") ($(grep -c 'client fault' "$log" || true) client-fault lines)"
exit $status
