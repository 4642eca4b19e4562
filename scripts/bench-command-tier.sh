#!/usr/bin/env bash
# The command tier's overhead on examples/byo-sklearn: for each of N runs,
# the command's own seconds, the setup phase (venv + pip from the wheel
# cache), what our binary spent preparing the working directory and hashing
# (overhead_seconds in command-record.json), and what it added in all, as
# `build` measures it (its wall time less the command and the setup phase:
# hashing, confinement, signing and self-verification). Usage:
# scripts/bench-command-tier.sh [N]
# (release binaries; BENCHMARKS.md, "The command tier").
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
cargo build --release --locked --quiet -p slsa-aibom-builder -p slsa-aibom-verify
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
uptime
printf '%-4s %9s %9s %13s %11s %8s\n' run command setup hash+prepare "our binary" share
for i in $(seq "$n"); do
  summary=$(SLSA_AIBOM_BIN=target/release bash examples/byo-sklearn/run.sh "$out/r$i" | head -1)
  python3 - "$out/r$i/command-record.json" "$summary" "$i" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
ours = float(re.search(r"our binary added ([0-9.]+) s", sys.argv[2]).group(1))
cmd, setup = r["command_seconds"], r["python_environment"]["setup_seconds"]
print(f"{sys.argv[3]:<4} {cmd:9.3f} {setup:9.3f} {r['overhead_seconds']:13.4f} {ours:11.3f} {100 * ours / cmd:7.1f}%")
PY
done
uptime
