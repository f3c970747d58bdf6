#!/usr/bin/env bash
# The CUDA issue's measurements in one GPU-machine call, after `../shared/device/bundle engine webapi` (here):
#   tools/cuda-bench.sh OUT_DIR      (on the GPU machine, from the project root; OUT_DIR e.g. $OUT)
# Writes one log per step into OUT_DIR and prints the lines that matter: GPU tests, parity against
# transformers bf16, throughput (1000 prompts of 512/256, Llama-3-8B shape, dummy bf16 weights) beside
# the naive transformers baseline at batch 64, batch-1 latency with its memory floor, 256 concurrent
# 2k-token sequences at --gpu-memory-utilization 0.9 with nvidia-smi's peak, and a per-operation profile.
set -uo pipefail
out=${1:?usage: cuda-bench.sh OUT_DIR}
mkdir -p "$out"
export JAVA_OPTS="${JAVA_OPTS:--Xmx16g}"
pagoda=(.device/run main dev.pagoda.webapi.cli.PagodaCli)
# nvidia-smi samples in the background; its output goes to a file, never to a pipe someone waits on
# (kept in /tmp: the device tool brings back only a few files from OUT_DIR)
sample_memory() { nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader,nounits -l 1 > "/tmp/$1" 2>&1 & echo $! > "/tmp/$1.pid"; }
peak() { kill "$(cat "/tmp/$1.pid")" 2>/dev/null; sort -n "/tmp/$1" | tail -1 | awk -F', ' '{printf "peak %s of %s MiB (%.1f%%)\n", $1, $2, 100*$1/$2}'; }

timeout 300 .device/run test -p dev.pagoda.engine.cuda -c dev.pagoda.engine.core.CudaEngineTest > "$out/tests.log" 2>&1
echo "tests rc=$?"; grep -E "tests (successful|failed|skipped)|CUDA vs CPU|=>" "$out/tests.log" | head -20

sample_memory smi-throughput.log
timeout 240 "${pagoda[@]}" bench throughput --model llama3-8b --load-format dummy --input-len 512 --output-len 256 \
  --num-prompts 1000 --device cuda > "$out/throughput.log" 2>&1
echo "throughput rc=$?"; grep -E "Throughput|Elapsed|Engine steps|KV cache|CUDA" "$out/throughput.log"; peak smi-throughput.log
timeout 400 python3 .device/bench/hf_baseline.py --shape llama3-8b --num-prompts 256 --input-len 512 --output-len 256 \
  --batch-size 64 > "$out/baseline.log" 2>&1
echo "baseline rc=$?"; tail -3 "$out/baseline.log"

timeout 150 "${pagoda[@]}" bench latency --model llama3-8b --load-format dummy --input-len 32 --output-len 128 \
  --batch-size 1 --num-iters-warmup 2 --num-iters 5 --device cuda > "$out/latency.log" 2>&1
echo "latency rc=$?"; grep -E "Avg latency|Decode step|Memory floor" "$out/latency.log"

sample_memory smi-memory.log
timeout 300 "${pagoda[@]}" bench throughput --model llama3-8b --load-format dummy --input-len 1024 --output-len 1024 \
  --num-prompts 256 --max-model-len 2048 --max-num-seqs 256 --gpu-memory-utilization 0.9 --device cuda > "$out/memory.log" 2>&1
echo "memory rc=$?"; grep -E "Throughput|Engine steps|KV cache|failed" "$out/memory.log" | head -5; peak smi-memory.log

timeout 150 .device/run main dev.pagoda.engine.cuda.model.CudaStepProfile llama3-8b 256 640 16 512 > "$out/profile.log" 2>&1
echo "profile rc=$?"; grep -E "^llama|^prefill|^decode" "$out/profile.log"

timeout 400 tools/cuda-parity.sh /tmp/pagoda-parity > "$out/parity.log" 2>&1
echo "parity rc=$?"; grep -E "positions=" "$out/parity.log"
