#!/usr/bin/env bash
# Fuzz every parser target for SECONDS each (default 600), two at a time, and
# print libFuzzer's final exec counts. With FUZZ_RUNS=N in the environment,
# each target runs exactly N executions instead (SECONDS is then ignored).
# Corpora are seeded from our fixtures and from ../shared/vectors when present
# (they stay in the git-ignored fuzz/corpus folder).
# Usage: [FUZZ_RUNS=N] verifier/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}; shift || true
targets=("${@:-bundle dsse statement cert_extensions policy_file model_manifest intoto dataset_proof job_spec strict_json}")
read -r -a targets <<<"${targets[*]}"
vectors=../../shared/vectors
seed() {
  local t=$1 dir=fuzz/corpus/$1; mkdir -p "$dir"
  # Our own fixtures seed the targets the vectors do not reach.
  case $t in
    policy_file)
      tpl=src/release/rules/template
      cat "$tpl"/head.toml "$tpl"/builder.toml "$tpl"/rules.toml >"$dir"/template.toml
      cat "$tpl"/head.toml "$tpl"/builder-keyed.toml "$tpl"/rules.toml >"$dir"/template-keyed.toml ;;
    job_spec) find ../examples -name '*.toml' -exec cp -n {} "$dir"/ \; ;;
    intoto) cp -n ../testdata/release/intoto/*.link ../testdata/release/intoto/*.layout "$dir"/ ;;
    model_manifest) python3 -c 'import base64,json,sys; print(base64.b64decode(json.load(open(sys.argv[1]))["dsseEnvelope"]["payload"]).decode())' ../testdata/release/model.sig >"$dir/release" ;;
    dataset_proof) python3 - "$dir" <<'PY'
# Proofs in the shape `prove` writes (root first): one present, one absent.
import json, sys
out = sys.argv[1]
proof = lambda key, i: {"record": {"key": key, "data": "00ff"}, "index": i, "tree_size": 2, "path": ["ab" * 32]}
open(f"{out}/present", "w").write("0" * 64 + json.dumps({"kind": "present", "proof": proof("a", 0)}))
open(f"{out}/absent", "w").write("0" * 64 + json.dumps({"kind": "absent", "key": "b", "before": proof("a", 0), "after": proof("c", 1)}))
PY
    ;;
  esac
  [ -d "$vectors" ] || return 0
  case $t in
    model_manifest) python3 - "$vectors" "$dir" <<'PY'
import base64, glob, json, os, sys
src, out = sys.argv[1:3]
for i, p in enumerate(glob.glob(src + '/model-transparency/**/*.sig', recursive=True)):
    try: open(f'{out}/sig{i}', 'wb').write(base64.b64decode(json.load(open(p))['dsseEnvelope']['payload']))
    except Exception: pass
PY
    ;;
    bundle|dsse|strict_json) find "$vectors" \( -name '*.json' -o -name '*.jsonl' -o -name '*.sig' -o -name '*.sigstore' -o -name '*.slsa' \) -size -200k -exec cp -n {} "$dir"/ \; 2>/dev/null || true ;;
    statement | cert_extensions) python3 - "$t" "$vectors" "$dir" <<'PY'
# Extract DSSE payloads (statement) or signing certificates (cert_extensions).
import base64, json, os, sys, glob
mode, src, out = sys.argv[1:4]
for i, p in enumerate(glob.glob(src + '/**/*', recursive=True)):
    if not os.path.isfile(p) or os.path.getsize(p) > 200_000: continue
    for line in open(p, 'rb').read().splitlines():
        try: d = json.loads(line)
        except Exception: continue
        if not isinstance(d, dict): continue
        if mode == 'statement':
            blob = d.get('dsseEnvelope', d).get('payload')
        else:
            blob = ((d.get('verificationMaterial') or {}).get('certificate') or {}).get('rawBytes')
        if isinstance(blob, str):
            open(f'{out}/{mode}{i}', 'wb').write(base64.b64decode(blob))
PY
    ;;
  esac
}
run() {
  local t=$1; seed "$t"
  local limit=(-max_total_time="$secs")
  if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS"); fi
  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- "${limit[@]}" -print_final_stats=1 >"fuzz/$t.log" 2>&1 \
    || { echo "$t: CRASH, see verifier/fuzz/$t.log and fuzz/artifacts/$t"; return 1; }
  printf '%-16s %s  %s\n' "$t" "$(grep -m1 '^Done' "fuzz/$t.log")" "$(grep -m1 'exec_per_sec' "fuzz/$t.log" | tr -s ' ')"
}
status=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[i]}" & a=$!
  if ((i + 1 < ${#targets[@]})); then run "${targets[i+1]}" & b=$!; wait $b || status=1; fi
  wait $a || status=1
done
exit $status
