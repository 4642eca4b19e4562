#!/usr/bin/env python3
"""Load a fine-tuned release's model directory with Python `transformers`
(and its LoRA adapter with PEFT) and compare the logits with
`slsa-aibom-build predict`'s. Not in the test command: it needs torch, a
7 GB wheel from PyPI (the suite checks the same outputs against NumPy,
scripts/text-model-reference.py).

Usage (a venv outside the repository with torch, transformers and peft):
    ../venv-bench/bin/python scripts/transformers-interop.py OUT ROWS.csv [--peft BASE_DIR]

OUT is a release (OUT/model, OUT/key.pub); ROWS.csv has a `text` column.
Exits 1 when any logit differs from predict's by more than 1e-4.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

ROOT = Path(__file__).resolve().parent.parent
out, rows = Path(sys.argv[1]), sys.argv[2]
model_dir = out / "model"
config = json.loads((model_dir / "config.json").read_text())
texts = [r["text"] for r in csv.DictReader(open(rows))]
predicted = json.loads(subprocess.run(
    [str(ROOT / "target/release/slsa-aibom-build"), "predict", str(model_dir), "--input", rows,
     "--key", str(out / "key.pub")], check=True, capture_output=True, text=True).stdout)
ours = torch.tensor([p["outputs"] for p in predicted])

tokenizer = AutoTokenizer.from_pretrained(model_dir)
enc = tokenizer(texts, padding=True, truncation=True, max_length=config["slsa_aibom"]["max_length"],
                return_tensors="pt")
results = {}
with torch.no_grad():
    full = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    results["transformers"] = full(**enc).logits
    if len(sys.argv) == 5 and sys.argv[3] == "--peft":
        from peft import PeftModel
        base = AutoModelForSequenceClassification.from_pretrained(sys.argv[4], num_labels=ours.shape[1])
        results["PEFT on the base"] = PeftModel.from_pretrained(base, model_dir / "adapter").eval()(**enc).logits
worst = 0.0
for name, logits in results.items():
    diff = (logits - ours).abs().max().item()
    worst = max(worst, diff)
    print(f"{name}: largest difference from predict {diff:.2e} over {len(texts)} rows")
sys.exit(0 if worst <= 1e-4 else 1)
