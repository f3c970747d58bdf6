#!/usr/bin/env python3
"""Step 3b: puts trained models where Pagoda ships them, models/demo/pagoda-demo and
models/demo/pagoda-demo-draft, with their training logs and evaluation under models/demo/training/.

    python3 models/demo/recipe/install.py WORK_DIR            # after cpu.sh WORK_DIR, or train.py runs into WORK_DIR
    python3 models/demo/recipe/install.py --device FILES_DIR  # what device.sh left under $OUT (split weights + results.tar.gz)
"""
import argparse
import hashlib
import shutil
import tarfile
import tempfile
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent
SHIPPED = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def from_device(files, work):
    """Rebuilds WORK/pagoda-demo{,-draft} from device.sh's $OUT, checking the weights' sha256."""
    with tarfile.open(files / "results.tar.gz") as t:
        t.extractall(work, filter="data")
    parts = sorted(files.glob("main.safetensors.part-*"))
    with open(work / "pagoda-demo" / "model.safetensors", "wb") as out:
        for p in parts:
            out.write(p.read_bytes())
    shutil.copy(files / "draft.safetensors", work / "pagoda-demo-draft" / "model.safetensors")
    for line in (work / "sha256.txt").read_text().splitlines():
        digest, name = line.split()
        if hashlib.sha256((work / name).read_bytes()).hexdigest() != digest:
            raise SystemExit(f"{name}: sha256 differs from the GPU machine's")
    for name in ("pagoda-demo", "pagoda-demo-draft"):
        for f in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(DEMO / "data" / "tokenizer" / f, work / name / f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("source")
    p.add_argument("--device", action="store_true", help="SOURCE is device.sh's $OUT folder")
    a = p.parse_args()
    work = Path(a.source)
    if a.device:
        work = Path(tempfile.mkdtemp(prefix="pagoda-demo-"))
        from_device(Path(a.source), work)
    training = DEMO / "training"
    training.mkdir(exist_ok=True)
    for name in ("pagoda-demo", "pagoda-demo-draft"):
        target = DEMO / name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        for f in SHIPPED:
            shutil.copyfile(work / name / f, target / f)  # not the mode: safetensors writes 0600
        shutil.copy(work / name / "log.jsonl", training / f"{name}.log.jsonl")
    for f in ("eval.json", "main.log", "draft.log", "run.log"):
        if (work / f).exists():
            shutil.copy(work / f, training / f)
    total = sum(f.stat().st_size for n in ("pagoda-demo", "pagoda-demo-draft") for f in (DEMO / n).iterdir())
    print(f"installed into {DEMO}: {total / 1e6:.1f} MB in both folders")


if __name__ == "__main__":
    main()
