#!/usr/bin/env bash
# Pagoda's CUDA (bf16) logits vs transformers in bfloat16 on every TestModels fixture, beside our CPU fp32
# logits and transformers float32. Run on the GPU machine from the project root, after
#   ../shared/device/bundle engine     (here)
# with:  tools/cuda-parity.sh OUT_DIR
# Prints per architecture: top-1 agreement of CUDA vs HF bf16, CUDA vs our CPU fp32, HF bf16 vs HF fp32
# (how much bf16 alone moves the argmax), the same where float32's two best logits are >= 0.25 apart
# (no near-tie), and max |Δ logprob| of CUDA vs HF bf16 and float32.
set -euo pipefail
out=${1:?usage: cuda-parity.sh OUT_DIR}
.device/run main dev.pagoda.engine.model.HfParityDump "$out"
.device/run main dev.pagoda.engine.model.CudaHfParityDump "$out"
for ids in "$out"/*.ids.json; do
  name=$(basename "$ids" .ids.json)
  python3 .device/bench/hf_logits.py "$out/$name" "$ids" "$out/$name.hf" --dtype float32 >/dev/null
  python3 .device/bench/hf_logits.py "$out/$name" "$ids" "$out/$name.hfbf16" --dtype bfloat16 >/dev/null
done
python3 - "$out" <<'PY'
import json, sys, os, numpy as np
out = sys.argv[1]
def load(name, suffix, n):
    x = np.fromfile(os.path.join(out, name + suffix), dtype="<f4"); return x.reshape(n, x.size // n).astype(np.float64)
def lsm(x): m = x.max(1, keepdims=True); return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))
for f in sorted(os.listdir(out)):
    if not f.endswith(".ids.json"): continue
    name = f[:-9]
    n = sum(len(s) for s in json.load(open(os.path.join(out, f))))
    cuda, cpu = load(name, ".cuda.f32", n), load(name, ".pagoda.f32", n)
    hf32, hf16 = load(name, ".hf.f32", n), load(name, ".hfbf16.f32", n)
    agree = lambda a, b, m=slice(None): (a[m].argmax(1) == b[m].argmax(1)).mean() * 100
    top2 = np.sort(hf32, 1)[:, -2:]; clear = (top2[:, 1] - top2[:, 0]) >= 0.25  # not a near-tie in float32
    print(f"{name:12s} positions={n:4d} top1 cuda~hf-bf16={agree(cuda, hf16):5.1f}% cuda~cpu-fp32={agree(cuda, cpu):5.1f}% "
          f"hf-bf16~hf-fp32={agree(hf16, hf32):5.1f}% | margin>=0.25 ({clear.sum()} positions): cuda~hf-bf16={agree(cuda, hf16, clear):5.1f}% "
          f"cuda~hf-fp32={agree(cuda, hf32, clear):5.1f}% | max|dlogprob| cuda~hf-bf16={np.abs(lsm(cuda) - lsm(hf16)).max():.3e} "
          f"cuda~hf-fp32={np.abs(lsm(cuda) - lsm(hf32)).max():.3e}")
PY
