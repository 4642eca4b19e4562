#!/usr/bin/env bash
# The command-tier examples' driver (examples/byo-sklearn, examples/byo-pytorch):
#   bash examples/command-tier.sh run EXAMPLE OUT
#       train EXAMPLE's job through the command tier, sign it with a fresh
#       local key and verify it;
#   bash examples/command-tier.sh rebuild EXAMPLE OUT REBUILT
#       rebuild the release in OUT from its provenance ("rebuild matches",
#       exit 0, or what differs, exit 8), then verify OUT with the rebuild
#       as its reproduction (a second builder's signed release).
#
# The wheels EXAMPLE/requirements.lock pins are fetched once into a cache
# ($SLSA_AIBOM_WHEELS, default ~/.cache/slsa-aibom/wheels/NAME); builds are
# offline. The binaries come from $SLSA_AIBOM_BIN (a folder holding
# slsa-aibom-build and slsa-aibom-verify), else PATH, else a release build
# of this clone (examples/binaries.sh).
set -euo pipefail
mode=${1:?usage: command-tier.sh run|rebuild EXAMPLE OUT [REBUILT]}
example=$(cd "${2:?usage: command-tier.sh run|rebuild EXAMPLE OUT [REBUILT]}" && pwd)
out=$(realpath -m "${3:?usage: command-tier.sh run|rebuild EXAMPLE OUT [REBUILT]}")
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=examples/binaries.sh
. "$repo/examples/binaries.sh"
bin=$(binaries_dir "$repo")
wheels=${SLSA_AIBOM_WHEELS:-$HOME/.cache/slsa-aibom/wheels/$(basename "$example")}
mkdir -p "$wheels"
if ! python3 - "$example/requirements.lock" "$wheels" <<'PY'
import hashlib, pathlib, sys
lock, folder = sys.argv[1], pathlib.Path(sys.argv[2])
want = {l.split("--hash=sha256:")[1].split()[0] for l in open(lock) if "--hash=" in l}
have = set()
for p in folder.glob("*.whl"):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    have.add(h.hexdigest())
sys.exit(0 if want <= have else 1)
PY
then
  echo "fetching the pinned wheels into $wheels (once)"
  venv=$(mktemp -d)
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip download --quiet --require-hashes --only-binary :all: --no-deps \
    -r "$example/requirements.lock" -d "$wheels"
  rm -rf "$venv"
fi
# The job's directory: the example's job, scripts, lock and data, and the
# wheel folder beside them (the provenance records the job as job.toml,
# relative to it).
job=$(mktemp -d)
trap 'rm -rf "$job"' EXIT
cp -r "$example/job.toml" "$example"/*.py "$example/requirements.lock" "$example/data" "$job/"
ln -s "$wheels" "$job/wheels"
case $mode in
  run)
    (cd "$job" && "$bin/slsa-aibom-build" build job.toml --out "$out" --force)
    "$bin/slsa-aibom-verify" model "$out/model" --key "$out/key.pub"
    ;;
  rebuild)
    rebuilt=$(realpath -m "${4:?usage: command-tier.sh rebuild EXAMPLE OUT REBUILT}")
    rm -rf "$rebuilt"
    "$bin/slsa-aibom-build" rebuild --provenance "$out/attestations/provenance.sigstore.json" \
      --key "$out/key.pub" --inputs "$job" --out "$rebuilt" -q
    "$bin/slsa-aibom-verify" model "$out/model" --key "$out/key.pub" \
      --reproduction "$rebuilt/attestations/provenance.sigstore.json" \
      --reproducer-key "$rebuilt/key.pub"
    ;;
  *)
    echo "usage: command-tier.sh run|rebuild EXAMPLE OUT [REBUILT]" >&2
    exit 2
    ;;
esac
