#!/usr/bin/env bash
# Train the scikit-learn example through the command tier, sign it with a
# fresh local key and verify it: bash examples/byo-sklearn/run.sh OUT
# (examples/command-tier.sh says where the binaries and wheels come from).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../command-tier.sh" run "$here" "${1:?usage: run.sh OUT}"
