#!/usr/bin/env bash
# Checks of the release tooling that need no network (scripts/test.sh runs
# this; the release workflow runs the same scripts for real):
#   - the CycloneDX SBOMs (scripts/release-sbom.sh) of both binaries for this
#     machine's target are valid against the official CycloneDX 1.6 and 1.5
#     schemas (check-jsonschema, schemas from ../shared/vectors), list what
#     each binary links and nothing it does not, with purl and checksum, and
#     come out byte-identical when made twice;
#   - deny.toml's advisory exceptions carry a reason and a future expiry
#     (scripts/check-advisory-exceptions.py), and the checker refuses ones
#     that do not.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv-peers/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { if "$@" >/dev/null 2>&1; then fail "accepted: $*"; fi; }

echo "-- SBOMs"
target=x86_64-unknown-linux-gnu
bash scripts/release-sbom.sh "$target" "$tmp/a" slsa-aibom-verify slsa-aibom-build >/dev/null
bash scripts/release-sbom.sh "$target" "$tmp/b" slsa-aibom-verify slsa-aibom-build >/dev/null
cmp "$tmp/a/slsa-aibom-verify-$target.cdx.json" "$tmp/b/slsa-aibom-verify-$target.cdx.json"
cmp "$tmp/a/slsa-aibom-build-$target.cdx.json" "$tmp/b/slsa-aibom-build-$target.cdx.json"
python3 - "$tmp/a" "$target" "$tmp/broken.json" <<'PY'
import json, sys
folder, target, broken = sys.argv[1:]
def load(binary):
    return json.load(open(f"{folder}/{binary}-{target}.cdx.json"))
def names(bom):
    return {c["name"] for c in bom["components"]}
verify, build = load("slsa-aibom-verify"), load("slsa-aibom-build")
assert verify["metadata"]["component"]["name"] == "slsa-aibom-verify"
assert build["metadata"]["component"]["name"] == "slsa-aibom-build"
for need in ("sigstore-verify", "clap", "slsa-aibom-types"):
    assert need in names(verify), f"the verifier's SBOM lacks {need}"
for need in ("candle-core", "sigstore-sign", "slsa-aibom-verify"):
    assert need in names(build), f"the builder's SBOM lacks {need}"
for never in ("candle-core", "wgpu", "octocrab"):
    assert never not in names(verify), f"the verifier's SBOM lists {never}, which it does not link"
for bom in (verify, build):
    for c in bom["components"]:
        assert c["purl"].startswith("pkg:cargo/"), c["bom-ref"]
        registry = c["bom-ref"].startswith("registry+")
        assert not registry or c.get("hashes"), f"{c['name']} has no checksum"
    assert "/work" not in json.dumps(bom) and "/home" not in json.dumps(bom)
bad = json.loads(json.dumps(verify))
bad["components"][0]["type"] = "binary-blob"
json.dump(bad, open(broken, "w"))
print(f"slsa-aibom-verify: {len(verify['components'])} components; slsa-aibom-build: {len(build['components'])}")
PY
schemas=../shared/vectors/formats/cyclonedx-schema
if [ -f "$schemas/bom-1.6.schema.json" ]; then
  for v in 1.6 1.5; do
    "$py/check-jsonschema" --schemafile "$schemas/bom-$v.schema.json" "$tmp"/a/*.cdx.json
    expect_fail "$py/check-jsonschema" --schemafile "$schemas/bom-$v.schema.json" "$tmp/broken.json"
  done
else
  echo "SKIPPED: the SBOMs' schema validation needs ../shared/vectors: it did NOT run." >&2
fi

echo "-- advisory exceptions"
python3 scripts/check-advisory-exceptions.py deny.toml
exceptions() { printf '[advisories]\nignore = [%s]\n' "$1" >"$tmp/deny.toml"; }
exceptions '{ id = "RUSTSEC-2024-0001", reason = "not reachable from our code (expires 2030-01-31)" }'
python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml" --today 2026-01-01 >/dev/null
expect_fail python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml" --today 2030-02-01
exceptions '"RUSTSEC-2024-0001"'
expect_fail python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml"
exceptions '{ id = "RUSTSEC-2024-0001", reason = "not reachable from our code" }'
expect_fail python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml"
exceptions '{ id = "RUSTSEC-2024-0001", reason = "(expires 2030-01-31)" }'
expect_fail python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml"
exceptions '{ id = "RUSTSEC-2024-0001", reason = "later (expires 2030-02-30)" }'
expect_fail python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml"
exceptions '{ id = "CVE-2024-0001", reason = "wrong id (expires 2030-01-31)" }'
expect_fail python3 scripts/check-advisory-exceptions.py "$tmp/deny.toml"
echo "release tooling checks passed"
