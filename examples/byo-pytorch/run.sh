#!/usr/bin/env bash
# Train the PyTorch example through the command tier, sign it with a fresh
# local key and verify it: bash examples/byo-pytorch/run.sh OUT
# (examples/command-tier.sh says where the binaries and wheels come from;
# the wheels are about 4 GB and the environment about 7 GB, so the test
# command does not run it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../command-tier.sh" run "$here" "${1:?usage: run.sh OUT}"
