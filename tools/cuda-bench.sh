#!/usr/bin/env bash
# The CUDA issue's measurements on the GPU machine, after `../shared/device/bundle engine webapi` (here):
#   tools/cuda-bench.sh OUT_DIR [STAGE...]     (from the project root there; OUT_DIR e.g. $OUT)
# Stages (default: all; one device call runs at most 10 minutes, so split them, e.g. "tests kernels
# throughput" in one call and "latency memory parity" in the next):
#   tests       every GPU test (kernels vs the CPU backend, engine vs the CPU engine, the model layer vs transformers)
#   kernels     decode and prefill attention timed with each kernel; step profiles with each prefill kernel
#   throughput  1000 prompts of 512/256, Llama-3-8B shape, dummy bf16 weights, beside the naive
#               transformers baseline at batch 64 (128 prompts) in the same call
#   latency     batch-1 decode latency beside the weight-read floor
#   memory      256 x 2k-token sequences at --gpu-memory-utilization 0.9 (nvidia-smi peak) and 0.35 (preemption)
#   parity      logits vs transformers bf16 on every fixture architecture (tools/cuda-parity.sh)
set -uo pipefail
out=${1:?usage: cuda-bench.sh OUT_DIR [tests|kernels|throughput|latency|memory|parity ...]}
shift
stages=${*:-tests kernels throughput latency memory parity}
mkdir -p "$out"
export JAVA_OPTS="${JAVA_OPTS:--Xmx16g}"
pagoda=(.device/run main dev.pagoda.webapi.cli.PagodaCli)
has() { [[ " $stages " == *" $1 "* ]]; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

if has tests; then
  timeout 240 .device/run test -p dev.pagoda.engine.cuda -c dev.pagoda.engine.core.CudaEngineTest \
    -c dev.pagoda.engine.model.CudaTransformersParityTest > "$out/tests.log" 2>&1
  echo "tests rc=$?"; grep -E "tests (successful|failed|skipped)|CUDA vs CPU|=>" "$out/tests.log" | head -30
fi
if has kernels; then
  timeout 90 .device/run main dev.pagoda.engine.cuda.kernels.DecodeAttentionBench > "$out/decode-bench.log" 2>&1
  echo "decode bench rc=$?"; grep -vE "^(WARNING|INFO|SLF4J)" "$out/decode-bench.log" | tail -24
  timeout 60 .device/run main dev.pagoda.engine.cuda.kernels.PrefillAttentionBench > "$out/prefill-bench.log" 2>&1
  echo "prefill bench rc=$?"; grep -vE "^(WARNING|INFO|SLF4J)" "$out/prefill-bench.log" | tail -8
  for k in legacy v2; do
    JAVA_OPTS="$JAVA_OPTS -Dpagoda.cuda.prefillKernel=$k" timeout 60 .device/run main dev.pagoda.engine.backend.cuda.CudaStepProfile \
      llama3-8b 256 640 16 512 > "$out/profile-$k.log" 2>&1
    echo "profile (prefill $k) rc=$?"; grep -E "kernel|^prefill|^decode" "$out/profile-$k.log" | head -9
  done
fi
if has throughput; then
  timeout 90 "${pagoda[@]}" bench throughput --model llama3-8b --load-format dummy --input-len 512 --output-len 256 \
    --num-prompts 1000 --device cuda > "$out/throughput.log" 2>&1
  echo "throughput rc=$?"; grep -E "Throughput|Elapsed|Engine steps|Preemptions|CUDA runner" "$out/throughput.log" | head -6
  timeout 90 python3 .device/bench/hf_baseline.py --shape llama3-8b --num-prompts 128 --input-len 512 --output-len 256 \
    --batch-size 64 > "$out/baseline.log" 2>&1
  echo "baseline rc=$?"; tail -1 "$out/baseline.log"
fi
if has latency; then
  timeout 90 "${pagoda[@]}" bench latency --model llama3-8b --load-format dummy --input-len 32 --output-len 128 \
    --batch-size 1 --num-iters-warmup 2 --num-iters 5 --device cuda > "$out/latency.log" 2>&1
  echo "latency rc=$?"; grep -E "Avg latency|Decode step|Memory floor" "$out/latency.log"
fi
if has memory; then
  for util in 0.9 0.35; do
    # nvidia-smi samples in the background into a file, never into a pipe someone waits on
    nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader,nounits -l 1 > "/tmp/smi-$util.log" 2>&1 &
    smi=$!
    timeout 120 "${pagoda[@]}" bench throughput --model llama3-8b --load-format dummy --input-len 1024 --output-len 1024 \
      --num-prompts 256 --max-model-len 2048 --max-num-seqs 256 --gpu-memory-utilization "$util" --device cuda \
      > "$out/memory-$util.log" 2>&1
    echo "memory $util rc=$?"
    kill "$smi" 2>/dev/null
    grep -E "Throughput|Engine steps|KV cache|Preemptions|rror" "$out/memory-$util.log" | head -8
    sort -n "/tmp/smi-$util.log" | tail -1 | awk -F', ' '{printf "nvidia-smi peak %s of %s MiB (%.1f%%)\n", $1, $2, 100*$1/$2}'
  done
fi
if has parity; then
  timeout 200 tools/cuda-parity.sh /tmp/pagoda-parity > "$out/parity.log" 2>&1
  echo "parity rc=$?"; grep -E "positions=" "$out/parity.log" | sort -u
fi
