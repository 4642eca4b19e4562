#!/usr/bin/env bash
# The dependency gate: `scripts/cargo-deny.sh check licenses bans sources`
# runs cargo-deny (pinned, built from crates.io with its own lockfile into
# .tools/, gitignored) under deny.toml. It reads only the local crates, which
# `cargo fetch` brings for every target first, unless the first argument is
# --online (the release workflow's advisory check, which fetches the
# RustSec database).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/cargo-tool.sh
source scripts/cargo-tool.sh
bin=$(cargo_tool cargo-deny 0.20.2)
mode=(--offline)
if [ "${1:-}" = --online ]; then
  mode=()
  shift
fi
cargo fetch --locked --quiet
"$bin" ${mode[@]+"${mode[@]}"} "$@"
