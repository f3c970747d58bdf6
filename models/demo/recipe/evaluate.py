#!/usr/bin/env python3
"""Step 3 of the recipe: held-out perplexity of the exported models (read back from their
folders in float32, exactly the weights that ship), greedy agreement of the draft with the main
model, and greedy samples.

    python3 models/demo/recipe/evaluate.py MAIN_DIR DRAFT_DIR --out eval.json [--data models/demo/data]
"""
import argparse
import json
import math
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

import heldout

CONTINUATIONS = ["In the beginning God created", "The Lord is my shepherd;", "A lantern is", "Once upon a time",
                 "The computer", "Blessed are the", "ABSURDITY, n.", "The meaning of life is", "And it came to pass",
                 "A hacker is"]
QUESTIONS = ["Hello", "What is a lantern?", "Who are you?", "What does John 3:16 say?", "Tell me a fortune.",
             "What is a computer?", "What does it mean to run?", "Tell me a riddle.", "What is a KV cache?",
             "Define happiness."]


def load(folder, dev):
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 means float32 here: Pagoda's numbers compare to these
    torch.backends.cudnn.allow_tf32 = False
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).to(dev).eval()


@torch.no_grad()
def greedy(model, tok, ids, max_new):
    x = torch.tensor([ids], device=model.device)
    out = model.generate(x, max_new_tokens=max_new, do_sample=False, repetition_penalty=1.0,
                         eos_token_id=model.config.eos_token_id, pad_token_id=model.config.eos_token_id[0])
    return tok.decode(out[0, len(ids):], skip_special_tokens=True)


@torch.no_grad()
def agreement(main, draft, windows):
    same = total = 0
    for i in range(0, len(windows), 16):
        x = windows[i:i + 16].to(main.device)
        same += (main(input_ids=x).logits.argmax(-1) == draft(input_ids=x).logits.argmax(-1)).sum().item()
        total += x.numel()
    return same / total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("main_dir")
    p.add_argument("draft_dir")
    p.add_argument("--data", default=str(Path(__file__).resolve().parent.parent / "data"))
    p.add_argument("--out", required=True)
    p.add_argument("--max-windows", type=int, default=0, help="limit the held-out windows (0 = all; for toy runs)")
    a = p.parse_args()
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    t0 = time.time()
    windows = heldout.windows(Path(a.data) / "heldout.bin", heldout.EVAL_WINDOW)
    if a.max_windows:
        windows = windows[:a.max_windows]
    tok = AutoTokenizer.from_pretrained(a.main_dir)
    result = {"device": torch.cuda.get_device_name() if dev == "cuda" else "cpu", "window": heldout.EVAL_WINDOW,
              "windows": len(windows), "models": {}}
    models = {}
    for name, folder in (("pagoda-demo", a.main_dir), ("pagoda-demo-draft", a.draft_dir)):
        m = models[name] = load(folder, dev)
        nll = heldout.nll_per_window(m, windows)
        predictions = windows.shape[1] - 1
        first = nll[:heldout.PAGODA_WINDOWS]
        result["models"][name] = {
            "parameters": sum(p.numel() for p in m.parameters()),
            "heldout_ppl": math.exp(float(nll.sum()) / (len(windows) * predictions)),
            "heldout_ppl_first_windows": math.exp(float(first.sum()) / (len(first) * predictions)),
            "first_windows": len(first),
            "continuations": {c: greedy(m, tok, tok(c).input_ids, 40) for c in CONTINUATIONS},
            "chat": {q: greedy(m, tok, tok.apply_chat_template([{"role": "user", "content": q}], add_generation_prompt=True,
                                                              tokenize=True, return_dict=False), 80)
                     for q in QUESTIONS},
        }
        print(name, json.dumps({k: v for k, v in result["models"][name].items() if k not in ("continuations", "chat")}), flush=True)
    result["greedy_agreement"] = agreement(models["pagoda-demo"], models["pagoda-demo-draft"], windows)
    result["seconds"] = round(time.time() - t0, 1)
    Path(a.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"greedy_agreement": result["greedy_agreement"], "seconds": result["seconds"]}), flush=True)


if __name__ == "__main__":
    main()
