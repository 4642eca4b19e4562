#!/usr/bin/env bash
# Install slsa-aibom-verify from the GitHub release that matches the action's
# own ref, running nothing that has not been checked (the action's
# `install: release`; docs/releases.md):
#
#   1. download the bootstrap verifier: an earlier release's binary for this
#      platform, pinned by sha256 in release/bootstrap.sha256; compare the
#      digest, and only then make it executable;
#   2. read the commit the tag ACTION_REF names from the repository
#      (git ls-remote);
#   3. download this release's verifier and its SLSA provenance bundle;
#   4. have the bootstrap verify the bundle against the download: signed by
#      RELEASE_REPO's release.yml at that commit (the certificate's signer
#      commit, .1.10), on a push of the tag, on a GitHub-hosted runner,
#      logged in public-good Rekor (the trusted root refreshed through TUF
#      first, when that works);
#   5. only then install it into DEST.
#
# Environment: ACTION_REF (vX.Y.Z), RELEASE_URL (base of the release
# downloads, https://github.com/OWNER/NAME/releases/download), RELEASE_REPO
# (OWNER/NAME), DEST (install directory); optional TARGET (a Rust target
# triple, default this machine's), BOOTSTRAP_FILE (default
# release/bootstrap.sha256 beside this script's folder), RELEASE_GIT_URL
# (default https://github.com/RELEASE_REPO.git) and TRUSTED_ROOT (a trusted
# root file instead of the embedded public-good one: tests only; the action
# sets it empty).
#
# Exit 0: installed. Exit 3: no verified binary is offered for this ref or
# platform (the action then builds from source). Exit 1: a download failed
# or did not verify; nothing was run or installed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${ACTION_REF:?}" "${RELEASE_URL:?}" "${RELEASE_REPO:?}" "${DEST:?}"
bootstrap_file=${BOOTSTRAP_FILE:-$here/release/bootstrap.sha256}
issuer=https://token.actions.githubusercontent.com

unavailable() {
  echo "slsa-aibom: no verified release binary: $*" >&2
  exit 3
}
refuse() {
  echo "::error title=slsa-aibom::$*" >&2
  exit 1
}
sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}
fetch() {
  curl --fail --silent --show-error --location --retry 3 --proto-redir =https \
    --output "$2" "$RELEASE_URL/$1"
}

[[ "$ACTION_REF" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  unavailable "this action runs at '$ACTION_REF', not at a release tag (vX.Y.Z)"
[[ "$RELEASE_REPO" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
  refuse "RELEASE_REPO must be OWNER/NAME, not '$RELEASE_REPO'"
target=${TARGET:-}
if [[ -z "$target" ]]; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) target=x86_64-unknown-linux-gnu ;;
    Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-gnu ;;
    Darwin/arm64) target=aarch64-apple-darwin ;;
    *) unavailable "no release binary is built for $(uname -s)/$(uname -m)" ;;
  esac
fi
asset="slsa-aibom-verify-$target"

# 1. The bootstrap verifier, pinned by digest.
pinned=$(grep -E "^[0-9a-f]{64}  v[0-9]+\.[0-9]+\.[0-9]+/$asset(  [0-9a-f]{40})?\$" "$bootstrap_file" | tail -n 1) ||
  unavailable "no bootstrap verifier for $target is pinned in $bootstrap_file"
read -r boot_sha boot_path _boot_commit <<<"$pinned"
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/slsa-aibom-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
fetch "$boot_path" "$work/bootstrap" || refuse "cannot download the bootstrap verifier $RELEASE_URL/$boot_path"
got=$(sha256 "$work/bootstrap")
[[ "$got" == "$boot_sha" ]] ||
  refuse "the bootstrap verifier $boot_path has sha256 $got, not the pinned $boot_sha: refused, not run"
chmod 0755 "$work/bootstrap"

# 2. The commit the tag names now, as the repository serves it: the release
#    must have been built and signed at that commit (.1.10 of its
#    certificate), so a tag moved after its release, or a release made at
#    another commit under the same tag name, is refused.
git_url=${RELEASE_GIT_URL:-https://github.com/$RELEASE_REPO.git}
refs=$(git ls-remote "$git_url" "refs/tags/$ACTION_REF" "refs/tags/$ACTION_REF^{}") ||
  unavailable "cannot read the tag $ACTION_REF from $git_url"
# An annotated tag's peeled line (^{}) names the commit; a light one's the
# only line does.
commit=$(awk -v t="refs/tags/$ACTION_REF^{}" '$2 == t { print $1 }' <<<"$refs")
[[ -n "$commit" ]] || commit=$(awk -v t="refs/tags/$ACTION_REF" '$2 == t { print $1 }' <<<"$refs")
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || unavailable "the tag $ACTION_REF is not in $git_url"

# 3. This release's verifier and provenance.
fetch "$ACTION_REF/$asset" "$work/$asset" || refuse "cannot download $RELEASE_URL/$ACTION_REF/$asset"
fetch "$ACTION_REF/provenance.sigstore.json" "$work/provenance.sigstore.json" ||
  refuse "cannot download $RELEASE_URL/$ACTION_REF/provenance.sigstore.json"

# 4. Its provenance, checked by the bootstrap (the download is not run):
#    release.yml at the tag's commit (matched through .1.10), on a push of
#    the tag itself.
if [[ -n "${TRUSTED_ROOT:-}" ]]; then
  trust=(--offline --trusted-root "$TRUSTED_ROOT")
else
  # The freshest public-good root through TUF, should keys have rotated
  # since the bootstrap was built; its embedded root otherwise.
  trust=(--instance public-good --trust-cache "$work/trust")
  "$work/bootstrap" trust update --instance public-good --cache "$work/trust" >&2 ||
    echo "slsa-aibom: TUF update failed; verifying against the bootstrap's embedded root" >&2
fi
"$work/bootstrap" verify-bundle "${trust[@]}" \
  --bundle "$work/provenance.sigstore.json" \
  --certificate-identity "https://github.com/$RELEASE_REPO/.github/workflows/release.yml@$commit" \
  --certificate-oidc-issuer "$issuer" \
  --source-repo "$RELEASE_REPO" --source-ref "refs/tags/$ACTION_REF" \
  --trigger push --runner-environment github-hosted \
  --predicate-type https://slsa.dev/provenance/v1 \
  "$work/$asset" >&2 ||
  refuse "$asset of $ACTION_REF (commit $commit) does not match its signed provenance: refused, not run"

# 5. Install the verified binary.
mkdir -p "$DEST"
install -m 0755 "$work/$asset" "$DEST/slsa-aibom-verify"
echo "slsa-aibom: installed $asset $ACTION_REF (commit $commit, sha256 $(sha256 "$DEST/slsa-aibom-verify")), provenance verified" >&2
