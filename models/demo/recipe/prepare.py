#!/usr/bin/env python3
"""Step 1 of the recipe (CPU, about a minute): texts from Debian packages -> documents -> a
held-out split -> the byte-level BPE tokenizer -> token ids ready for train.py.

    python3 models/demo/recipe/prepare.py [--out models/demo/data]

Writes (OUT is git-ignored; raw text never enters the repository):
  OUT/tokenizer/tokenizer.json, tokenizer_config.json   the tokenizer both models ship with
  OUT/train.bin, OUT/heldout.bin                         uint16 token ids, documents back to back
  OUT/heldout.jsonl                                      the held-out documents as text (for Pagoda's perplexity)
  OUT/stats.json                                         documents and tokens per source
Deterministic: fixed seeds, sorted inputs; the same packages give the same bytes.
"""
import argparse
import hashlib
import json
import random
from pathlib import Path

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

import instructions
import sources

SEED = 2026
VOCAB_SIZE = 6144
BOS, END_OF_TEXT, START_HEADER, END_HEADER, EOT = (
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>")
SPECIAL_TOKENS = [BOS, END_OF_TEXT, START_HEADER, END_HEADER, EOT]
# Llama-3's pre-tokenizer split (the same string Pagoda's BpePreTokenizer.LLAMA3 and llama.cpp's "llama-bpe" use).
SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")
# Meta-Llama-3-Instruct's chat template (Pagoda's synthetic models carry the same one).
CHAT_TEMPLATE = ("{% set loop_messages = messages %}{% for message in loop_messages %}"
                 "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
                 "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
                 "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
MAX_POSITIONS = 1024
HELD_OUT_PERCENT = 2
HAND_WRITTEN_REPEATS = 40


def render_chat(messages):
    """What CHAT_TEMPLATE renders (checked against transformers' apply_chat_template in check())."""
    parts = [f"{START_HEADER}{m['role']}{END_HEADER}\n\n{m['content'].strip()}{EOT}" for m in messages]
    return BOS + "".join(parts)


def held_out(doc_id):
    return hashlib.sha1(doc_id.encode()).digest()[0] * 100 < HELD_OUT_PERCENT * 256


def raw_documents(verses, fortunes, devil, jargon):
    """(doc_id, source, text): whole KJV chapters, single fortunes and dictionary entries."""
    docs = []
    chapters = {}
    for v in verses:
        chapters.setdefault((v.book, v.chapter), []).append(v.text)
    for (book, chapter), texts in chapters.items():
        docs.append((f"kjv/{book} {chapter}", "kjv", f"{book} {chapter}\n\n" + "\n".join(texts)))
    for i, f in enumerate(fortunes):
        docs.append((f"fortune/{f.category}/{i}", "fortunes", f.text))
    for e in devil:
        docs.append((f"devil/{e.headword}", "devil", e.text))
    for e in jargon:
        docs.append((f"jargon/{e.headword}", "jargon", instructions.clean_jargon(e.text)))
    return docs


def chat_turns(rng, verses, fortunes, devil, jargon, synsets, index):
    """(doc_id, source, messages) before the train/held-out split."""
    out = []
    for source, turns in (("chat-wordnet", instructions.wordnet_turns(rng, synsets, index)),
                          ("chat-kjv", instructions.bible_turns(rng, verses, 12000)),
                          ("chat-fortunes", instructions.fortune_turns(rng, fortunes)),
                          ("chat-devil", instructions.devil_turns(rng, devil)),
                          ("chat-jargon", instructions.jargon_turns(rng, jargon))):
        out += [(doc_id, source, m) for doc_id, m in turns]
    return out


def build_tokenizer(texts):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE - len(SPECIAL_TOKENS), min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    if tok.get_vocab_size() != VOCAB_SIZE - len(SPECIAL_TOKENS):
        raise SystemExit(f"BPE learned {tok.get_vocab_size()} tokens, wanted {VOCAB_SIZE - len(SPECIAL_TOKENS)}")
    # special tokens after the BPE vocabulary, as Llama-3 has them
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIAL_TOKENS])
    bos = tok.token_to_id(BOS)
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS}:1 $B:1", special_tokens=[(BOS, bos)])])
    return tok


def tokenizer_config(tok):
    return {
        "added_tokens_decoder": {str(tok.token_to_id(s)): {"content": s, "lstrip": False, "normalized": False,
                                                            "rstrip": False, "single_word": False, "special": True}
                                 for s in SPECIAL_TOKENS},
        "bos_token": BOS,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": EOT,
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": MAX_POSITIONS,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "data"))
    a = p.parse_args()
    out = Path(a.out)
    (out / "tokenizer").mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)

    verses, fortunes = sources.kjv_verses(), sources.fortunes()
    devil, jargon = sources.dict_entries("devil"), sources.dict_entries("jargon")
    synsets, index = sources.wordnet()

    raw = raw_documents(verses, fortunes, devil, jargon)
    turns = chat_turns(rng, verses, fortunes, devil, jargon, synsets, index)
    train_turns = [(d, s, m) for d, s, m in turns if not held_out(d)]
    held_turns = [(d, s, m) for d, s, m in turns if held_out(d)]
    # system prompts and multi-turn chats within each split, so no held-out turn leaks into training
    chats = {}
    for split, group in (("train", train_turns), ("heldout", held_turns)):
        by_source = {}
        for d, s, m in group:
            by_source.setdefault(s, []).append((d, m))
        chats[split] = [(d, s, m) for s, ts in by_source.items() for d, m in instructions.decorate(rng, ts)]
    hand = [(d, "chat-hand-written", m) for d, m in instructions.hand_written(rng, HAND_WRITTEN_REPEATS)]
    chats["train"] += hand  # repeated on purpose; never held out (the held-out copies would be seen)

    docs = {"train": [], "heldout": []}
    for d, s, text in raw:
        docs["heldout" if held_out(d) else "train"].append((d, s, "raw", text))
    for split in ("train", "heldout"):
        docs[split] += [(d, s, "chat", m) for d, s, m in chats[split]]

    def tokenizer_texts():
        for d, s, kind, x in docs["train"]:
            if kind == "raw":
                yield x
            else:
                yield "\n".join(f"{m['role']}\n\n{m['content']}" for m in x)

    tok = build_tokenizer(tokenizer_texts())
    tok.save(str(out / "tokenizer" / "tokenizer.json"))
    (out / "tokenizer" / "tokenizer_config.json").write_text(json.dumps(tokenizer_config(tok), indent=2) + "\n")
    bos, eot_text = tok.token_to_id(BOS), tok.token_to_id(END_OF_TEXT)

    stats = {"seed": SEED, "vocab_size": VOCAB_SIZE, "sources": {}}
    for split in ("train", "heldout"):
        rng.shuffle(docs[split])
        texts = [render_chat(x) if kind == "chat" else x for d, s, kind, x in docs[split]]
        encoded = tok.encode_batch(texts, add_special_tokens=False)
        ids = []
        for (d, s, kind, x), e in zip(docs[split], encoded):
            seq = e.ids if kind == "chat" else [bos] + e.ids + [eot_text]
            ids += seq
            st = stats["sources"].setdefault(s, {}).setdefault(split, {"documents": 0, "tokens": 0})
            st["documents"] += 1
            st["tokens"] += len(seq)
        np.asarray(ids, dtype=np.uint16).tofile(out / f"{split}.bin")
        stats[f"{split}_tokens"] = len(ids)
        if split == "heldout":
            with open(out / "heldout.jsonl", "w") as f:
                for (d, s, kind, x), text in zip(docs[split], texts):
                    f.write(json.dumps({"id": d, "source": s, "text": text}) + "\n")
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps({k: v for k, v in stats.items() if k != "sources"}))
    for s, v in sorted(stats["sources"].items()):
        print(f"  {s:18s} " + "  ".join(f"{k}: {x['documents']} docs {x['tokens']} tokens" for k, x in v.items()))


if __name__ == "__main__":
    main()
