#!/usr/bin/env bash
# Sourced by the scripts that run a pinned cargo subcommand:
#
#   cargo_tool NAME VERSION   ->  prints the path of .tools/bin/NAME
#
# installed from crates.io with its own lockfile (--locked) into .tools/
# (gitignored) when it is not there at VERSION.
cargo_tool() {
  local name=$1 version=$2
  local bin=.tools/bin/$name
  # cargo install records what it installed in .tools/.crates.toml.
  if [ ! -x "$bin" ] || ! grep -qF "\"$name $version " .tools/.crates.toml 2>/dev/null; then
    # A tool's own release profile favours a small, fast binary (cargo-deny:
    # fat LTO and one codegen unit); here it runs for seconds, so the build
    # is what costs: no LTO, parallel codegen, light optimisation.
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      cargo install --locked --quiet "$name@$version" --root .tools >&2
  fi
  echo "$bin"
}
