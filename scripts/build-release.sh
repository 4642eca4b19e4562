#!/usr/bin/env bash
# Build the release binaries reproducibly: the same source gives the same
# bytes, whoever builds it and wherever.
#
#   scripts/build-release.sh [OUT_DIR] [TARGET_DIR]
#
# writes OUT_DIR/slsa-aibom-verify and OUT_DIR/slsa-aibom-build (default
# dist/) and their sha256 (OUT_DIR/SHA256SUMS), built for RELEASE_TARGET
# (default x86_64-unknown-linux-gnu; the release workflow also builds
# aarch64-unknown-linux-gnu and, the verifier only, aarch64-apple-darwin, each
# on a runner of that platform) in TARGET_DIR (default target/release-build)
# with:
#   - the committed Cargo.lock (--locked) and the toolchain of the day
#     (the release workflow pins it);
#   - SOURCE_DATE_EPOCH from the last commit, and the commit itself for
#     `--version` (SLSA_AIBOM_COMMIT);
#   - every machine-specific path remapped: this checkout, the cargo home and
#     the target directory (build scripts' OUT_DIR paths reach panic messages);
#   - symbols stripped.
# scripts/check-reproducible.sh builds twice and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
target_dir=${2:-target/release-build}
triple=${RELEASE_TARGET:-x86_64-unknown-linux-gnu}
read -r -a binaries <<<"${RELEASE_BINARIES:-slsa-aibom-verify slsa-aibom-build}"
packages=()
for bin in "${binaries[@]}"; do
  case "$bin" in
    slsa-aibom-verify) packages+=(-p slsa-aibom-verify --bin slsa-aibom-verify) ;;
    slsa-aibom-build) packages+=(-p slsa-aibom-builder --bin slsa-aibom-build) ;;
    *) echo "build-release: unknown binary $bin" >&2; exit 2 ;;
  esac
done
mkdir -p "$out" "$target_dir"
target_abs=$(cd "$target_dir" && pwd)
cargo_home=${CARGO_HOME:-$HOME/.cargo}
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
# --version names the commit (verifier/src/cli_support.rs).
SLSA_AIBOM_COMMIT=$(git rev-parse HEAD)
export SLSA_AIBOM_COMMIT
export CARGO_PROFILE_RELEASE_STRIP=symbols CARGO_INCREMENTAL=0
export RUSTFLAGS="--remap-path-prefix=$PWD=/slsa-aibom --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$target_abs=/target"
cargo build --release --locked --target "$triple" --target-dir "$target_abs" "${packages[@]}"
for bin in "${binaries[@]}"; do
  cp "$target_abs/$triple/release/$bin" "$out/$bin"
done
(cd "$out" && shasum -a 256 "${binaries[@]}" > SHA256SUMS && cat SHA256SUMS)
