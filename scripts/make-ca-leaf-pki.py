"""Write testdata/ca-leaf-pki/: small PKIs whose signing certificate is
itself a CA (as model-signing's own test PKI has it), for the path builder
in verifier/src/evidence/ca_leaf_path.rs. Run with any Python that has
`cryptography` (scripts/peers.sh installs one):

    .venv-peers/bin/python scripts/make-ca-leaf-pki.py

Each case is a folder: anchor.pem (what the user supplies), chain.pem (what
a bundle carries after the leaf, in order) and leaf.pem; `expect` says
whether a path must be found.
"""

import datetime
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OUT = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "ca-leaf-pki"
NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, key, issuer, issuer_key, ca=True, path_len=None, cert_sign=True, eku=False):
    b = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, cert_sign, cert_sign, False, False),
            critical=True,
        )
    )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def write(case, expect, anchor, chain, leaf):
    d = OUT / case
    d.mkdir(parents=True, exist_ok=True)
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    (d / "anchor.pem").write_bytes(pem(anchor))
    (d / "chain.pem").write_bytes(b"".join(pem(c) for c in chain))
    (d / "leaf.pem").write_bytes(pem(leaf))
    (d / "expect").write_text(expect + "\n")


def key():
    return ec.generate_private_key(ec.SECP256R1())


root_k, int_k, leaf_k, other_k = key(), key(), key(), key()
root = cert("root", root_k, "root", root_k, path_len=1)
inter = cert("intermediate", int_k, "root", root_k, path_len=0)
leaf = cert("signer", leaf_k, "intermediate", int_k, eku=True)
write("good", "path", root, [inter], leaf)

# The root allows no CA below it, and the intermediate is one.
tight = cert("root", root_k, "root", root_k, path_len=0)
write("path-length", "none", tight, [inter], leaf)

# The intermediate is not a CA.
not_ca = cert("intermediate", int_k, "root", root_k, ca=False)
write("intermediate-not-ca", "none", root, [not_ca], leaf)

# The intermediate may not sign certificates.
no_sign = cert("intermediate", int_k, "root", root_k, path_len=0, cert_sign=False)
write("intermediate-no-cert-sign", "none", root, [no_sign], leaf)

# Two intermediates that issue each other, neither issued by the anchor:
# the search must end, with no path.
a_k, b_k = key(), key()
a = cert("intermediate", int_k, "loop-b", b_k)
b = cert("loop-b", b_k, "intermediate", int_k)
write("loop", "none", root, [a, b], leaf)

# An intermediate with the right name, signed by another key.
forged = cert("intermediate", int_k, "root", other_k, path_len=0)
write("forged-intermediate", "none", root, [forged], leaf)
