#!/usr/bin/env bash
# Regenerate testdata/release: one keyed release of the shipped demo job, all
# of it (model/, attestations/, model.sig, key.pub, intoto/ and every byproduct
# the provenance names: aibom.cdx.json, metrics.json, ...), which the
# verifier's CLI tests (model, vsa, intoto) read. Run after a change to the
# builder's output formats.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked -q -p slsa-aibom-builder
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
target/debug/slsa-aibom-build demo --out "$tmp/out" -q
rm -rf testdata/release && mkdir -p testdata/release
cp -r "$tmp/out/." testdata/release/
chmod -R u+rwX,go+rX testdata/release
