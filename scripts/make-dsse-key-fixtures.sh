#!/usr/bin/env bash
# Write testdata/dsse-keys/: DSSE envelopes over one in-toto statement
# (subject: artifact.txt), each signed by openssl with another key type,
# for verifier/tests/cli_keyed.rs: Ed25519, RSA 2048 with PKCS#1 v1.5 and
# SHA-256, RSA 3072 and 4096 with PSS (salt = hash length) and SHA-256.
# Each NAME.dsse.json is verified with NAME.pub.
set -euo pipefail
cd "$(dirname "$0")/.."
out=testdata/dsse-keys
rm -rf "$out"
mkdir -p "$out"
echo "an artifact signed by openssl-made DSSE envelopes" > "$out/artifact.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$out" "$tmp" <<'PY'
import hashlib, json, sys
out, tmp = sys.argv[1:]
digest = hashlib.sha256(open(f"{out}/artifact.txt", "rb").read()).hexdigest()
statement = {"_type": "https://in-toto.io/Statement/v1",
             "subject": [{"name": "artifact.txt", "digest": {"sha256": digest}}],
             "predicateType": "https://example.com/openssl-signed/v1", "predicate": {}}
payload = json.dumps(statement, separators=(",", ":")).encode()
kind = b"application/vnd.in-toto+json"
open(f"{tmp}/payload", "wb").write(payload)
open(f"{tmp}/pae", "wb").write(b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload))
PY
envelope() { # NAME: wrap $tmp/payload and $tmp/NAME.sig
  python3 - "$tmp/payload" "$tmp/$1.sig" "$out/$1.dsse.json" <<'PY'
import base64, json, sys
payload, sig, dest = sys.argv[1:]
b64 = lambda p: base64.b64encode(open(p, "rb").read()).decode()
json.dump({"payloadType": "application/vnd.in-toto+json", "payload": b64(payload),
           "signatures": [{"sig": b64(sig)}]}, open(dest, "w"))
PY
}
key() { # NAME openssl-genpkey-args...
  local name=$1; shift
  openssl genpkey "$@" -out "$tmp/$name.pem" 2>/dev/null
  openssl pkey -in "$tmp/$name.pem" -pubout -out "$out/$name.pub"
}
key ed25519 -algorithm ed25519
openssl pkeyutl -sign -inkey "$tmp/ed25519.pem" -rawin -in "$tmp/pae" -out "$tmp/ed25519.sig"
envelope ed25519
key rsa2048-pkcs1 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
openssl dgst -sha256 -sign "$tmp/rsa2048-pkcs1.pem" -out "$tmp/rsa2048-pkcs1.sig" "$tmp/pae"
envelope rsa2048-pkcs1
for bits in 3072 4096; do
  key "rsa$bits-pss" -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits"
  openssl dgst -sha256 -sign "$tmp/rsa$bits-pss.pem" -sigopt rsa_padding_mode:pss \
    -sigopt rsa_pss_saltlen:digest -out "$tmp/rsa$bits-pss.sig" "$tmp/pae"
  envelope "rsa$bits-pss"
done
openssl version > "$out/MADE-WITH.txt"
