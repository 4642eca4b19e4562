#!/usr/bin/env bash
# Benchmark `slsa-aibom-verify model` on a real ~1 GB release: the demo job
# retrained with two 16384-wide hidden layers (about 1.07 GB of f32
# weights) on its first 300 rows for one epoch, signed with testdata's key.
# The peer is `sha256sum` over the same model files in the same session:
# the cost of just reading and hashing them once, on one core.
# Usage: scripts/bench-verify-model.sh [RUNS]   (prints medians and ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked -q -p slsa-aibom-builder -p slsa-aibom-verify
work=${BENCH_DIR:-$(mktemp -d)}; mkdir -p "$work"
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT
if [ ! -f "$work/out/model.sig" ]; then
  rm -rf "$work/job" && cp -r examples/demo "$work/job"
  head -n 301 examples/demo/data/transactions.csv > "$work/job/data/transactions.csv"
  sed -i -e '/^croissant = /d' -e 's/^hidden = .*/hidden = [16384, 16384]/' \
    -e 's/^epochs = .*/epochs = 1/' "$work/job/job.toml"
  echo "training the 1 GB model (one-off)..."
  target/release/slsa-aibom-build build "$work/job/job.toml" --out "$work/out" \
    --key testdata/keyed/key.pem -q
fi
du -sh "$work/out/model"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f\n", e - s}'; }
ours=(); peer=()
for _ in $(seq "$runs"); do
  ours+=("$(time_of target/release/slsa-aibom-verify model "$work/out/model" --key testdata/keyed/key.pub)")
  peer+=("$(time_of sha256sum "$work/out/model"/*)")
done
o=$(printf '%s\n' "${ours[@]}" | median); p=$(printf '%s\n' "${peer[@]}" | median)
echo "verify model (provenance + ML-BOM + model signature over 1 GB): median ${o}s of $runs"
echo "sha256sum over the same files (peer):                        median ${p}s of $runs"
echo "ratio ours/peer: $(awk -v o="$o" -v p="$p" 'BEGIN {printf "%.2f", o / p}')"
