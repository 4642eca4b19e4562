#!/usr/bin/env bash
# Lint every GitHub Actions file: the reusable builder workflow, the verify
# action (action.yml) and the example callers. Zero findings required.
#
#   zizmor      security audits (template injection, permissions, pinning,
#               credential persistence...), offline, with .github/zizmor.yml
#               (whose only exemption lets callers pin our own builder by tag)
#   actionlint  syntax, expression types, job/step references, and
#               shellcheck over every run: script of the workflows
#   shellcheck  also over the composite action's run: scripts, which
#               actionlint does not read
#
# The tools are pinned in scripts/peers.sh and installed into .venv-peers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/peers.sh
BIN=.venv-peers/bin

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
examples=(examples/workflows/*.yml examples/workflows/*.yaml)
actions=(action.yml)
shopt -u nullglob
if ((${#workflows[@]} == 0)); then
  echo "lint-workflows: no workflow under .github/workflows" >&2
  exit 1
fi

# Run every linter, then fail if any of them found something.
failed=()

echo "-- zizmor $("$BIN/zizmor" --version | cut -d ' ' -f 2): ${workflows[*]} ${actions[*]} ${examples[*]}"
"$BIN/zizmor" --offline --no-progress --color never --strict-collection \
  --config .github/zizmor.yml \
  "${workflows[@]}" "${actions[@]}" "${examples[@]}" || failed+=(zizmor)

# actionlint runs shellcheck on run: scripts when it can find it: the pinned
# one from .venv-peers, else one on PATH; without either it says so and
# lints everything else.
shellcheck=""
if [[ -x "$BIN/shellcheck" ]]; then
  shellcheck="$PWD/$BIN/shellcheck"
elif command -v shellcheck >/dev/null; then
  shellcheck="$(command -v shellcheck)"
fi
if [[ -n "$shellcheck" ]]; then
  echo "-- actionlint $("$BIN/actionlint" -version | head -n 1) with $("$shellcheck" --version | sed -n 's/^version: /shellcheck /p')"
else
  echo "-- actionlint $("$BIN/actionlint" -version | head -n 1) WITHOUT shellcheck (not installed): run: scripts are not shell-checked" >&2
fi
"$BIN/actionlint" -no-color -pyflakes= -shellcheck="$shellcheck" "${workflows[@]}" "${examples[@]}" \
  || failed+=(actionlint)

if [[ -n "$shellcheck" ]]; then
  echo "-- shellcheck: run: scripts of ${actions[*]}"
  scripts="$(mktemp -d)"
  trap 'rm -rf "$scripts"' EXIT
  "$BIN/python" - "$scripts" "${actions[@]}" <<'EOF'
import pathlib
import sys

from ruamel.yaml import YAML

out = pathlib.Path(sys.argv[1])
for action in sys.argv[2:]:
    doc = YAML(typ="safe").load(pathlib.Path(action).read_text())
    for i, step in enumerate(doc["runs"].get("steps", [])):
        if "run" not in step:
            continue
        if step.get("shell") != "bash":
            sys.exit(f"{action}: step {i} ({step.get('name')}) must use shell: bash")
        name = f"{pathlib.Path(action).stem}.step{i}.sh"
        (out / name).write_text("#!/usr/bin/env bash\n" + step["run"])
EOF
  (cd "$scripts" && "$shellcheck" --shell=bash --norc ./*.sh) || failed+=("shellcheck (action.yml)")
fi

if ((${#failed[@]} > 0)); then
  printf 'lint-workflows: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint-workflows: no findings"
