#!/usr/bin/env bash
# Rebuild the release run.sh wrote to OUT and compare it byte for byte:
# bash examples/byo-sklearn/rebuild.sh OUT REBUILT
# Prints "rebuild matches: ..." (exit 0), or what differs (exit 8); then
# verifies the release with the rebuild as its reproduction.
# Binaries and wheels as in run.sh (run it first: it fills the wheel cache).
set -euo pipefail
out=$(realpath -m "${1:?usage: rebuild.sh OUT REBUILT}")
rebuilt=$(realpath -m "${2:?usage: rebuild.sh OUT REBUILT}")
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${SLSA_AIBOM_BIN:-$here/../../target/release}" && pwd)
wheels=${SLSA_AIBOM_WHEELS:-$HOME/.cache/slsa-aibom/wheels/byo-sklearn}
# The provenance records the job as job.toml, relative to the job's folder.
inputs=$(mktemp -d)
trap 'rm -rf "$inputs"' EXIT
cp -r "$here/job.toml" "$here/train.py" "$here/requirements.lock" "$here/data" "$inputs/"
ln -s "$wheels" "$inputs/wheels"
rm -rf "$rebuilt"
"$bin/slsa-aibom-build" rebuild --provenance "$out/attestations/provenance.sigstore.json" \
  --key "$out/key.pub" --inputs "$inputs" --out "$rebuilt" -q
# The rebuild is a second builder's signed release of the same files (its
# own key): with it, the release verifies as reproduced.
"$bin/slsa-aibom-verify" model "$out/model" --key "$out/key.pub" \
  --reproduction "$rebuilt/attestations/provenance.sigstore.json" \
  --reproducer-key "$rebuilt/key.pub"
