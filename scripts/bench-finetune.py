#!/usr/bin/env python3
"""Fine-tuning throughput, peak memory and accuracy of slsa-aibom-build
against PyTorch + Hugging Face transformers, one after another in one run,
on the fine-tuning example (examples/finetune-text: all-MiniLM-L6-v2 and
VADER's lexicon).

Usage (after `bash examples/finetune-text/run.sh OUT`, which caches the base
model and the data, and with a venv outside the repository that has torch
and transformers: `python3 -m venv ../venv-bench && ../venv-bench/bin/pip
install torch transformers`):

    ../venv-bench/bin/python scripts/bench-finetune.py [--threads 2] [--epochs 1]

Both trainers get the same base model, the same records and the same fixed
split (every fifth record validates), batch 32, max_length 16 with padding
to each batch's longest row, AdamW (lr 5e-5, betas 0.9/0.999, eps 1e-8, no
weight decay), one output with binary cross-entropy, dropout 0.1 before the
head and none inside the encoder (candle's BERT layers have no dropout, so
the peer's are set to 0), full fine-tuning. Rates are training rows per
second over the epoch loop including its validation pass (ours:
metrics.json; the peer: wall time around the same loop). Each trainer runs
in its own process; peak memory is that process's ru_maxrss.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "target" / "release" / "slsa-aibom-build"
CACHE = Path(os.environ.get("SLSA_AIBOM_CACHE", Path.home() / ".cache" / "slsa-aibom")) / "finetune-text" / "work"


def run_child(cmd):
    """Run a process; its stdout and peak RSS in MiB (wait4 on the process)."""
    with tempfile.TemporaryFile("w+") as errf:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, text=True)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        errf.seek(0)
        err = errf.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} failed:\n{err[-3000:]}")
    return out, usage.ru_maxrss / 1024


def records():
    rows = [json.loads(l) for l in (CACHE / "data" / "vader.jsonl").read_text().splitlines() if l.strip()]
    for i, r in enumerate(rows):
        r["split"] = "validation" if i % 5 == 0 else "train"
    return rows


def ours(work, threads, epochs):
    job = (ROOT / "examples" / "finetune-text" / "job.toml").read_text()
    job = job.replace('path = "base"', f'path = "{CACHE / "base"}"')
    job = job.replace('path = "data/vader.jsonl"', 'path = "data.jsonl"')
    job = job.replace('key = "id"', 'key = "id"\nsplit_column = "split"')
    job = job.replace("validation_split = 0.1\n", "").replace("test_split = 0.1\n", "")
    job = job.replace("epochs = 1", f"epochs = {epochs}")
    (work / "job.toml").write_text(job)
    stdout, rss = run_child([str(BUILD), "build", str(work / "job.toml"), "--out", str(work / "out"),
                             "--force", "--threads", str(threads)])
    m = json.loads((work / "out" / "metrics.json").read_text())
    attest = next((l for l in stdout.splitlines() if l.startswith("attestations:")), "")
    return dict(rate=m["timing"]["rows_per_second"], rss=rss, accuracy=m["validation"]["accuracy"],
                seconds=m["timing"]["training_seconds"], attest=attest.split(" — ")[0])


def peer(work, threads, epochs):
    stdout, rss = run_child([sys.executable, __file__, "--peer", str(work), "--threads", str(threads),
                             "--epochs", str(epochs)])
    return dict(json.loads(stdout), rss=rss)


def peer_main(work, threads, epochs):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(threads)
    torch.manual_seed(7)
    base = str(CACHE / "base")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=1, problem_type="multi_label_classification",
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, classifier_dropout=0.1)
    rows = [json.loads(l) for l in (work / "data.jsonl").read_text().splitlines()]
    train = [r for r in rows if r["split"] == "train"]
    val = [r for r in rows if r["split"] == "validation"]
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def batch(rs):
        enc = tokenizer([r["text"] for r in rs], padding=True, truncation=True, max_length=16, return_tensors="pt")
        y = torch.tensor([[1.0 if r["label"] == "positive" else 0.0] for r in rs])
        return enc, y

    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train)).tolist()
        for i in range(0, len(train), 32):
            enc, y = batch([train[j] for j in order[i:i + 32]])
            loss = loss_fn(model(**enc).logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(val), 32):
                enc, y = batch(val[i:i + 32])
                correct += ((model(**enc).logits >= 0).float() == y).sum().item()
    seconds = time.perf_counter() - started
    print(json.dumps(dict(rate=len(train) * epochs / seconds, accuracy=correct / len(val), seconds=seconds)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--peer")
    a = ap.parse_args()
    if a.peer:
        return peer_main(Path(a.peer), a.threads, a.epochs)
    if not (CACHE / "base").is_dir():
        sys.exit(f"{CACHE} is missing: run examples/finetune-text/run.sh OUT first")
    import torch
    import transformers
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        (work / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records()))
        a_ours = ours(work, a.threads, a.epochs)
        a_peer = peer(work, a.threads, a.epochs)
    print(f"fine-tuning all-MiniLM-L6-v2 on VADER ({a.epochs} epoch(s), {a.threads} threads)")
    print(f"{'trainer':<34} {'rows/s':>8} {'seconds':>8} {'peak MiB':>9} {'val acc':>8}")
    for name, r in [("slsa-aibom-build (candle)", a_ours),
                    (f"PyTorch {torch.__version__} + transformers {transformers.__version__}", a_peer)]:
        print(f"{name:<34} {r['rate']:>8.1f} {r['seconds']:>8.2f} {r['rss']:>9.0f} {r['accuracy']:>8.4f}")
    print(f"ours / PyTorch throughput: {a_ours['rate'] / a_peer['rate']:.2f}x")
    print(a_ours["attest"])


if __name__ == "__main__":
    main()
