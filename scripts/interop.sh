#!/usr/bin/env bash
# Interop: our builder's outputs checked by independent peer tools.
#   - model_signing verify key accepts OUT/model.sig over OUT/model (and rejects a tampered model);
#   - check-jsonschema validates OUT/aibom.cdx.json against bom-1.6.schema.json (and rejects a broken copy);
#   - Python safetensors loads OUT/model/model.safetensors with the shapes config.json declares;
#   - Python cryptography verifies each bundle's ECDSA signature over the DSSE PAE with OUT/key.pub;
#   - in-toto-verify (the Python reference) accepts OUT/intoto/root.layout with its links (and rejects a tampered link).
# Python sigstore is NOT among them: sigstore 4.5.1 cannot verify keyed bundles
# (no --key; its library requires a certificate). See README "Status".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/peers.sh
py=.venv-peers/bin
schema=../shared/vectors/formats/cyclonedx-schema/bom-1.6.schema.json
[ -f "$schema" ] || { echo "interop: $schema missing: the CycloneDX schema check did NOT run" >&2; exit 1; }
cargo build --locked -q -p slsa-aibom-builder --bin slsa-aibom-build
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
target/debug/slsa-aibom-build demo --out "$out" -q

expect_fail() { if "$@" >/dev/null 2>&1; then echo "interop: expected failure: $*" >&2; exit 1; fi; }

echo "== model_signing verify key"
"$py/model_signing" verify key "$out/model" --signature "$out/model.sig" --public_key "$out/key.pub"
cp -r "$out/model" "$tmp/bad-model"
printf '\x01' | dd of="$tmp/bad-model/model.safetensors" bs=1 seek=200 conv=notrunc status=none
expect_fail "$py/model_signing" verify key "$tmp/bad-model" --signature "$out/model.sig" --public_key "$out/key.pub"
echo "tampered model rejected"

echo "== check-jsonschema (CycloneDX 1.6)"
"$py/check-jsonschema" --schemafile "$schema" "$out/aibom.cdx.json"
"$py/python" -c 'import json,sys; b=json.load(open(sys.argv[1])); b["components"][0]["type"]="model"; json.dump(b,open(sys.argv[2],"w"))' "$out/aibom.cdx.json" "$tmp/broken.json"
expect_fail "$py/check-jsonschema" --schemafile "$schema" "$tmp/broken.json"
echo "broken ML-BOM rejected"

echo "== safetensors and bundle signatures (Python)"
"$py/python" - "$out" <<'PY'
import base64, json, sys
from pathlib import Path
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from safetensors.numpy import load_file

out = Path(sys.argv[1])
tensors = load_file(out / "model" / "model.safetensors")
config = json.loads((out / "model" / "config.json").read_text())
declared = {p["name"]: tuple(p["shape"]) for p in config["parameters"]}
assert {k: v.shape for k, v in tensors.items()} == declared, (tensors.keys(), declared)
print(f"safetensors: {len(tensors)} tensors load with the declared shapes")

key = serialization.load_pem_public_key((out / "key.pub").read_bytes())
for rel in ["attestations/provenance.sigstore.json", "attestations/aibom.sigstore.json", "model.sig"]:
    env = json.loads((out / rel).read_text())["dsseEnvelope"]
    payload = base64.b64decode(env["payload"])
    ptype = env["payloadType"].encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
    key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))
    try:
        key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae + b" ", ec.ECDSA(hashes.SHA256()))
        raise SystemExit(f"{rel}: signature verified over altered bytes")
    except Exception as e:
        if isinstance(e, SystemExit):
            raise
    print(f"{rel}: ECDSA P-256 signature over the DSSE PAE verifies")
PY
echo "== in-toto-verify (Python reference)"
intoto_verify="$PWD/$py/in-toto-verify"
(cd "$out/intoto" && "$intoto_verify" --layout root.layout --verification-keys functionary.pub --link-dir .)
echo "in-toto-verify accepts our layout and links"
cp -r "$out/intoto" "$tmp/bad-intoto"
"$py/python" - "$tmp/bad-intoto" <<'PY'
import json, sys
from pathlib import Path
link = next(Path(sys.argv[1]).glob("train.*.link"))
meta = json.loads(link.read_text())
entry = meta["signed"]["products"]["model/model.safetensors"]
entry["sha256"] = ("1" if entry["sha256"][0] == "0" else "0") + entry["sha256"][1:]
link.write_text(json.dumps(meta))
PY
expect_fail bash -c 'cd "$1" && "$2" --layout root.layout --verification-keys functionary.pub --link-dir .' _ "$tmp/bad-intoto" "$intoto_verify"
echo "tampered link rejected"

echo "interop: all peer checks passed"
