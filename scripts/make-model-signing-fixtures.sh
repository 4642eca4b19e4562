#!/usr/bin/env bash
# Sign the fixture models in testdata/model-signing/ with every model_signing
# release from 0.3.0 on, each with its own CLI in its own virtualenv, and
# write the signatures to testdata/model-signing/VERSION/. The tests
# (verifier/tests/model_signing_releases.rs) verify them with ours; this
# script is how they were made, and makes them again.
#
#   dir-key-p256.sig     the model directory, an ECDSA P-256 key
#   dir-key-p384.sig     the model directory, an ECDSA P-384 key
#   dir-key-p521.sig     the model directory, an ECDSA P-521 key
#   dir-cert.sig         the model directory, a leaf certificate chained to
#                        pki/ca.pem through pki/intermediate.pem
#   file-key-p256.sig    a single-file model, P-256
#   dir-shards-p256.sig  the directory in shard serialisation (the API; the
#                        CLIs offer files only), where the release has it
#
# Not covered, and why: 0.2.0 has no CLI and its API signs through Sigstore
# only, which needs the network; Sigstore signatures of 0.3.1, 1.0.x and
# 1.1.0 made by the model_signing project are in ../shared/vectors.
#
# The releases import pyOpenSSL and sigstore-protobuf-specs without
# declaring them, and 0.3.1 to 1.0.1 need the sigstore 3 API, so each gets
# the versions it was released against (extras below). The CLIs run through
# scripts/model-signing-offline.py, which stubs the default Sigstore signer
# those releases build (and which contacts Sigstore) before they replace it
# with the key or certificate signer asked for.
set -euo pipefail
cd "$(dirname "$0")/.."
out=testdata/model-signing
venvs=${MODEL_SIGNING_VENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/slsa-aibom/model-signing-venvs}
versions=(0.3.0 0.3.1 1.0.0 1.0.1 1.1.0 1.1.1)

extras() {
  case $1 in
    0.3.0) echo "pyopenssl==26.4.0 sigstore-protobuf-specs==0.3.2" ;;
    # sigstore 3.6.6 caps pyOpenSSL below 25.
    0.3.1 | 1.0.0 | 1.0.1) echo "pyopenssl==24.3.0 sigstore==3.6.6 sigstore-protobuf-specs==0.3.2" ;;
    *) echo "pyopenssl==26.4.0 sigstore-protobuf-specs==0.5.0" ;;
  esac
}
for v in "${versions[@]}"; do
  if [ ! -x "$venvs/$v/bin/model_signing" ]; then
    python3 -m venv "$venvs/$v"
    # shellcheck disable=SC2046
    "$venvs/$v/bin/pip" install -q "model-signing==$v" $(extras "$v")
  fi
done
py="$venvs/${versions[-1]}/bin/python"

if [ ! -f "$out/pki/ca.pem" ]; then
  mkdir -p "$out/pki" "$out/model/nested" "$out/single"
  "$py" - "$out" <<'PY'
import datetime, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

out = sys.argv[1]
def write_key(name, key):
    open(f"{out}/pki/{name}.key", "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    open(f"{out}/pki/{name}.pub", "wb").write(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key
p256 = write_key("p256", ec.generate_private_key(ec.SECP256R1()))
p384 = write_key("p384", ec.generate_private_key(ec.SECP384R1()))

now = datetime.datetime.now(datetime.timezone.utc)
def cert(name, key, issuer_name, issuer_key, ca, path_len=None):
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
         .issuer_name(issuer_name).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = (b.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False))
    return b.sign(issuer_key, hashes.SHA256())
ca_key = ec.generate_private_key(ec.SECP256R1())
ca = cert("slsa-aibom test root CA", ca_key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "slsa-aibom test root CA")]), ca_key, True, 1)
mid_key = ec.generate_private_key(ec.SECP256R1())
mid = cert("slsa-aibom test intermediate", mid_key, ca.subject, ca_key, True, 0)
leaf_key = write_key("leaf", ec.generate_private_key(ec.SECP256R1()))
leaf = cert("slsa-aibom test model signer", leaf_key, mid.subject, mid_key, False)
pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
open(f"{out}/pki/ca.pem", "wb").write(pem(ca))
open(f"{out}/pki/intermediate.pem", "wb").write(pem(mid))
open(f"{out}/pki/leaf.pem", "wb").write(pem(leaf))
open(f"{out}/pki/chain.pem", "wb").write(pem(mid) + pem(ca))

# The models: a directory with a nested file, and a single file.
open(f"{out}/model/config.json", "w").write('{"architectures": ["Toy"], "hidden_size": 4}\n')
open(f"{out}/model/weights.bin", "wb").write(bytes(range(256)) * 40)
open(f"{out}/model/nested/tokenizer.txt", "w").write("a\nb\nc\n")
open(f"{out}/single/model.bin", "wb").write(bytes(reversed(range(256))) * 12)
PY
fi

# The P-521 key came later than the rest of the PKI (issue 32).
if [ ! -f "$out/pki/p521.key" ]; then
  "$py" - "$out" <<'PY'
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
out = sys.argv[1]
key = ec.generate_private_key(ec.SECP521R1())
open(f"{out}/pki/p521.key", "wb").write(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
open(f"{out}/pki/p521.pub", "wb").write(key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
PY
fi

# sign NAME ARGS...: one signature; a release that cannot make it says why
# in VERSION/NOT-SIGNED.txt (0.3.0's certificate signer has a typo,
# `raw_byutes`, and fails for everyone).
sign() {
  local name=$1; shift
  local err
  if ! err=$(ms "$@" 2>&1 >/dev/null); then
    echo "$name: $(printf '%s\n' "$err" | grep -v '^ ' | tail -1)" >> "$d/NOT-SIGNED.txt"
  fi
}
for v in "${versions[@]}"; do
  ms() { "$venvs/$v/bin/python" scripts/model-signing-offline.py "$@"; }
  d="$out/$v"
  rm -rf "$d"
  mkdir -p "$d"
  sign dir-key-p256.sig sign key "$out/model" --private_key "$out/pki/p256.key" --signature "$d/dir-key-p256.sig"
  sign dir-key-p384.sig sign key "$out/model" --private_key "$out/pki/p384.key" --signature "$d/dir-key-p384.sig"
  sign dir-key-p521.sig sign key "$out/model" --private_key "$out/pki/p521.key" --signature "$d/dir-key-p521.sig"
  sign dir-cert.sig sign certificate "$out/model" --private_key "$out/pki/leaf.key" \
    --signing_certificate "$out/pki/leaf.pem" --certificate_chain "$out/pki/chain.pem" \
    --signature "$d/dir-cert.sig"
  sign file-key-p256.sig sign key "$out/single/model.bin" --private_key "$out/pki/p256.key" \
    --signature "$d/file-key-p256.sig"
  if ! "$venvs/$v/bin/python" - "$out" "$d" 2>/dev/null <<'PY'
import sys
import model_signing
out, d = sys.argv[1:3]
hashing = model_signing.hashing.Config().use_shard_serialization()
config = model_signing.signing.Config().use_elliptic_key_signer(private_key=f"{out}/pki/p256.key")
config.set_hashing_config(hashing).sign(f"{out}/model", f"{d}/dir-shards-p256.sig")
PY
  then
    echo "dir-shards-p256.sig: no shard serialisation in this release's API" >> "$d/NOT-SIGNED.txt"
  fi
  # Each release accepts its own signatures.
  ms verify key "$out/model" --public_key "$out/pki/p256.pub" --signature "$d/dir-key-p256.sig" >/dev/null
  echo "$v: $(find "$d" -name '*.sig' | wc -l) signatures"
done
