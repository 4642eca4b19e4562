#!/usr/bin/env bash
# Build the release binaries twice, from scratch, in two separate target
# directories (scripts/build-release.sh), and compare their digests. Takes
# two clean release builds (about 10 minutes each on 2 cores) and about
# 3 GB of disk, so it is not part of scripts/test.sh; its last result is in
# BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
for n in a b; do
  rm -rf "$work/target-$n"
  bash scripts/build-release.sh "$work/out-$n" "$work/target-$n" > "$work/build-$n.log" 2>&1
done
if diff "$work/out-a/SHA256SUMS" "$work/out-b/SHA256SUMS"; then
  echo "reproducible: two clean builds gave the same binaries"
  cat "$work/out-a/SHA256SUMS"
else
  echo "NOT reproducible: the two builds differ (logs and binaries in $work)" >&2
  exit 1
fi
