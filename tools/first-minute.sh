#!/usr/bin/env bash
# A new user's first minute, measured: a fresh clone, the README's run command (headless, so it
# serves), then one chat request from the official OpenAI Node SDK (non-streaming). Prints the
# reply, the build/start time and the seconds from "server ready" to the answer.
#   tools/first-minute.sh [CLONE_DIR]     (default /tmp/pagoda-first-minute; needs git, curl, node, npm)
# The SDK is installed once into $PAGODA_TEST_CACHE/npm-smoke (~/.cache/pagoda-test), never the repo.
set -euo pipefail
src=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=${1:-/tmp/pagoda-first-minute}
port=${PORT:-18000}
npmdir=${PAGODA_TEST_CACHE:-$HOME/.cache/pagoda-test}/npm-smoke
[ -d "$npmdir/node_modules/openai" ] || (mkdir -p "$npmdir" && cd "$npmdir" && npm install --silent --no-audit --no-fund openai@6 >/dev/null)
rm -rf "$dir"
git clone -q "$src" "$dir"
cd "$dir"
t0=$(date +%s.%N)
./pagoda serve --port "$port" > serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "localhost:$port/health" >/dev/null; do
  kill -0 $pid 2>/dev/null || { tail -20 serve.log; exit 1; }
  sleep 0.2
done
t1=$(date +%s.%N)
echo "built and started in $(echo "$t1 - $t0" | bc) s; server ready"
NODE_PATH="$npmdir/node_modules" node - "$port" <<'JS'
const OpenAI = require('openai');
const client = new OpenAI({ baseURL: `http://127.0.0.1:${process.argv[2]}/v1`, apiKey: 'none' });
(async () => {
  const t = Date.now();
  const r = await client.chat.completions.create({
    model: 'pagoda-demo', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 48 });
  console.log(`OpenAI Node SDK ${require('openai/package.json').version}, ${(Date.now() - t) / 1000} s after ready: ${JSON.stringify(r.choices[0].message.content)}`);
  console.log(`finish_reason ${r.choices[0].finish_reason}, usage ${JSON.stringify(r.usage)}`);
})().catch(e => { console.error(e); process.exit(1); });
JS
