#!/usr/bin/env bash
# The dependency gate: `scripts/cargo-deny.sh check licenses bans sources`
# runs cargo-deny (pinned, built from crates.io with its own lockfile into
# .tools/, gitignored) under deny.toml. With --offline it reads only the
# local crates, which `cargo fetch` brings for every target first.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.20.2
bin=.tools/bin/cargo-deny
if [ ! -x "$bin" ] || [ "$("$bin" --version)" != "cargo-deny $version" ]; then
  cargo install --locked --quiet "cargo-deny@$version" --root .tools
fi
cargo fetch --locked --quiet
"$bin" --offline "$@"
