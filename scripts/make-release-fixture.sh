#!/usr/bin/env bash
# Regenerate testdata/release: one keyed release of the shipped demo job
# (model/, attestations/, model.sig, aibom.cdx.json, key.pub, intoto/), which the
# verifier's CLI tests (model, vsa, intoto) read. Run after a change to the
# builder's output formats.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p slsa-aibom-builder
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
target/release/slsa-aibom-build demo --out "$tmp/out" -q
rm -rf testdata/release && mkdir -p testdata/release
cp -r "$tmp/out/model" "$tmp/out/attestations" "$tmp/out/model.sig" \
  "$tmp/out/aibom.cdx.json" "$tmp/out/key.pub" "$tmp/out/intoto" testdata/release/
chmod 644 testdata/release/model/*
