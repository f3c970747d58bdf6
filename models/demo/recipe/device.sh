#!/usr/bin/env bash
# The GPU part of the recipe, one device call (run from the repository root, data prepared by
# prepare.py in models/demo/data, which the call carries):
#     models/demo/recipe/device.sh            # on the GPU machine; results under $OUT
# 1. times a few steps of each model alone, and picks the step count S so that both models,
#    S steps each on the same batches, fit TRAIN_SECONDS (override: STEPS=N reproduces a run);
# 2. trains pagoda-demo and pagoda-demo-draft side by side on the one GPU;
# 3. packs the weights, evaluates the exported folders (evaluate.py) and packs the rest for the trip back:
#    $OUT/main.safetensors.part-{00,01} (the main model's file split under the 16 MiB limit),
#    $OUT/draft.safetensors, $OUT/results.tar.gz (configs, logs, eval.json), $OUT/run.log.
set -uo pipefail
export PYTHONUNBUFFERED=1
: "${OUT:?set OUT}"
TRAIN_SECONDS=${TRAIN_SECONDS:-360}
BATCH=${BATCH:-64}
recipe=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/pagoda-demo-train}
rm -rf "$work"; mkdir -p "$work"
exec > >(tee "$OUT/run.log") 2>&1
cd "$recipe"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers, tokenizers, safetensors; print('torch', torch.__version__, 'transformers', transformers.__version__, 'tokenizers', tokenizers.__version__, 'safetensors', safetensors.__version__)"
start=$(date +%s)

if [ -z "${STEPS:-}" ]; then
  main_ms=$(python3 train.py --model main --batch "$BATCH" --steps 15 --time-only --out "$work/t" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_step"])')
  draft_ms=$(python3 train.py --model draft --batch "$BATCH" --steps 15 --time-only --out "$work/t" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_step"])')
  # side by side the GPU time-slices between the two processes: a step of each costs about their sum
  [ -n "$main_ms" ] && [ -n "$draft_ms" ] || { echo "timing failed"; exit 1; }
  STEPS=$(python3 -c "print(min(4000, int(0.92 * $TRAIN_SECONDS * 1000 / ($main_ms + $draft_ms))))")
  echo "timing: main $main_ms ms/step, draft $draft_ms ms/step alone -> STEPS=$STEPS for ${TRAIN_SECONDS}s"
fi
echo "calibrated after $(( $(date +%s) - start )) s"

python3 train.py --model main --steps "$STEPS" --batch "$BATCH" --out "$work/pagoda-demo" > "$work/main.log" 2>&1 &
main_pid=$!
python3 train.py --model draft --steps "$STEPS" --batch "$BATCH" --out "$work/pagoda-demo-draft" > "$work/draft.log" 2>&1 &
draft_pid=$!
wait $main_pid; main_rc=$?
wait $draft_pid; draft_rc=$?
tail -n 3 "$work/main.log" "$work/draft.log"
echo "trained after $(( $(date +%s) - start )) s (main rc=$main_rc, draft rc=$draft_rc)"

# the weights go under $OUT first: they come back even if the evaluation fails
(cd "$work" && split -b 15M -d -a 2 pagoda-demo/model.safetensors "$OUT/main.safetensors.part-" \
  && cp pagoda-demo-draft/model.safetensors "$OUT/draft.safetensors" \
  && sha256sum pagoda-demo/model.safetensors pagoda-demo-draft/model.safetensors > sha256.txt)

timeout 200 python3 evaluate.py "$work/pagoda-demo" "$work/pagoda-demo-draft" --out "$work/eval.json" ${EVAL_ARGS:-}
echo "evaluated after $(( $(date +%s) - start )) s"

cd "$work"
tar czf "$OUT/results.tar.gz" main.log draft.log eval.json sha256.txt \
  pagoda-demo/{config.json,generation_config.json,log.jsonl} pagoda-demo-draft/{config.json,generation_config.json,log.jsonl}
ls -la "$OUT"
echo "done after $(( $(date +%s) - start )) s"
