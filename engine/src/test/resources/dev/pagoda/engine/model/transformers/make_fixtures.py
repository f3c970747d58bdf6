#!/usr/bin/env python3
"""Tiny Llama-family models built by transformers itself, with transformers' fp32 logits, for
TransformersParityTest (CI has no PyTorch; these files are what it compares against).

Run from this folder with the project's venv:  /work/venv/bin/python make_fixtures.py
Made with transformers 5.18.0 and torch 2.13.0 (CPU). For each architecture NAME it writes
NAME/config.json and NAME/model.safetensors (random weights from a seeded init, stored as bf16 to
keep the files small; the logits are computed in float32 from exactly those values), and
NAME/ids.json (token sequences) and NAME/logits.f32 (float32 little-endian, every position of
every sequence, sequences back to back). Attention is 'eager', the plain masked softmax.
"""
import json
import os
import shutil

import torch
from transformers import (AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM,
                          Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM)

COMMON = dict(hidden_size=64, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              vocab_size=96, max_position_embeddings=128, rms_norm_eps=1e-5)

MODELS = {
    "llama3-scaled": (LlamaForCausalLM, LlamaConfig(**COMMON, tie_word_embeddings=False, rope_theta=10000.0, rope_scaling={
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8})),
    "mistral-window": (MistralForCausalLM, MistralConfig(**COMMON, tie_word_embeddings=False, rope_theta=10000.0,
                                                         sliding_window=5)),
    "qwen2-bias-tied": (Qwen2ForCausalLM, Qwen2Config(**COMMON, tie_word_embeddings=True, rope_theta=1000000.0)),
    "qwen3-qknorm": (Qwen3ForCausalLM, Qwen3Config(**COMMON, head_dim=32, tie_word_embeddings=False, rope_theta=1000000.0)),
}


def main():
    for i, (name, (cls, config)) in enumerate(MODELS.items()):
        torch.manual_seed(1000 + i)
        model = cls(config)
        with torch.no_grad():
            for p in model.parameters():  # the default init is too small to make distinct logits
                p.normal_(0.0, 0.25 if p.dim() > 1 else 0.1)
                if p.dim() == 1:
                    p.add_(1.0 if p.shape[0] in (config.hidden_size, getattr(config, "head_dim", 0)) else 0.0)
        shutil.rmtree(name, ignore_errors=True)
        model.to(torch.bfloat16).save_pretrained(name)
        os.remove(os.path.join(name, "generation_config.json"))
        reloaded = AutoModelForCausalLM.from_pretrained(name, dtype=torch.float32, attn_implementation="eager").eval()
        generator = torch.Generator().manual_seed(7 + i)
        sequences = [torch.randint(0, config.vocab_size, (n,), generator=generator).tolist() for n in (9, 14)]
        with open(os.path.join(name, "ids.json"), "w") as f:
            json.dump(sequences, f)
        with open(os.path.join(name, "logits.f32"), "wb") as f, torch.no_grad():
            for ids in sequences:
                logits = reloaded(torch.tensor([ids])).logits[0].to(torch.float32).contiguous()
                f.write(logits.numpy().astype("<f4").tobytes())
        print("wrote", name)


if __name__ == "__main__":
    main()
