#!/usr/bin/env python3
"""Regenerate testdata/keyed: our own keyed fixtures for the verifier.

A throwaway ECDSA P-256 key (TEST ONLY, committed on purpose), an artifact,
SLSA v1 provenance for it in a Sigstore bundle v0.3 signed with that key, and
a small model directory with an OpenSSF model signature (v1.0 predicate).
These stand in for the builder's output until the builder exists; nothing here
comes from ../shared/vectors. Needs the Python `cryptography` package.
"""
import base64, hashlib, json, os, pathlib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

OUT = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "keyed"
BUILDER = "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1"
OUT.mkdir(parents=True, exist_ok=True)

key_path = OUT / "key.pem"
if key_path.exists():
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
else:
    key = ec.generate_private_key(ec.SECP256R1())
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
pub_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
(OUT / "key.pub").write_bytes(pub_pem)

def bundle(statement):
    payload = json.dumps(statement, indent=2, sort_keys=True).encode()
    ptype = b"application/vnd.in-toto+json"
    pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
    sig = key.sign(pae, ec.ECDSA(hashes.SHA256()))
    return {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": hashlib.sha256(pub_pem).hexdigest()}, "tlogEntries": []},
        "dsseEnvelope": {"payload": base64.b64encode(payload).decode(), "payloadType": ptype.decode(),
                         "signatures": [{"sig": base64.b64encode(sig).decode(), "keyid": ""}]},
    }

artifact = b"slsa-aibom test artifact\n" * 64
(OUT / "artifact.bin").write_bytes(artifact)
provenance = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "artifact.bin", "digest": {"sha256": hashlib.sha256(artifact).hexdigest()}}],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {
        "buildDefinition": {"buildType": "https://github.com/ORG/slsa-aibom/buildtypes/train/v1",
                            "externalParameters": {"job": "examples/job.toml"}, "resolvedDependencies": []},
        "runDetails": {"builder": {"id": BUILDER}, "metadata": {"invocationId": "local-test-fixture"}},
    },
}
(OUT / "provenance.sigstore.json").write_text(json.dumps(bundle(provenance), indent=2) + "\n")

model = OUT / "model"
(model / "weights").mkdir(parents=True, exist_ok=True)
files = {"config.json": b'{"layers": [4, 8, 1]}\n', "weights/model.safetensors": bytes(range(256)) * 16}
for name, data in files.items():
    (model / name).write_bytes(data)
resources = sorted(({"name": n, "algorithm": "sha256", "digest": hashlib.sha256(d).hexdigest()} for n, d in files.items()),
                   key=lambda r: pathlib.PurePosixPath(r["name"]).parts)
root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
model_sig = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "model", "digest": {"sha256": root}}],
    "predicateType": "https://model_signing/signature/v1.0",
    "predicate": {"serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": False,
                                    "ignore_paths": ["model.sig"]}, "resources": resources},
}
(OUT / "model.sig").write_text(json.dumps(bundle(model_sig), indent=2) + "\n")
print(f"wrote {OUT}")
