#!/usr/bin/env bash
# Train the scikit-learn example through the command tier, sign it with a
# fresh local key and verify it: bash examples/byo-sklearn/run.sh OUT
#
# The wheels the lock pins are fetched once into a cache
# ($SLSA_AIBOM_WHEELS, default ~/.cache/slsa-aibom/wheels/byo-sklearn); the
# build itself is offline. The binaries come from $SLSA_AIBOM_BIN (a folder
# holding slsa-aibom-build and slsa-aibom-verify), else a release build.
set -euo pipefail
out=$(realpath -m "${1:?usage: run.sh OUT}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${SLSA_AIBOM_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet -p slsa-aibom-builder -p slsa-aibom-verify --manifest-path "$repo/Cargo.toml"
  bin=$repo/target/release
fi
bin=$(cd "$bin" && pwd)
wheels=${SLSA_AIBOM_WHEELS:-$HOME/.cache/slsa-aibom/wheels/byo-sklearn}
mkdir -p "$wheels"
if ! python3 - "$here/requirements.lock" "$wheels" <<'PY'
import hashlib, pathlib, sys
lock, folder = sys.argv[1], pathlib.Path(sys.argv[2])
want = {l.split("--hash=sha256:")[1].split()[0] for l in open(lock) if "--hash=" in l}
have = {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.whl")}
sys.exit(0 if want <= have else 1)
PY
then
  echo "fetching the pinned wheels into $wheels (once)"
  venv=$(mktemp -d)
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip download --quiet --require-hashes --only-binary :all: --no-deps \
    -r "$here/requirements.lock" -d "$wheels"
  rm -rf "$venv"
fi
# The job's directory: the example's files and the wheel folder beside them.
job=$(mktemp -d)
trap 'rm -rf "$job"' EXIT
cp -r "$here/job.toml" "$here/train.py" "$here/requirements.lock" "$here/data" "$job/"
ln -s "$wheels" "$job/wheels"
(cd "$job" && "$bin/slsa-aibom-build" build job.toml --out "$out" --force)
"$bin/slsa-aibom-verify" model "$out/model" --key "$out/key.pub"
