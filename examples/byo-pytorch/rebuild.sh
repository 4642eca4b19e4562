#!/usr/bin/env bash
# Rebuild the release run.sh wrote to OUT, compare it byte for byte ("rebuild
# matches", exit 0, or what differs, exit 8), then verify OUT with the
# rebuild as its reproduction: bash examples/byo-pytorch/rebuild.sh OUT REBUILT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../command-tier.sh" rebuild "$here" "${1:?usage: rebuild.sh OUT REBUILT}" \
  "${2:?usage: rebuild.sh OUT REBUILT}"
