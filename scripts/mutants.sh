#!/usr/bin/env bash
# Mutation testing of the verifier's security modules (docs/testing.md):
#
#   scripts/mutants.sh                 every listed module, two passes
#   scripts/mutants.sh --in-diff BASE  only the mutants in `git diff BASE`
#
# cargo-mutants (pinned, built into .tools/ like cargo-deny) mutates the
# code in place, one mutant at a time, and runs the tests against it; the
# tree is restored after each mutant. Commit or stash first.
#
# Pass 1 runs the library's unit tests (a few seconds a mutant). Each
# later pass (`--iterate`) runs only what the passes before it missed:
# pass 2 adds the integration tests but for the three slowest groups
# (action_install, tamper_sweep, vectors_sigstore_js: 20 s and more),
# pass 3 runs the whole verifier suite. A mutant caught by any test is
# caught, so the result is that of the whole suite, in a fraction of the
# time. What pass 3 misses is a survivor: kill it with a test, or say in
# docs/testing.md why it is equivalent. Results are in mutants.out/
# (gitignored).
#
# Not in the test command: the full run takes hours on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/cargo-tool.sh
source scripts/cargo-tool.sh
bin=$(cargo_tool cargo-mutants 27.1.0)

# The security modules of issue 39: signer identity, the release rules and
# consistency checks, the model-signing manifest, the bundle checks, the
# runner policy and the strict JSON parser.
modules=(
  verifier/src/identity/mod.rs
  verifier/src/identity/our_builder.rs
  verifier/src/identity/repo_url.rs
  verifier/src/identity/signer_checks.rs
  verifier/src/release/rules/builder.rs
  verifier/src/release/rules/source.rs
  verifier/src/release/rules/licenses.rs
  verifier/src/release/rules/datasets.rs
  verifier/src/release/rules/lineage.rs
  verifier/src/release/rules/metrics.rs
  verifier/src/release/rules/versions.rs
  verifier/src/release/rules/mod.rs
  verifier/src/release/consistency.rs
  verifier/src/documents/model_signing.rs
  verifier/src/evidence/bundle_check.rs
  verifier/src/documents/runner_policy.rs
  verifier/src/json.rs
)
files=()
for m in "${modules[@]}"; do files+=(-f "$m"); done

diff=()
if [ "${1:-}" = --in-diff ]; then
  base=${2:?usage: scripts/mutants.sh --in-diff BASE}
  git diff "$base" -- "${modules[@]}" > mutants.diff
  if [ ! -s mutants.diff ]; then
    echo "no listed module changed since $base: nothing to mutate"
    exit 0
  fi
  diff=(--in-diff mutants.diff)
fi

run() {
  "$bin" mutants --in-place --no-shuffle --timeout 240 -p slsa-aibom-verify \
    "${files[@]}" ${diff[@]+"${diff[@]}"} "$@"
}
uptime
echo "== pass 1: unit tests"
run -- --lib || true
echo "== pass 2: what pass 1 missed, with the faster integration tests"
run --iterate -- --lib --test integration -- \
  --skip action_install --skip tamper_sweep --skip vectors_sigstore_js || true
echo "== pass 3: what pass 2 missed, with the whole verifier suite"
status=0
run --iterate -- --lib --test integration || status=$?
uptime
# cargo-mutants exits 2 when a mutant survived.
exit "$status"
