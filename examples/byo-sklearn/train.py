"""A team's own scikit-learn training script, as the command tier runs it.

Reads the declared input data/wine.csv, fits a standardised logistic
regression on a stratified 75/25 split, writes the model as plain JSON (no
pickle: nothing executes when it is loaded) into $SLSA_AIBOM_MODEL_DIR and
its test metrics into $SLSA_AIBOM_METRICS. Deterministic: one BLAS thread,
a fixed seed.
"""

import argparse
import json
import os

# One thread, so that floating-point sums happen in one order every run.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = np.loadtxt("data/wine.csv", delimiter=",", skiprows=1)
    features, labels = data[:, :-1], data[:, -1].astype(int)
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.25, random_state=args.seed, stratify=labels
    )
    scaler = StandardScaler().fit(x_train)
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(x_train), y_train)
    predicted = model.predict(scaler.transform(x_test))

    out = os.environ["SLSA_AIBOM_MODEL_DIR"]
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(
            {
                "format": "standardised multinomial logistic regression",
                "mean": scaler.mean_.tolist(),
                "scale": scaler.scale_.tolist(),
                "coef": model.coef_.tolist(),
                "intercept": model.intercept_.tolist(),
                "classes": model.classes_.tolist(),
            },
            f,
            indent=1,
            sort_keys=True,
        )
        f.write("\n")
    metrics = {
        "test": {
            "accuracy": accuracy_score(y_test, predicted),
            "f1_macro": f1_score(y_test, predicted, average="macro"),
            "rows": float(len(y_test)),
        }
    }
    with open(os.environ["SLSA_AIBOM_METRICS"], "w") as f:
        json.dump(metrics, f)
    print(f"test accuracy {metrics['test']['accuracy']:.4f} on {len(y_test)} rows")


if __name__ == "__main__":
    main()
