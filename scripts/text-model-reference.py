"""An independent forward pass for fine-tuned text models (NumPy, and the
Python `tokenizers` package on the model's own tokenizer.json; no code
shared with the Rust trainer).

Usage:
  text-model-reference.py MODEL_DIR INPUT.csv
      logits of the Hugging Face directory MODEL_DIR (config.json,
      model.safetensors, tokenizer.json) for the CSV's text column
  text-model-reference.py MODEL_DIR INPUT.csv --peft BASE_DIR
      the same, with PEFT's semantics: the base model's encoder from
      BASE_DIR, the LoRA update (lora_alpha / r)·B·A and the head from
      MODEL_DIR/adapter/

Prints the logits of every row as JSON. The text column and max_length come
from config.json's slsa_aibom block; padding is to the longest row.
"""
import csv
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

model_dir, rows = sys.argv[1], sys.argv[2]
config = json.load(open(f"{model_dir}/config.json"))
ours = config["slsa_aibom"]
weights = {k.removeprefix("bert."): v.astype(np.float64) for k, v in load_file(f"{model_dir}/model.safetensors").items()}
if len(sys.argv) == 5 and sys.argv[3] == "--peft":
    base = load_file(f"{sys.argv[4]}/model.safetensors")
    base = {k.removeprefix("bert."): v.astype(np.float64) for k, v in base.items()}
    adapter_config = json.load(open(f"{model_dir}/adapter/adapter_config.json"))
    adapter = load_file(f"{model_dir}/adapter/adapter_model.safetensors")
    scale = adapter_config["lora_alpha"] / adapter_config["r"]
    for name, a in adapter.items():
        name = name.removeprefix("base_model.model.")
        if name.startswith("classifier."):
            base[name] = a.astype(np.float64)
        elif name.endswith(".lora_A.weight"):
            target = name.removeprefix("bert.").replace(".lora_A.weight", ".weight")
            b = adapter[f"base_model.model.{name.replace('lora_A', 'lora_B')}"]
            base[target] = base[target] + scale * (b.astype(np.float64) @ a.astype(np.float64))
    weights = base

tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tokenizer.no_padding()
tokenizer.enable_truncation(ours["max_length"])
texts = [r["text"] for r in csv.DictReader(open(rows))]
ids = [tokenizer.encode(t).ids for t in texts]
length = max(len(i) for i in ids)
mask = np.array([[1.0] * len(i) + [0.0] * (length - len(i)) for i in ids])
ids = np.array([i + [config["pad_token_id"]] * (length - len(i)) for i in ids])

h, heads = config["hidden_size"], config["num_attention_heads"]
d = h // heads
eps = config["layer_norm_eps"]
w = weights


def linear(x, name):
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def norm(x, name):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[f"{name}.weight"] + w[f"{name}.bias"]


erf = np.vectorize(math.erf)
x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length] + w["embeddings.token_type_embeddings.weight"][0]
x = norm(x, "embeddings.LayerNorm")
additive = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
for layer in range(config["num_hidden_layers"]):
    p = f"encoder.layer.{layer}"
    split = lambda t: t.reshape(t.shape[0], length, heads, d).transpose(0, 2, 1, 3)
    q, k, v = (split(linear(x, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + additive
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    probs = scores / scores.sum(-1, keepdims=True)
    context = (probs @ v).transpose(0, 2, 1, 3).reshape(x.shape[0], length, h)
    x = norm(linear(context, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
    inner = linear(x, f"{p}.intermediate.dense")
    inner = 0.5 * inner * (1.0 + erf(inner / math.sqrt(2.0)))
    x = norm(linear(inner, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
if ours["pooling"] == "mean":
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
else:
    pooled = np.tanh(linear(x[:, 0], "pooler.dense"))
print(json.dumps(linear(pooled, "classifier").tolist()))
