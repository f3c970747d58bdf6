#!/usr/bin/env bash
# Pagoda's CPU fp32 logits vs transformers (float32) on every TestModels fixture.
# Run on the GPU machine (it has PyTorch + transformers) from the project root, after
#   ../shared/device/bundle engine     (here)
# with:  tools/hf-parity.sh OUT_DIR
# Prints per architecture: max |Δ logit|, max |Δ logprob|, top-1 agreement.
set -euo pipefail
out=${1:?usage: hf-parity.sh OUT_DIR}
.device/run main dev.pagoda.engine.model.HfParityDump "$out"
for ids in "$out"/*.ids.json; do
  name=$(basename "$ids" .ids.json)
  python3 .device/bench/hf_logits.py "$out/$name" "$ids" "$out/$name.hf" --dtype float32 >/dev/null
done
python3 - "$out" <<'PY'
import json, sys, os, numpy as np
out = sys.argv[1]
for f in sorted(os.listdir(out)):
    if not f.endswith(".ids.json"): continue
    name = f[:-9]
    seqs = json.load(open(os.path.join(out, f)))
    hf = json.load(open(os.path.join(out, name + ".hf.json")))
    vocab = None
    ours = np.fromfile(os.path.join(out, name + ".pagoda.f32"), dtype="<f4")
    theirs = np.fromfile(os.path.join(out, name + ".hf.f32"), dtype="<f4")
    n = sum(len(s) for s in seqs); vocab = ours.size // n
    a = ours.reshape(n, vocab).astype(np.float64); b = theirs.reshape(n, vocab).astype(np.float64)
    def lsm(x): m = x.max(1, keepdims=True); return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))
    dl = np.abs(a - b).max(); dlp = np.abs(lsm(a) - lsm(b)).max()
    top1 = (a.argmax(1) == b.argmax(1)).mean()
    print(f"{name:12s} positions={n:4d} vocab={vocab} max|dlogit|={dl:.2e} max|dlogprob|={dlp:.2e} top1_agree={top1*100:.1f}% ({hf['model_type']}, {hf['device']})")
PY
