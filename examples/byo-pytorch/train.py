"""A team's own PyTorch training script, as the command tier runs it.

Reads the declared input data/digits.csv (scikit-learn's 8x8 handwritten
digits), trains a small CNN on a stratified 80/20 split with AdamW, and
writes the weights as safetensors (no pickle: nothing executes when they
are loaded) into $SLSA_AIBOM_MODEL_DIR, its test metrics and per-epoch
curve into $SLSA_AIBOM_METRICS. On the CPU it is deterministic: a fixed
seed, deterministic algorithms, a fixed number of threads; on a GPU, cuDNN
is held to its deterministic kernels, which is not proof of bit-identity
across devices.
"""

import argparse
import json
import os
import struct

import numpy as np
import torch
from torch import nn


class Net(nn.Module):
    """Two 3x3 convolutions, a 2x2 max-pool, two dense layers."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 4 * 4, 128), nn.ReLU(), nn.Linear(128, 10)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def split(labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified 80/20 split, from the seed alone."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        cut = int(round(len(rows) * 0.8))
        train.extend(rows[:cut])
        test.extend(rows[cut:])
    return np.array(sorted(train)), np.array(sorted(test))


def save_safetensors(path: str, tensors: dict[str, torch.Tensor]) -> None:
    """The safetensors format: a little-endian u64 header length, a JSON
    header (names sorted, offsets in bytes), then the raw data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    data = np.loadtxt("data/digits.csv", delimiter=",", skiprows=1, dtype=np.float32)
    images = torch.from_numpy(data[:, :-1] / 16.0).reshape(-1, 1, 8, 8)
    labels = torch.from_numpy(data[:, -1].astype(np.int64))
    train, test = split(labels.numpy(), args.seed)
    x_train, y_train = images[train].to(device), labels[train].to(device)
    x_test, y_test = images[test].to(device), labels[test].to(device)

    model = Net().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(args.seed)
    curve = []
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(x_train), generator=order).split(32):
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        curve.append(total / len(x_train))

    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        test_loss = loss_fn(logits, y_test).item()
        predicted = logits.argmax(1)
    accuracy = (predicted == y_test).float().mean().item()
    recalls = [
        ((predicted == d) & (y_test == d)).sum().item() / max((y_test == d).sum().item(), 1)
        for d in range(10)
    ]

    save_safetensors(
        os.path.join(os.environ["SLSA_AIBOM_MODEL_DIR"], "model.safetensors"),
        model.state_dict(),
    )
    metrics = {
        "test": {
            "accuracy": accuracy,
            "loss": test_loss,
            "balanced_accuracy": sum(recalls) / 10,
            "rows": float(len(y_test)),
        },
        "curves": {"train_loss": curve},
    }
    with open(os.environ["SLSA_AIBOM_METRICS"], "w") as f:
        json.dump(metrics, f)
    print(f"{device}: test accuracy {accuracy:.4f} on {len(y_test)} rows after {args.epochs} epochs")


if __name__ == "__main__":
    main()
