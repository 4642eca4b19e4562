#!/usr/bin/env bash
# The main job, offline, on a fresh machine: build the verifier and check the
# project's own signed fixtures (testdata/keyed: SLSA v1 provenance and an
# OpenSSF model signature, signed with a local test key), then show that a
# tampered model is caught. Until the builder lands, these fixtures stand in
# for its output (scripts/make-testdata.py made them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p slsa-aibom-verify
v=target/release/slsa-aibom-verify
d=testdata/keyed
builder=https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1

echo "### 1. SLSA provenance for $d/artifact.bin"
"$v" verify-bundle --bundle "$d/provenance.sigstore.json" --key "$d/key.pub" --builder-id "$builder" "$d/artifact.bin"

echo; echo "### 2. OpenSSF model signature over $d/model/"
"$v" verify-bundle --bundle "$d/model.sig" --key "$d/key.pub" "$d/model"

echo; echo "### 3. The same model with one weight byte changed (must fail with exit 5)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r "$d/model" "$tmp/model"
printf '\x01' | dd of="$tmp/model/weights/model.safetensors" bs=1 seek=7 conv=notrunc status=none
set +e
"$v" verify-bundle --bundle "$d/model.sig" --key "$d/key.pub" "$tmp/model"
code=$?
set -e
[ "$code" -eq 5 ] || { echo "expected exit 5 (digest), got $code" >&2; exit 1; }
echo; echo "demo: both signatures verified and the tampered model was rejected (exit $code)"
