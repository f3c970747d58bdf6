#!/usr/bin/env python3
"""Step 4 of the recipe (CPU, seconds): transformers' float32 log-probabilities on the shipped
models, written as the small fixture DemoModelParityTest compares Pagoda's against.

    python3 models/demo/recipe/reference_logprobs.py            # rewrites the fixture in engine test resources

For each model and each text: the token ids transformers' tokenizer gives, and at every position
the 8 most likely next tokens with their log-probabilities plus the log-probabilities of 32 fixed
probe ids spread over the vocabulary (the full rows would be 6144 numbers a position).
"""
import json
import sys
from pathlib import Path

import tokenizers
import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "engine/src/test/resources/dev/pagoda/engine/demo/transformers-logprobs.json"
TEXTS = [
    {"text": "In the beginning God created the heaven and the earth. And the earth was without form, and void;"},
    {"text": "A clash of doctrine is not a disaster -- it is an opportunity.\n\t\t-- Messiah's Handbook"},
    {"text": "Hello, Pagoda! 1234 \"quotes\" \u2014 caf\u00e9 na\u00efve, and a tab\there."},
    {"chat": [{"role": "user", "content": "What is a lantern?"},
              {"role": "assistant", "content": "A lantern is a light in a transparent protective case."}]},
]
TOP = 8
PROBES = 32


def main():
    torch.set_grad_enabled(False)
    out = {"made_by": f"models/demo/recipe/reference_logprobs.py: transformers {transformers.__version__}, "
                      f"tokenizers {tokenizers.__version__}, torch {torch.__version__}, float32 on the CPU",
           "models": {}}
    for name in ("pagoda-demo", "pagoda-demo-draft"):
        folder = ROOT / "models/demo" / name
        tok = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        vocab = model.config.vocab_size
        probes = [round(i * (vocab - 1) / (PROBES - 1)) for i in range(PROBES)]
        out["probe_ids"] = probes
        seqs = []
        for t in TEXTS:
            if "chat" in t:
                text = tok.apply_chat_template(t["chat"], tokenize=False)
                ids = tok(text, add_special_tokens=False).input_ids  # the template writes the BOS itself
            else:
                text = t["text"]
                ids = tok(text).input_ids
            lp = torch.log_softmax(model(torch.tensor([ids])).logits[0].double(), dim=-1)
            v, i = lp.topk(TOP, dim=-1)
            seqs.append({"text": text, "chat": "chat" in t, "ids": ids,
                         "top": [[[int(a), round(float(b), 6)] for a, b in zip(ii, vv)] for ii, vv in zip(i.tolist(), v.tolist())],
                         "probes": [[round(float(x), 6) for x in row] for row in lp[:, probes].tolist()]})
        out["models"][name] = {"sequences": seqs}
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    sys.exit(main())
