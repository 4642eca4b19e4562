#!/usr/bin/env python3
"""Training throughput of slsa-aibom-build against Keras (tensorflow-cpu) and
scikit-learn on the same jobs, side by side in one session, plus the share of
attestation work in a build.

Usage (after `cargo build --release -p slsa-aibom-builder` and
`python3 -m venv .venv-bench && .venv-bench/bin/pip install tensorflow-cpu scikit-learn`):

    .venv-bench/bin/python scripts/bench-training.py [--rows 50000] [--epochs 5] [--threads 2]

Jobs (identical data, split, preprocessing, architecture, optimizer and batch):
  mlp: 13 -> 64 -> 1, binary, Adam 1e-3, batch 64 (the demo's features, more rows)
  cnn: 28x28x1 -> conv3x3(8)+pool -> conv3x3(16)+pool -> 64 -> 10, Adam 1e-3, batch 64
Rates are training rows per second inside the training loop (ours: metrics.json;
Keras: model.fit wall time; scikit-learn: fit wall time).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "target" / "release" / "slsa-aibom-build"


def mlp_data(rows, rng):
    x = rng.normal(size=(rows, 13)).astype(np.float32)
    w = rng.normal(size=13)
    y = (x @ w + rng.normal(size=rows) > 0).astype(np.int64)
    return x, y


def cnn_data(rows, rng):
    y = rng.integers(0, 10, size=rows)
    x = rng.integers(0, 40, size=(rows, 28, 28), dtype=np.uint8)
    for i, c in enumerate(y):  # a class-dependent bright bar, so there is something to learn
        x[i, 2 + 2 * c: 5 + 2 * c, 4:24] = 220
    return x, y


def write_mlp_job(d, x, y, epochs):
    cols = [f"f{i}" for i in range(13)]
    with open(d / "data.csv", "w") as f:
        f.write(",".join(cols + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.6f}" for v in row) + f",{label}\n")
    columns = ", ".join(f'{{ name = "{c}", type = "float" }}' for c in cols)
    (d / "job.toml").write_text(f"""
[metadata]
name = "bench-mlp"
version = "1"
license = "CC0-1.0"
[dataset]
name = "bench"
format = "csv"
path = "data.csv"
[dataset.definition]
label = "label"
input_shape = [13]
output_shape = [1]
columns = [{columns}, {{ name = "label", type = "category" }}]
[dataset.definition.preprocessing]
normalize = true
[model]
architecture = "mlp"
task = "binary"
hidden = [64]
[training]
epochs = {epochs}
batch_size = 64
optimizer = "adam"
learning_rate = 0.001
seed = 1
""")


def write_cnn_job(d, x, y, epochs):
    def idx(path, arr):
        with open(path, "wb") as f:
            f.write(bytes([0, 0, 8, arr.ndim]))
            for n in arr.shape:
                f.write(int(n).to_bytes(4, "big"))
            f.write(arr.astype(np.uint8).tobytes())
    idx(d / "images.idx", x)
    idx(d / "labels.idx", y)
    (d / "job.toml").write_text(f"""
[metadata]
name = "bench-cnn"
version = "1"
license = "CC0-1.0"
[dataset]
name = "bench"
format = "idx"
path = "images.idx"
labels = "labels.idx"
[dataset.definition]
input_shape = [28, 28, 1]
output_shape = [10]
[dataset.definition.preprocessing]
scale = 0.00392156862745098
[model]
architecture = "cnn"
task = "multiclass"
conv = [8, 16]
hidden = [64]
[training]
epochs = {epochs}
batch_size = 64
optimizer = "adam"
learning_rate = 0.001
seed = 1
""")


def ours(d, threads):
    out = d / "out"
    t0 = time.perf_counter()
    run = subprocess.run([str(BUILD), "build", str(d / "job.toml"), "--out", str(out), "--force",
                          "--threads", str(threads)], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = json.loads((out / "metrics.json").read_text())
    attest = next(l for l in run.stdout.splitlines() if l.startswith("attestations:"))
    return m["timing"]["rows_per_second"], m["timing"]["training_seconds"], wall, attest


def keras_mlp(x, y, epochs):
    import tensorflow as tf
    tf.keras.utils.set_random_seed(1)
    xs = (x - x.mean(0)) / x.std(0)
    model = tf.keras.Sequential([tf.keras.Input((13,)), tf.keras.layers.Dense(64, activation="relu"),
                                 tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                  loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    t0 = time.perf_counter()
    model.fit(xs, y.astype(np.float32), batch_size=64, epochs=epochs, verbose=0, shuffle=True)
    return len(x) * epochs / (time.perf_counter() - t0)


def keras_cnn(x, y, epochs):
    import tensorflow as tf
    tf.keras.utils.set_random_seed(1)
    xs = (x.astype(np.float32) / 255.0)[..., None]
    L = tf.keras.layers
    model = tf.keras.Sequential([tf.keras.Input((28, 28, 1)),
                                 L.Conv2D(8, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
                                 L.Conv2D(16, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
                                 L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10)])
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    t0 = time.perf_counter()
    model.fit(xs, y, batch_size=64, epochs=epochs, verbose=0, shuffle=True)
    return len(x) * epochs / (time.perf_counter() - t0)


def sklearn_mlp(x, y, epochs):
    from sklearn.neural_network import MLPClassifier
    xs = (x - x.mean(0)) / x.std(0)
    clf = MLPClassifier(hidden_layer_sizes=(64,), batch_size=64, max_iter=epochs, solver="adam",
                        learning_rate_init=1e-3, tol=0.0, n_iter_no_change=epochs + 1, random_state=1)
    t0 = time.perf_counter()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(xs, y)
    return len(x) * epochs / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--cnn-rows", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "mlp"
        d.mkdir()
        x, y = mlp_data(a.rows, rng)
        write_mlp_job(d, x, y, a.epochs)
        r_ours, train_s, wall, attest = ours(d, a.threads)
        r_keras = keras_mlp(x, y, a.epochs)
        r_sk = sklearn_mlp(x, y, a.epochs)
        print(f"MLP 13-64-1, {a.rows} rows x {a.epochs} epochs, batch 64, {a.threads} threads")
        print(f"  slsa-aibom-build {r_ours:>10.0f} rows/s")
        print(f"  keras (tf-cpu)   {r_keras:>10.0f} rows/s   ours/keras   = {r_ours / r_keras:.2f}x")
        print(f"  scikit-learn     {r_sk:>10.0f} rows/s   ours/sklearn = {r_ours / r_sk:.2f}x")
        print(f"  whole build {wall:.2f} s, training loop {train_s:.2f} s; {attest}")

        d = Path(tmp) / "cnn"
        d.mkdir()
        x, y = cnn_data(a.cnn_rows, rng)
        write_cnn_job(d, x, y, a.epochs)
        r_ours, train_s, wall, attest = ours(d, a.threads)
        r_keras = keras_cnn(x, y, a.epochs)
        print(f"CNN 28x28x1 conv(8,16) 64 10, {a.cnn_rows} rows x {a.epochs} epochs, batch 64")
        print(f"  slsa-aibom-build {r_ours:>10.0f} rows/s")
        print(f"  keras (tf-cpu)   {r_keras:>10.0f} rows/s   ours/keras   = {r_ours / r_keras:.2f}x")
        print(f"  whole build {wall:.2f} s, training loop {train_s:.2f} s; {attest}")


if __name__ == "__main__":
    sys.exit(main())
