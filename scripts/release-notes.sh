#!/usr/bin/env bash
# The release notes: what each file is and the exact commands that verify
# it (the release workflow attaches them; docs/releases.md explains).
#
#   scripts/release-notes.sh TAG OWNER/NAME
set -euo pipefail
tag=$1
repo=$2
identity="https://github.com/$repo/.github/workflows/release.yml@refs/tags/$tag"
issuer=https://token.actions.githubusercontent.com
bin=slsa-aibom-verify-x86_64-unknown-linux-gnu
cat <<NOTES
## slsa-aibom $tag

| file | what it is |
|---|---|
| \`slsa-aibom-verify-<target>\` | the verifier CLI, for x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu and aarch64-apple-darwin |
| \`slsa-aibom-build-<target>\` | the builder (trainer and signer), for the two Linux targets |
| \`<binary>-<target>.cdx.json\` | each binary's CycloneDX SBOM: every crate it links, from Cargo.lock |
| \`provenance.sigstore.json\` | SLSA v1 provenance for all of the above, signed keylessly by this repository's release.yml at $tag (Sigstore bundle, logged in Rekor) |
| \`SHA256SUMS\` | their sha256 digests |

The Linux x86_64 binaries are reproducible: \`git checkout $tag && scripts/build-release.sh\` gives the same bytes.

### Verify before you run

With the verifier of an earlier release (or one built from source):

\`\`\`sh
slsa-aibom-verify verify-bundle --bundle provenance.sigstore.json \\
  --certificate-identity $identity \\
  --certificate-oidc-issuer $issuer \\
  --source-repo $repo --source-ref refs/tags/$tag --trigger push \\
  --runner-environment github-hosted --predicate-type https://slsa.dev/provenance/v1 \\
  $bin
\`\`\`

With the GitHub CLI (the same provenance, from the attestations API, or offline with \`--bundle provenance.sigstore.json\`):

\`\`\`sh
gh attestation verify $bin --repo $repo \\
  --signer-workflow $repo/.github/workflows/release.yml --source-ref refs/tags/$tag
\`\`\`

With cosign:

\`\`\`sh
cosign verify-blob-attestation --bundle provenance.sigstore.json --new-bundle-format \\
  --certificate-identity $identity \\
  --certificate-oidc-issuer $issuer \\
  --type slsaprovenance1 $bin
\`\`\`
NOTES
