#!/usr/bin/env bash
# Unpack the release workflow's transfers, each checked against the digest
# its producer published as a job output (nothing is trusted for having come
# through the artifact store):
#
#   DIGESTS='{"TARGET": "<sha256 of TARGET.tar>", ...}' \
#     scripts/release-unpack.sh IN_DIR OUT_DIR
#
# IN_DIR holds TARGET.tar for each of the three release targets; OUT_DIR
# gets their files: slsa-aibom-{verify,build}-TARGET and their
# .cdx.json SBOMs, plain files with those names and nothing else.
set -euo pipefail
in=$1
out=$2
: "${DIGESTS:?}"
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu aarch64-apple-darwin)
mkdir -p "$out"
for target in "${targets[@]}"; do
  want=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]) or "")' "$DIGESTS" "$target")
  [[ "$want" =~ ^[0-9a-f]{64}$ ]] || { echo "no digest was published for $target" >&2; exit 1; }
  got=$(shasum -a 256 "$in/$target.tar" | cut -d ' ' -f 1)
  [[ "$got" == "$want" ]] || { echo "$target.tar has sha256 $got, its build job published $want" >&2; exit 1; }
  mkdir "$out/.$target"
  tar -xf "$in/$target.tar" -C "$out/.$target"
  for f in "$out/.$target"/* "$out/.$target"/.[!.]*; do
    [[ -e "$f" || -L "$f" ]] || continue
    name=${f##*/} # not $(basename): that would drop a trailing newline
    [[ "$name" =~ ^slsa-aibom-(verify|build)-$target(\.cdx\.json)?$ && -f "$f" && ! -L "$f" ]] ||
      { echo "unexpected entry in $target.tar: $name" >&2; exit 1; }
    [[ ! -e "$out/$name" ]] || { echo "$name comes twice" >&2; exit 1; }
    mv "$f" "$out/$name"
  done
  rmdir "$out/.$target"
done
ls -l "$out"
