"""An independent forward pass for `slsa-aibom-build predict`'s test.

Usage: predict-reference.py RELEASE_DIR INPUT.csv
Prints the raw outputs of every input row as JSON: the feature columns come
from the job spec in the release's provenance, the preprocessing from
model/config.json, the weights from model/model.safetensors (NumPy only; no
code shared with the Rust trainer). MLPs only.
"""
import base64
import csv
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file

release, rows = sys.argv[1], sys.argv[2]
bundle = json.load(open(f"{release}/attestations/provenance.sigstore.json"))
statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
definition = statement["predicate"]["buildDefinition"]["externalParameters"]["spec"]["dataset"]["definition"]
skip = {definition.get("label"), definition.get("key")}
features = [c["name"] for c in definition["columns"] if c["type"] in ("float", "int") and c["name"] not in skip]
config = json.load(open(f"{release}/model/config.json"))
assert config["architecture"] == "mlp", "the reference covers MLPs"
x = np.array([[float(r[f]) for f in features] for r in csv.DictReader(open(rows))], dtype=np.float64)
p = config["preprocessing"]
if p.get("scale") is not None:
    x = x * p["scale"]
if p.get("clip") is not None:
    x = np.clip(x, *p["clip"])
if p.get("mean"):
    x = (x - np.array(p["mean"])) / np.array(p["std"])
ACTIVATIONS = {
    "relu": lambda v: np.maximum(v, 0.0),
    "gelu": lambda v: 0.5 * v * (1.0 + np.vectorize(math.erf)(v / math.sqrt(2.0))),
    "tanh": np.tanh,
    "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
}
weights = load_file(f"{release}/model/model.safetensors")
layers = len(config["hidden"]) + 1
for i in range(layers):
    x = x @ weights[f"dense.{i:02}.weight"].astype(np.float64).T + weights[f"dense.{i:02}.bias"]
    norm = f"dense.{i:02}.norm"
    if f"{norm}.weight" in weights:  # batch norm, evaluation mode (running statistics)
        x = (x - weights[f"{norm}.running_mean"]) / np.sqrt(weights[f"{norm}.running_var"].astype(np.float64) + 1e-5)
        x = x * weights[f"{norm}.weight"] + weights[f"{norm}.bias"]
    if i < layers - 1:
        x = ACTIVATIONS[config.get("activation", "relu")](x)
if config["task"] == "regression" and p.get("target"):
    x = x * p["target"][1] + p["target"][0]
print(json.dumps(x.tolist()))
