"""Loads TestModels fixture folders with the Python reference stack (not run by CI).

    java -cp <test classpath> dev.pagoda.catalog.testing.TestModels /tmp/fixtures
    python check_with_transformers.py /tmp/fixtures

Checks, per folder: AutoTokenizer (transformers 5) gives the same ids as the raw HF `tokenizers`
library on tokenizer.json (transformers 5 rebuilds qwen2/qwen3 tokenizers from its own class, so
this is not automatic), the chat template renders, len(tokenizer) == vocab_size, the Rust
safetensors library opens every file, and, where torch is installed, the model loads with no
missing/unexpected keys, holds exactly the stored values and num_parameters() == stored elements.
"""
import glob
import sys
import unicodedata

from safetensors import safe_open
from tokenizers import Tokenizer
from transformers import AutoConfig, AutoTokenizer, GenerationConfig

try:
    import torch
    from transformers import AutoModelForCausalLM
except ImportError:
    torch = None

TEXTS = ["Hello, world!\n def f(x):  return x  cafe\u0301 \U0001F642 12345", "The model reads the tokens.",
         "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", "  spaces\t\ttabs 1234567 日本語"]

ok = True
for d in sorted(glob.glob(sys.argv[1] + "/*")):
    try:
        tok = AutoTokenizer.from_pretrained(d)
        raw = Tokenizer.from_file(d + "/tokenizer.json")
        for text in TEXTS:
            ids = tok(text, add_special_tokens=False).input_ids
            assert ids == raw.encode(text, add_special_tokens=False).ids, "transformers vs tokenizers: " + text
            assert tok(text).input_ids == raw.encode(text).ids, "with special tokens: " + text
            assert tok.decode(ids) in (text, unicodedata.normalize("NFC", text)), "round trip: " + text
        chat = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
        cfg = AutoConfig.from_pretrained(d)
        GenerationConfig.from_pretrained(d)
        assert len(tok) == cfg.vocab_size, f"len(tokenizer) {len(tok)} != vocab_size {cfg.vocab_size}"
        shapes = {}
        for f in sorted(glob.glob(d + "/*.safetensors")):
            with safe_open(f, "np") as sf:
                shapes.update({k: sf.get_slice(k).get_shape() for k in sf.keys()})
        stored = sum(int(__import__("math").prod(s)) for s in shapes.values())
        line = f"{d}: {type(cfg).__name__} tensors={len(shapes)} elements={stored} chat={chat!r}"
        if torch is not None:
            from safetensors.torch import load_file
            model, info = AutoModelForCausalLM.from_pretrained(d, output_loading_info=True)
            assert not any(info.values()), f"loading issues {info}"
            sd = model.state_dict()
            for f in glob.glob(d + "/*.safetensors"):
                for k, v in load_file(f).items():
                    assert torch.equal(sd[k].to(v.dtype), v), "value of " + k
            assert model.num_parameters() == stored, f"num_parameters {model.num_parameters()} != {stored}"
            line += f" num_parameters={model.num_parameters()}"
        print(line)
    except Exception as e:  # report every folder, then fail
        ok = False
        print("FAIL", d, repr(e))
print("ALL OK" if ok else "SOME FAILED")
sys.exit(0 if ok else 1)
