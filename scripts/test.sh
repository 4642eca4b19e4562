#!/usr/bin/env bash
# The whole test suite, from a fresh clone. Installs what it needs.
# Tests named vectors_* read ../shared/vectors; without that folder they are
# skipped and this script says so loudly (they never pass silently).
set -euo pipefail
cd "$(dirname "$0")/.."

# A one-shot run (CI, a fresh clone) gains nothing from incremental caches,
# which would add gigabytes to target/.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

# Each step's wall time, printed at the end (BENCHMARKS.md, "The test
# command").
timings=() step_name="" step_start=$SECONDS
step() {
  if [ -n "$step_name" ]; then timings+=("$(printf '%5d s  %s' $((SECONDS - step_start)) "$step_name")"); fi
  step_name=$1 step_start=$SECONDS
  [ -n "$1" ] && echo "== $1"
  return 0
}

rustup component add clippy rustfmt >/dev/null 2>&1 || true
step "format"
cargo fmt --all -- --check
step "lints (clippy)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "peer tools (Python and Node, for the interop tests)"
bash scripts/peers.sh
skip=(-- --nocapture)
if [ ! -f ../shared/vectors/expected.jsonl ]; then
  echo "SKIPPED: ../shared/vectors not found: the vectors_* tests (expected.jsonl conformance and" >&2
  echo "         regressions on real Sigstore bundles) did NOT run. Put the vectors beside this clone to run them." >&2
  skip=(-- --nocapture --skip vectors_)
fi
step "tests: build"
cargo test --workspace --all-targets --locked --no-run
step "tests: run"
cargo test --workspace --all-targets --locked "${skip[@]}"
step "doc tests"
cargo test --workspace --doc --locked

step "interop with peer tools (model_signing, check-jsonschema, safetensors, cryptography, in-toto-verify)"
if [ -f ../shared/vectors/expected.jsonl ]; then
  bash scripts/interop.sh
else
  echo "SKIPPED: interop needs the CycloneDX schema from ../shared/vectors: it did NOT run." >&2
fi

step "the command tier's scikit-learn example: a team's own script, confined, signed and verified"
# Its pinned wheels are fetched once into ~/.cache/slsa-aibom (about 70 MB).
SLSA_AIBOM_BIN=target/debug bash examples/byo-sklearn/run.sh target/byo-sklearn > /dev/null
# ... and rebuilt bit for bit from its provenance (exit 8 if not).
SLSA_AIBOM_BIN=target/debug bash examples/byo-sklearn/rebuild.sh target/byo-sklearn target/byo-sklearn-rebuilt

step "GitHub Actions workflows and the verify action (zizmor, actionlint, shellcheck)"
bash scripts/lint-workflows.sh

step "dependency gate: licences, bans and sources (cargo-deny, deny.toml)"
bash scripts/cargo-deny.sh check licenses bans sources

step "release tooling: the binaries' CycloneDX SBOMs (schema-valid, reproducible) and the advisory exceptions"
bash scripts/check-release-tooling.sh

step "the crates package for crates.io (cargo publish --dry-run; built by the suite above)"
cargo publish --workspace --exclude fake-sigstore --dry-run --no-verify --allow-dirty --locked --quiet

step "library builds without the CLI (no clap, no HTTP client, no signer, no async runtime in the embedded tree)"
cargo check -p slsa-aibom-verify --lib --no-default-features --locked
leaked=$(cargo tree -p slsa-aibom-verify --no-default-features -e normal --prefix none | grep -E '^(clap|reqwest|hyper|tokio|sigstore-sign|slsa-aibom-sign) ' || true)
if [ -n "$leaked" ]; then
  echo "leaked into the library's default-off dependency tree: $leaked" >&2; exit 1
fi

step "the cuda feature compiles with NVIDIA's compiler from PyPI, and the CPU tests pass built with it;"
echo "   nothing trains on a GPU here (no GPU: a stub driver that sees none; scripts/gpu-check.sh does, on one)"
(
  # shellcheck source=scripts/cuda-toolchain.sh
  source scripts/cuda-toolchain.sh
  cargo build -p slsa-aibom-builder --features cuda --locked
  export LD_LIBRARY_PATH="$CUDA_TOOLCHAIN_LIBRARY_PATH"
  # One invocation for both crates: the trainer built alone would resolve
  # other features and compile candle and its CUDA kernels once more.
  cargo test -p slsa-aibom-builder -p slsa-aibom-trainer --features cuda --locked --lib --bins
  cargo test -p slsa-aibom-builder --features cuda --locked --test integration -- \
    training_features::the_device_is_part_of_the_job training_features::the_workflow_device_input_reaches_train
)

step "fuzz targets still compile"
# Its lockfile holds the main one's versions (fuzzing tests what ships) and
# its dev profile is the main one's, so checked in the main target
# directory it reuses the dependencies clippy checked (about 50 crates
# left to check instead of about 350).
cargo check --manifest-path verifier/fuzz/Cargo.toml --locked --quiet --target-dir target
step ""
echo "target/ after the suite: $(du -sh target 2>/dev/null | cut -f1)"
echo "time by step (total $SECONDS s):"
printf '%s\n' "${timings[@]}"
echo "all tests passed"
