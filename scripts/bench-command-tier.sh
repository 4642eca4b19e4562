#!/usr/bin/env bash
# The command tier's overhead on a command-tier example (byo-sklearn by
# default, or byo-pytorch): for each of N runs, the command's own seconds,
# the setup phase (venv + pip from the wheel cache) and removing the
# environment afterwards, what our binary spent preparing the working
# directory and hashing (overhead_seconds in command-record.json), and what
# it added in all, as `build` measures it (its wall time less the command,
# the setup phase and the removal: hashing, confinement, signing and
# self-verification). Usage:
# scripts/bench-command-tier.sh [N] [EXAMPLE]
# (release binaries; BENCHMARKS.md, "The command tier").
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
example=${2:-byo-sklearn}
cargo build --release --locked --quiet -p slsa-aibom-builder -p slsa-aibom-verify
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
uptime
printf '%-4s %9s %9s %9s %13s %11s %8s\n' run command setup teardown hash+prepare "our binary" share
for i in $(seq "$n"); do
  summary=$(SLSA_AIBOM_BIN=target/release bash "examples/$example/run.sh" "$out/r$i" | head -1)
  python3 - "$out/r$i/command-record.json" "$summary" "$i" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
ours = float(re.search(r"our binary added ([0-9.]+) s", sys.argv[2]).group(1))
env = r["python_environment"]
cmd, setup, teardown = r["command_seconds"], env["setup_seconds"], env["teardown_seconds"]
print(f"{sys.argv[3]:<4} {cmd:9.3f} {setup:9.3f} {teardown:9.3f} {r['overhead_seconds']:13.4f} {ours:11.3f} {100 * ours / cmd:7.1f}%")
PY
done
uptime
