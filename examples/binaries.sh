# shellcheck shell=bash
# Sourced by the examples: where slsa-aibom-build and slsa-aibom-verify
# come from. `binaries_dir REPO` prints a folder holding both:
# $SLSA_AIBOM_BIN when set; else the folder of the installed binaries on
# PATH (both in one folder, as `cargo install` and the install script put
# them); else a release build of REPO (when the example runs from a clone).
binaries_dir() {
  local repo=$1 build verify
  if [ -n "${SLSA_AIBOM_BIN:-}" ]; then
    (cd "$SLSA_AIBOM_BIN" && pwd)
    return
  fi
  build=$(command -v slsa-aibom-build || true)
  verify=$(command -v slsa-aibom-verify || true)
  if [ -n "$build" ] && [ -n "$verify" ] && [ "$(dirname "$build")" = "$(dirname "$verify")" ]; then
    dirname "$build"
    return
  fi
  if [ ! -f "$repo/Cargo.toml" ]; then
    echo "no slsa-aibom-build and slsa-aibom-verify on PATH, no SLSA_AIBOM_BIN, and no clone at $repo to build them in" >&2
    return 1
  fi
  echo "building slsa-aibom-build and slsa-aibom-verify (release) in $repo" >&2
  cargo build --release --locked --quiet -p slsa-aibom-builder -p slsa-aibom-verify --manifest-path "$repo/Cargo.toml" >&2
  echo "$repo/target/release"
}
