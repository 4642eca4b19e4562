#!/usr/bin/env bash
# The main job, offline, on a fresh machine: train the shipped example job
# (examples/demo, synthetic data) with a fresh local ECDSA key, emit signed
# SLSA provenance, a CycloneDX ML-BOM and an OpenSSF model signature, verify
# them, then check them again with the standalone verifier CLI and show that
# a tampered model is rejected.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p slsa-aibom-builder -p slsa-aibom-verify
b=target/release/slsa-aibom-build
v=target/release/slsa-aibom-verify
out=demo-out

echo "### 1. Train and attest (slsa-aibom-build demo)"
"$b" demo --out "$out"

echo; echo "### 2. The provenance, checked by the verifier CLI"
"$v" verify-bundle --bundle "$out/attestations/provenance.sigstore.json" --key "$out/key.pub" \
  --builder-id https://github.com/ORG/slsa-aibom/slsa-aibom-build@v1 "$out/model/model.safetensors"

echo; echo "### 3. The model signature over $out/model/"
"$v" verify-bundle --bundle "$out/model.sig" --key "$out/key.pub" "$out/model"

echo; echo "### 4. The whole release as one unit, with its model passport"
"$v" model "$out/model" --key "$out/key.pub"

echo; echo "### 5. The same model with one weight byte changed (must fail with exit 5)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r "$out/model" "$tmp/model"
printf '\x01' | dd of="$tmp/model/model.safetensors" bs=1 seek=300 conv=notrunc status=none
set +e
"$v" verify-bundle --bundle "$out/model.sig" --key "$out/key.pub" "$tmp/model"
code=$?
set -e
[ "$code" -eq 5 ] || { echo "expected exit 5 (digest), got $code" >&2; exit 1; }
echo; echo "demo: trained, attested and verified; the tampered model was rejected (exit $code). Outputs: $out/"
