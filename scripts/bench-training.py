#!/usr/bin/env python3
"""Training throughput and peak memory of slsa-aibom-build against PyTorch and
Keras (tensorflow-cpu) on the same jobs, one after another in one run.

Usage (after `cargo build --release -p slsa-aibom-builder`, with a venv
outside the repository: `python3 -m venv ../venv-bench &&
../venv-bench/bin/pip install torch tensorflow-cpu scikit-learn`):

    ../venv-bench/bin/python scripts/bench-training.py [--threads 2] [--jobs mlp-small,mlp-wide,...]
    ../venv-bench/bin/python scripts/bench-training.py --accuracy [--seeds 5]

Throughput jobs (synthetic data; identical data, architecture, Glorot-uniform
initialisation, zero biases, Adam 1e-3, batch and epochs for every trainer):
  mlp-small  13 -> 64 -> 1, binary, 50,000 rows, batch 64
  mlp-wide   784 -> 512 -> 512 -> 10, 60,000 rows, batch 128
  cnn-mnist  28x28x1, conv3x3(32)+pool, conv3x3(64)+pool, 128, 10; 10,000 images, batch 64
  cnn-small  28x28x1, conv3x3(8)+pool, conv3x3(16)+pool, 64, 10; 10,000 images, batch 64
Rates are training rows per second inside the training loop (ours:
metrics.json; the peers: wall time around their loop / fit). Each trainer
runs in its own process; its peak resident memory is that process's
ru_maxrss.

Accuracy jobs (--accuracy) use the datasets scikit-learn ships (breast
cancer, wine, digits as an MLP and as an 8x8 CNN, diabetes), the same
stratified split per seed for every trainer, and report the test metric's mean
and spread over the seeds.
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
VERIFY = ROOT / "target" / "release" / "slsa-aibom-verify"

# name -> (kind, shape args, rows, epochs, batch)
# The least accuracy a job of JOBS must reach under --determinism (held-out
# when the job has a test split, else the last epoch's on the training rows;
# the synthetic data has a signal to learn).
MIN_ACCURACY = 0.8

JOBS = {
    "mlp-small": dict(arch="mlp", inp=13, hidden=[64], classes=1, rows=50000, epochs=3, batch=64),
    "mlp-wide": dict(arch="mlp", inp=784, hidden=[512, 512], classes=10, rows=60000, epochs=1, batch=128),
    "cnn-mnist": dict(arch="cnn", conv=[32, 64], hidden=[128], classes=10, rows=10000, epochs=1, batch=64),
    "cnn-small": dict(arch="cnn", conv=[8, 16], hidden=[64], classes=10, rows=10000, epochs=2, batch=64),
}


# ---------------------------------------------------------------- data


def synthetic(job, rng):
    n, k = job["rows"], job["classes"]
    if job["arch"] == "mlp" and k == 1:
        x = rng.normal(size=(n, job["inp"])).astype(np.float32)
        y = (x @ rng.normal(size=job["inp"]) + rng.normal(size=n) > 0).astype(np.int64)
        return x, y
    y = rng.integers(0, k, size=n)
    x = rng.integers(0, 40, size=(n, 28, 28), dtype=np.uint8)
    for i, c in enumerate(y):  # a class-dependent bright bar, so there is something to learn
        x[i, 2 + 2 * c: 5 + 2 * c, 4:24] = 220
    return x, y


def write_idx(path, arr):
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, arr.ndim]))
        for n in arr.shape:
            f.write(int(n).to_bytes(4, "big"))
        f.write(arr.astype(np.uint8).tobytes())


def write_csv(path, x, y, names, fold=None):
    with open(path, "w") as f:
        f.write(",".join(names + ["label"] + (["split"] if fold is not None else [])) + "\n")
        for i, (row, label) in enumerate(zip(x, y)):
            extra = f",{fold[i]}" if fold is not None else ""
            f.write(",".join(f"{v:.8g}" for v in row) + f",{label}{extra}\n")


def job_toml(d, job, seed=1, split_column=False):
    """Write our job file for `job` whose data is already in `d`."""
    k = job["classes"]
    task = job.get("task") or ("binary" if k == 1 else "multiclass")
    if (d / "data.csv").exists():
        names = [f"f{i}" for i in range(job["inp"])]
        cols = ", ".join(f'{{ name = "{c}", type = "float" }}' for c in names)
        label_type = "float" if task == "regression" else "category"
        split = ', { name = "split", type = "ignore" }' if split_column else ""
        data = f"""format = "csv"
path = "data.csv"
[dataset.definition]
label = "label"
{'split_column = "split"' if split_column else ""}
input_shape = {job.get("shape", [job["inp"]])}
output_shape = [{k}]
columns = [{cols}, {{ name = "label", type = "{label_type}" }}{split}]
[dataset.definition.preprocessing]
normalize = true"""
    else:
        shape = "[28, 28, 1]" if job["arch"] == "cnn" else "[784]"
        data = f"""format = "idx"
path = "images.idx"
labels = "labels.idx"
[dataset.definition]
input_shape = {job.get("shape", shape)}
output_shape = [{k}]
[dataset.definition.preprocessing]
scale = {1 / 255}"""
    conv = f"conv = {job['conv']}" if job["arch"] == "cnn" else ""
    (d / "job.toml").write_text(f"""
[metadata]
name = "bench"
version = "1"
license = "CC0-1.0"
[dataset]
name = "bench"
{data}
[model]
architecture = "{job["arch"]}"
task = "{task}"
hidden = {job["hidden"]}
{conv}
[training]
epochs = {job["epochs"]}
batch_size = {job["batch"]}
optimizer = "adam"
learning_rate = 0.001
seed = {seed}
""")


def prepare(d, job, x, y):
    """Our input files and the peers' npy files, scaled as ours will scale them."""
    if x.dtype == np.uint8:
        write_idx(d / "images.idx", x)
        write_idx(d / "labels.idx", y)
        xs = x.astype(np.float32) / 255.0
        xs = xs[..., None] if job["arch"] == "cnn" else xs.reshape(len(x), -1)
    else:
        write_csv(d / "data.csv", x, y, [f"f{i}" for i in range(x.shape[1])])
        xs = x
    np.save(d / "x.npy", xs.astype(np.float32))
    np.save(d / "y.npy", y)


# ---------------------------------------------------------------- runs


def run_child(cmd, env=None):
    """Run a process; return its stdout and its peak RSS in MiB (wait4 on the process itself)."""
    with tempfile.TemporaryFile("w+") as errf:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, text=True, env=env)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        errf.seek(0)
        err = errf.read()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({p.returncode}):\n{err[-3000:]}")
    return out, usage.ru_maxrss / 1024


def ours(d, threads, device="cpu", out_name="out"):
    out = d / out_name
    stdout, rss = run_child([str(BUILD), "build", str(d / "job.toml"), "--out", str(out), "--force",
                             "--threads", str(threads), "--device", device])
    m = json.loads((out / "metrics.json").read_text())
    attest = next((l for l in stdout.splitlines() if l.startswith("attestations:")), "")
    weights = (out / "model" / "model.safetensors").read_bytes()
    import hashlib
    return dict(rate=m["timing"]["rows_per_second"], rss=rss, metrics=m, attest=attest.split(" — ")[0],
                out=out, weights=hashlib.sha256(weights).hexdigest())


def verify(out):
    """Our verifier on a release `ours` wrote: exit 0 and VERIFIED, else the reason."""
    p = subprocess.run([str(VERIFY), "model", str(out / "model"), "--key", str(out / "key.pub")],
                       capture_output=True, text=True)
    first = (p.stdout.splitlines() or [""])[0]
    return "verified" if p.returncode == 0 and first.startswith("VERIFIED") else f"FAILED ({p.returncode}): {first}"


def peer(name, d, job, threads, seed=1, device="cpu"):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), TF_CPP_MIN_LOG_LEVEL="3",
               TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS="1")
    stdout, rss = run_child([sys.executable, __file__, "--peer", name, "--dir", str(d), "--job-json",
                             json.dumps(job), "--threads", str(threads), "--seed", str(seed),
                             "--device", device], env=env)
    r = json.loads(stdout.strip().splitlines()[-1])
    r["rss"] = rss
    return r


# ---------------------------------------------------------------- peers (run in a child process)


def torch_peer(d, job, threads, seed, device="cpu"):
    import torch
    from torch import nn
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(seed)
    x, y = np.load(d / "x.npy"), np.load(d / "y.npy")
    tr, te = split_indices(d, len(x))
    layers, width = [], None
    if job["arch"] == "cnn":
        c, (h, w) = x.shape[-1], x.shape[1:3]
        for co in job["conv"]:
            layers += [nn.Conv2d(c, co, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c, h, w = co, h // 2, w // 2
        layers.append(nn.Flatten())
        width = c * h * w
        x = np.transpose(x, (0, 3, 1, 2)).copy()
    else:
        width = x.shape[1]
    for hdn in job["hidden"]:
        layers += [nn.Linear(width, hdn), nn.ReLU()]
        width = hdn
    layers.append(nn.Linear(width, job["classes"]))
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    model = model.to(device)
    task = task_of(job)
    loss_fn = {"binary": nn.BCEWithLogitsLoss(), "multiclass": nn.CrossEntropyLoss(),
               "regression": nn.MSELoss()}[task]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y.astype(np.int64 if task == "multiclass" else np.float32))
    if task != "multiclass":
        yt = yt.reshape(-1, 1)
    # On a GPU the whole training split lives on the device, as ours does.
    xtr, ytr = xt[tr].to(device), yt[tr].to(device)
    g = torch.Generator().manual_seed(seed)
    if device != "cpu":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(job["epochs"]):
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), job["batch"]):
            idx = perm[i:i + job["batch"]].to(device)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
    if device != "cpu":
        torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    with torch.no_grad():
        out = model(xt[te].to(device)).cpu().numpy() if len(te) else None
    return dict(rate=len(tr) * job["epochs"] / secs, test=test_metric(task, out, y[te]))


def keras_peer(d, job, threads, seed, device="cpu"):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(seed)
    L = tf.keras.layers
    x, y = np.load(d / "x.npy"), np.load(d / "y.npy")
    tr, te = split_indices(d, len(x))
    layers = [tf.keras.Input(x.shape[1:])]
    if job["arch"] == "cnn":
        for co in job["conv"]:
            layers += [L.Conv2D(co, 3, padding="same", activation="relu"), L.MaxPooling2D(2)]
        layers.append(L.Flatten())
    layers += [L.Dense(h, activation="relu") for h in job["hidden"]]
    layers.append(L.Dense(job["classes"]))
    model = tf.keras.Sequential(layers)
    task = task_of(job)
    loss = {"binary": tf.keras.losses.BinaryCrossentropy(from_logits=True),
            "multiclass": tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "regression": tf.keras.losses.MeanSquaredError()}[task]
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss)
    yk = y.astype(np.float32) if task != "multiclass" else y
    t0 = time.perf_counter()
    model.fit(x[tr], yk[tr], batch_size=job["batch"], epochs=job["epochs"], verbose=0, shuffle=True)
    secs = time.perf_counter() - t0
    out = model.predict(x[te], verbose=0, batch_size=512) if len(te) else None
    return dict(rate=len(tr) * job["epochs"] / secs, test=test_metric(task, out, y[te]))


def task_of(job):
    return job.get("task") or ("binary" if job["classes"] == 1 else "multiclass")


def split_indices(d, n):
    """The train and test rows: ours when a split file is there, else all rows for both."""
    f = d / "split.json"
    if f.exists():
        s = json.loads(f.read_text())
        return np.array(s["train"]), np.array(s["test"])
    return np.arange(n), np.arange(0)


def test_metric(task, out, y):
    if len(y) == 0:
        return None
    if task == "regression":
        return float(np.sqrt(np.mean((out.reshape(-1) - y) ** 2)))
    pred = (out.reshape(-1) >= 0).astype(int) if task == "binary" else out.argmax(1)
    return float(np.mean(pred == y))


# ---------------------------------------------------------------- accuracy on real data


def accuracy_jobs():
    from sklearn import datasets
    bc, wine, digits, diab = (datasets.load_breast_cancer(), datasets.load_wine(),
                              datasets.load_digits(), datasets.load_diabetes())
    return {
        "breast_cancer MLP 30-32-1": (bc.data, bc.target, dict(arch="mlp", inp=30, hidden=[32], classes=1, epochs=30, batch=32)),
        "wine MLP 13-32-3": (wine.data, wine.target, dict(arch="mlp", inp=13, hidden=[32], classes=3, epochs=60, batch=16)),
        "digits MLP 64-64-10": (digits.data, digits.target, dict(arch="mlp", inp=64, hidden=[64], classes=10, epochs=30, batch=32)),
        "digits CNN 8x8 conv(8,16)-32-10": (digits.data, digits.target, dict(arch="cnn", inp=64, shape="[8, 8, 1]", conv=[8, 16], hidden=[32], classes=10, epochs=30, batch=32)),
        "diabetes MLP 10-32-1 (RMSE)": (diab.data, diab.target, dict(arch="mlp", inp=10, hidden=[32], classes=1, epochs=200, batch=32, task="regression")),
    }


def accuracy(a):
    from sklearn.model_selection import train_test_split
    rows = []
    for name, (x, y, job) in accuracy_jobs().items():
        scores = {"ours": [], "torch": [], "keras": []}
        regression = job.get("task") == "regression"
        for seed in range(1, a.seeds + 1):
            with tempfile.TemporaryDirectory() as tmp:
                d = Path(tmp)
                # One stratified 75/25 split per seed, given to every trainer:
                # ours reads it from a split column, the peers from split.json.
                idx = np.arange(len(y))
                tr, te = train_test_split(idx, test_size=0.25, random_state=seed,
                                          stratify=None if regression else y)
                fold = np.array(["train"] * len(y), dtype=object)
                fold[te] = "test"
                write_csv(d / "data.csv", x, y, [f"f{i}" for i in range(x.shape[1])], fold)
                job_toml(d, job, seed, split_column=True)
                m = ours(d, a.threads)["metrics"]["test"]
                scores["ours"].append(m["rmse"] if regression else m["accuracy"])
                mu, sd = x[tr].mean(0), x[tr].std(0)
                sd[sd == 0] = 1
                xs = ((x - mu) / sd).astype(np.float32)
                if job["arch"] == "cnn":
                    xs = xs.reshape(len(xs), 8, 8, 1)
                np.save(d / "x.npy", xs)
                np.save(d / "y.npy", y)
                (d / "split.json").write_text(json.dumps({"train": tr.tolist(), "test": te.tolist()}))
                for p in ("torch", "keras"):
                    scores[p].append(peer(p, d, job, a.threads, seed)["test"])
        rows.append((name, {k: (np.mean(v), np.std(v)) for k, v in scores.items()}))
    print(f"test metric over seeds 1..{a.seeds} (mean ± std; accuracy, or RMSE for regression)")
    for name, s in rows:
        cells = "  ".join(f"{k} {m:.4f} ± {sd:.4f}" for k, (m, sd) in s.items())
        print(f"  {name:<30} {cells}")


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--jobs", default=",".join(JOBS))
    ap.add_argument("--peers", default="torch,keras")
    ap.add_argument("--accuracy", action="store_true")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--keep", help="copy each job's folder here (for profiling)")
    ap.add_argument("--prepare")
    ap.add_argument("--peer")
    ap.add_argument("--dir")
    ap.add_argument("--job-json")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="cpu or cuda: ours and the PyTorch peer train there")
    ap.add_argument("--binary", help="the slsa-aibom-build to measure (default target/release)")
    ap.add_argument("--verifier", help="the slsa-aibom-verify to check releases with (default target/release)")
    ap.add_argument("--determinism", action="store_true",
                    help="train ours twice per job, compare the model bytes, and verify each release")
    a = ap.parse_args()
    global BUILD, VERIFY
    BUILD = Path(a.binary).resolve() if a.binary else BUILD
    VERIFY = Path(a.verifier).resolve() if a.verifier else VERIFY
    if a.prepare:
        job = JOBS[a.prepare]
        x, y = synthetic(job, np.random.default_rng(7))
        prepare(Path(a.dir), job, x, y)
        job_toml(Path(a.dir), job)
        return
    if a.peer:
        fn = {"torch": torch_peer, "keras": keras_peer}[a.peer]
        print(json.dumps(fn(Path(a.dir), json.loads(a.job_json), a.threads, a.seed, a.device)))
        return
    if a.accuracy:
        return accuracy(a)
    peers = [p for p in a.peers.split(",") if p]
    print(f"device {a.device}, {a.threads} threads each; rows/s in the training loop, peak RSS of the process")
    # With --determinism this is a check, not only a table (scripts/gpu-check.sh):
    # identical model bytes across two runs on the same device class, every
    # release verified, and the model learned (test accuracy at least MIN_ACCURACY).
    failures = []
    for name in a.jobs.split(","):
        job = JOBS[name]
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            # The data is made in a child process: a parent holding it would
            # pass its peak RSS on to every child's ru_maxrss (exec keeps it).
            subprocess.run([sys.executable, __file__, "--prepare", name, "--dir", tmp], check=True)
            if a.keep:
                subprocess.run(["cp", "-r", tmp, a.keep], check=True)
            results = {"ours": ours(d, a.threads, a.device)}
            if a.determinism:
                again = ours(d, a.threads, a.device, "out-again")
                same = "identical" if again["weights"] == results["ours"]["weights"] else "DIFFERENT"
                verdicts = [verify(results['ours']['out']), verify(again['out'])]
                checks = f"two runs: model bytes {same}; releases {verdicts[0]}, {verdicts[1]}"
                if same != "identical":
                    failures.append(f"{name}: two runs on {a.device} gave different model bytes")
                failures += [f"{name}: a release did not verify: {v}" for v in verdicts if v != "verified"]
                # The bench jobs hold no rows out (they measure throughput on
                # all of them): the last epoch's training accuracy says the
                # model learned, which is what a broken kernel would not.
                m = results["ours"]["metrics"]
                acc = m.get("test", {}).get("accuracy", (m.get("epochs") or [{}])[-1].get("accuracy"))
                if acc is None or acc < MIN_ACCURACY:
                    failures.append(f"{name}: accuracy {acc}, below {MIN_ACCURACY}")
            for p in peers:
                results[p] = peer(p, d, job, a.threads, device=a.device)
            env = json.loads((results["ours"]["out"] / "environment.json").read_text())
            energy = env.get("training_energy", {})
            gpus = ", ".join(g["name"] for g in env.get("nvml", {}).get("gpus", [])) or "no NVML"
            energy = (f"training used {energy.get('cpu_seconds', 0):.1f} CPU-s, "
                      + (f"{energy['gpu_kwh'] * 1000:.3f} Wh on the GPUs ({gpus})" if "gpu_kwh" in energy
                         else f"GPU energy not measured ({gpus})"))
        base = results["ours"]["rate"]
        line = f"{name:<10}"
        for k, r in results.items():
            line += f"  {k} {r['rate']:>9.0f} rows/s {r['rss']:>6.0f} MiB"
            if k != "ours":
                line += f" (ours/{k} {base / r['rate']:.2f}x)"
        print(line, flush=True)
        print(f"{'':<10}  ours: training loop {results['ours']['metrics']['timing']['training_seconds']:.2f} s, "
              f"{results['ours']['attest']}", flush=True)
        if a.determinism:
            print(f"{'':<10}  {checks}", flush=True)
        print(f"{'':<10}  ours: {energy}", flush=True)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures), flush=True)
        return 1
    if a.determinism:
        print("all checks passed: identical bytes per job, every release verified, accuracy at least "
              f"{MIN_ACCURACY}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
