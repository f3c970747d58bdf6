#!/usr/bin/env bash
# The CPU fallback of device.sh, for when no GPU can be had: both models side by side, one thread
# each, for TRAIN_SECONDS of wall clock (the learning-rate schedule follows elapsed time), bf16
# autocast (AVX512-BF16), 16 x 128-token batches; then evaluate.py on the first 64 held-out windows.
#     models/demo/recipe/cpu.sh WORK_DIR           (run from the repository root; data from prepare.py)
set -uo pipefail
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
work=${1:?usage: cpu.sh WORK_DIR}
TRAIN_SECONDS=${TRAIN_SECONDS:-1800}
PY=${PYTHON:-python3}
recipe=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
cd "$recipe"
common=(--time-budget-s "$TRAIN_SECONDS" --batch 16 --seq 128 --threads 1 --device cpu --warmup 100 --eval-every 50 --eval-windows 8)
"$PY" train.py --model main "${common[@]}" --out "$work/pagoda-demo" > "$work/main.log" 2>&1 &
main_pid=$!
"$PY" train.py --model draft "${common[@]}" --out "$work/pagoda-demo-draft" > "$work/draft.log" 2>&1 &
draft_pid=$!
wait $main_pid; echo "main rc=$?"
wait $draft_pid; echo "draft rc=$?"
OMP_NUM_THREADS=2 "$PY" evaluate.py "$work/pagoda-demo" "$work/pagoda-demo-draft" --out "$work/eval.json" --max-windows 64
