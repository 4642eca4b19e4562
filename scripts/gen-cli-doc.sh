#!/usr/bin/env bash
# Regenerate docs/cli.md from the binaries' own --help (the tests
# verifier/tests/cli_model.rs and builder/tests/cli_build.rs fail when the
# file and --help differ). Usage: scripts/gen-cli-doc.sh [BIN_DIR] (default
# target/debug, after `cargo build`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug}
verify_subcommands=(verify-bundle model policy\ init "trust update" vsa inventory download-attestations dataset-proof completions man
  "intoto layout" "intoto file" "intoto dir" "intoto bom")
build_subcommands=(build detect train attest demo rebuild prove predict completions man)
section() { # BINARY SUBCOMMAND...
  local binary=$1; shift
  echo "### \`$binary $*\`"
  echo
  echo '```text'
  # shellcheck disable=SC2048,SC2086
  "$bin/$binary" $* --help
  echo '```'
  echo
}
{
  cat <<'HEAD'
# Command-line reference

Generated from the binaries' `--help` by `scripts/gen-cli-doc.sh`; the tests
fail when this file and `--help` differ. Walkthroughs with real output:
`docs/consumer.md` (verifying) and `docs/outputs.md` (building).

## Exit codes

`slsa-aibom-verify`:

| code | class | meaning |
|---|---|---|
| 0 | verified | every requested check passed |
| 2 | input | unreadable, oversized or special file, malformed input, unsupported format, bad or contradictory options, missing `--key`/signer |
| 3 | crypto | signature, certificate chain, SCT, transparency proof, checkpoint, SET or timestamp failed; in-toto metadata its signatures do not cover |
| 4 | identity | the certificate's signer, issuer or GitHub claims, or the provenance builder/invocation, are not what was required |
| 5 | digest | the artifact, digest, model directory or a referenced byproduct is not what was signed |
| 6 | policy | a valid statement breaks a policy rule (predicate type, runner, external parameters, a release-policy rule) |
| 7 | no-transparency | bare DSSE without log proof: cannot be verified offline |
| 8 | sign | `model --vsa-out` could not sign the summary; nothing is written |

`slsa-aibom-build`: 2 job spec, 3 dataset, 4 training (including a diverged
run: non-finite weights or metrics), 5 I/O, 6 signing (including a signing job
off a GitHub-hosted runner), 7 own verification, a record that disagrees
with the build definition or the platform, a base-model attestation, or a
release `predict` could not verify, 8 `rebuild` mismatch.

## `slsa-aibom-verify`

HEAD
  for s in "${verify_subcommands[@]}"; do section slsa-aibom-verify "$s"; done
  echo '## `slsa-aibom-build`'
  echo
  for s in "${build_subcommands[@]}"; do section slsa-aibom-build "$s"; done
} >docs/cli.md
echo "wrote docs/cli.md"
