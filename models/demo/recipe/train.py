#!/usr/bin/env python3
"""Step 2 of the recipe: trains one model (pagoda-demo or its draft) on the ids prepare.py wrote,
and exports it as a Hugging Face folder (bf16 safetensors, config, generation config, tokenizer).

    python3 models/demo/recipe/train.py --model main  --out OUT/pagoda-demo        # the GPU run (see device.sh)
    python3 models/demo/recipe/train.py --model draft --out OUT/pagoda-demo-draft
    python3 models/demo/recipe/train.py --model main --steps 3 --batch 2 --device cpu --out /tmp/toy   # here, to debug
    python3 models/demo/recipe/train.py --model main --time-budget-s 2100 --batch 16 --seq 128 --threads 1 --device cpu ...
                                                                          # the CPU fallback (see cpu.sh)

The same script runs at toy scale on a CPU and at full scale on the GPU; only --steps/--batch
change. Fixed seeds: the batches are drawn from a seeded generator, the weights initialised from
torch.manual_seed. Logs go to OUT/log.jsonl (step, train loss, held-out loss, lr, tokens/s).
"""
import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM

import heldout

# Both share the tokenizer; the draft is ~3.3x smaller in parameters (4.4x in non-embedding compute).
SHAPES = {
    "main": dict(hidden_size=384, num_hidden_layers=8, num_attention_heads=6, num_key_value_heads=2,
                 intermediate_size=960, lr=1.5e-3),
    "draft": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                  intermediate_size=640, lr=2e-3),
}
HEAD_DIM = 64
MAX_POSITIONS = 1024


def model_config(shape, tokenizer_dir):
    tok = json.loads((tokenizer_dir / "tokenizer.json").read_text())
    ids = {t["content"]: t["id"] for t in tok["added_tokens"]}
    vocab = max(ids.values()) + 1
    return LlamaConfig(
        vocab_size=vocab, hidden_size=shape["hidden_size"], intermediate_size=shape["intermediate_size"],
        num_hidden_layers=shape["num_hidden_layers"], num_attention_heads=shape["num_attention_heads"],
        num_key_value_heads=shape["num_key_value_heads"], head_dim=HEAD_DIM, max_position_embeddings=MAX_POSITIONS,
        rms_norm_eps=1e-5, rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, tie_word_embeddings=True,
        attention_bias=False, mlp_bias=False, hidden_act="silu", initializer_range=0.02,
        bos_token_id=ids["<|begin_of_text|>"], eos_token_id=[ids["<|eot_id|>"], ids["<|end_of_text|>"]],
        attn_implementation="sdpa")


def generation_config(config):
    # Request defaults (Pagoda, like vLLM, applies them where a request names none): a model this
    # small loops when greedy and wanders when sampled hot, so a cool temperature. No repetition
    # penalty: the panel's playground sends none, and the API and the panel must agree on greedy text.
    return {"bos_token_id": config.bos_token_id, "eos_token_id": config.eos_token_id, "do_sample": True,
            "temperature": 0.6, "top_p": 0.9, "max_new_tokens": 128}


def lr_at(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=SHAPES, required=True)
    p.add_argument("--data", default=str(Path(__file__).resolve().parent.parent / "data"))
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64, help="sequences per step")
    p.add_argument("--seq", type=int, default=MAX_POSITIONS)
    p.add_argument("--warmup", type=int, default=150)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-windows", type=int, default=heldout.DURING_TRAINING_WINDOWS, help="held-out windows for the loss curve")
    p.add_argument("--time-budget-s", type=float, default=0,
                   help="train for this many seconds instead of --steps: the learning-rate schedule follows elapsed time")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for torch (0 = its default)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--compile", action="store_true", help="torch.compile the model (GPU)")
    p.add_argument("--time-only", action="store_true", help="print ms per step and stop (no export)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = p.parse_args()

    if a.threads:
        torch.set_num_threads(a.threads)
    data, out = Path(a.data), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    dev = torch.device(a.device)
    shape = SHAPES[a.model]
    config = model_config(shape, data / "tokenizer")
    model = LlamaForCausalLM(config).to(dev)
    params = sum(p.numel() for p in model.parameters())
    print(f"{a.model}: {params / 1e6:.2f}M parameters, {a.steps} steps x {a.batch} x {a.seq} tokens on {dev}", flush=True)

    train_ids = torch.from_numpy(np.fromfile(data / "train.bin", dtype=np.uint16).astype(np.int32)).to(dev)
    eval_windows = heldout.windows(data / "heldout.bin", heldout.EVAL_WINDOW)[:a.eval_windows].to(dev)
    batches = torch.Generator().manual_seed(a.seed)
    span = torch.arange(a.seq + 1, device=dev)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=shape["lr"], betas=(0.9, 0.95), eps=1e-8, fused=dev.type == "cuda")
    forward = torch.compile(model) if a.compile else model
    t_start = time.time()
    # bf16 mixed precision on both (fp32 master weights); CPUs with AVX512-BF16 run it ~2.4x faster than fp32
    autocast = torch.autocast(device_type=dev.type, dtype=torch.bfloat16)

    def progress_step(step):
        """The schedule's position: the step, or with a time budget the elapsed share of it in steps of a.steps."""
        if not a.time_budget_s:
            return step
        return min(a.steps - 1, int(a.steps * (time.time() - t_start) / a.time_budget_s))

    def train_step(step):
        offsets = torch.randint(0, train_ids.numel() - a.seq - 1, (a.batch,), generator=batches).to(dev)
        chunk = train_ids[offsets[:, None] + span].long()
        x, y = chunk[:, :-1], chunk[:, 1:]
        for group in optimizer.param_groups:
            group["lr"] = lr_at(progress_step(step), a.steps, shape["lr"], a.warmup)
        with autocast:
            logits = forward(input_ids=x).logits
        loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss

    if a.time_only:
        for s in range(5):
            train_step(s)
        sync(dev)
        t0 = time.time()
        n = max(1, a.steps)
        for s in range(n):
            train_step(s)
        sync(dev)
        ms = (time.time() - t0) * 1000 / n
        print(json.dumps({"model": a.model, "ms_per_step": round(ms, 2), "tokens_per_s": round(a.batch * a.seq / ms * 1000),
                          "compile": a.compile, "batch": a.batch, "seq": a.seq}), flush=True)
        return

    log = open(out / "log.jsonl", "w")
    t0, window_loss, window_steps = time.time(), torch.zeros((), device=dev), 0
    t_start = t0
    step = 0
    while True:
        window_loss += train_step(step).detach()  # summed on the device: no host sync per step
        window_steps += 1
        last = (time.time() - t0 >= a.time_budget_s) if a.time_budget_s else step + 1 == a.steps
        if (step + 1) % 25 == 0 or last:
            train_loss = window_loss.item() / window_steps
            window_loss.zero_()
            window_steps = 0
            record = {"step": step + 1, "train_loss": round(train_loss, 4),
                      "lr": lr_at(progress_step(step), a.steps, shape["lr"], a.warmup),
                      "elapsed_s": round(time.time() - t0, 1),
                      "tokens_per_s": round((step + 1) * a.batch * a.seq / (time.time() - t0))}
            if (step + 1) % a.eval_every == 0 or last:
                model.eval()
                record["heldout_loss"] = round(heldout.mean_nll(model, eval_windows, autocast), 4)
                model.train()
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(json.dumps(record), flush=True)
        step += 1
        if last:
            break

    export(model, config, data / "tokenizer", out)
    print(f"{a.model}: exported to {out} after {time.time() - t0:.0f} s", flush=True)


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def export(model, config, tokenizer_dir, out):
    model = model.to(torch.bfloat16)
    model.config.dtype = torch.bfloat16
    model.save_pretrained(out, safe_serialization=True)
    (out / "generation_config.json").write_text(json.dumps(generation_config(config), indent=2) + "\n")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tokenizer_dir / f, out / f)


if __name__ == "__main__":
    sys.exit(main())
