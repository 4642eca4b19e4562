#!/usr/bin/env python3
"""Build the TUF repositories the trust-update tests serve, with python-tuf's
Metadata API (the reference implementation), as a mirror would hold them at
successive moments.

usage: make-tuf-repo.py OUT TRUSTED_ROOT_A TRUSTED_ROOT_B SIGNING_CONFIG

Writes OUT/1.root.json (the bootstrap root a client pins) and one folder per
state, each the whole served tree (metadata at the top, targets/ below, with
consistent snapshots):

  v1           root v1; targets v1 carry TRUSTED_ROOT_A and SIGNING_CONFIG
  v2           the same root; targets v2 carry TRUSTED_ROOT_B
  rotated      root v2 (signed by the v1 and v2 root keys) and v3 (v2 and v3
               keys), with new timestamp, snapshot and targets keys; B
  expired      v2, but the timestamp (v3) expired a day ago
  rollback     after v2: a timestamp (v3) that names snapshot v1 again
  bad-target   after v2: targets v3 list a new trusted root, but the mirror
               serves other bytes under its hash
  mix-match    after v2: snapshot v3 names targets v3, the mirror serves a
               correctly signed targets of version 2 under that name
"""
import copy
import datetime
import hashlib
import os
import shutil
import sys

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
LATER = NOW + datetime.timedelta(days=365)
ROLES = ("root", "timestamp", "snapshot", "targets")


class Mirror:
    """A repository's signing keys and every file it has published."""

    def __init__(self):
        self.signers = {r: CryptoSigner.generate_ed25519() for r in ROLES}
        root = Root(expires=LATER, consistent_snapshot=True)
        for role, signer in self.signers.items():
            root.add_key(signer.public_key, role)
        self.root = Metadata(root)
        self.files = {}
        self.targets = Metadata(Targets(expires=LATER))
        self.snapshot = Metadata(Snapshot(expires=LATER))
        self.timestamp = Metadata(Timestamp(expires=LATER))
        self.published = set()
        self.publish_root([self.signers["root"]])

    def bytes_of(self, md):
        return md.to_bytes(JSONSerializer(compact=False))

    def bump(self, role, signed):
        """Version 1 on the first publication, one more on each after."""
        if role in self.published:
            signed.version += 1
        self.published.add(role)

    def publish_root(self, signers):
        self.root.signatures.clear()
        for s in signers:
            self.root.sign(s, append=True)
        self.files[f"{self.root.signed.version}.root.json"] = self.bytes_of(self.root)

    def rotate(self):
        """A new root version with new keys for every role, signed by the
        old and the new root keys."""
        old = self.signers["root"]
        self.signers = {r: CryptoSigner.generate_ed25519() for r in ROLES}
        root = self.root.signed
        root.version += 1
        for role in ROLES:
            for keyid in list(root.roles[role].keyids):
                root.revoke_key(keyid, role)
            root.add_key(self.signers[role].public_key, role)
        self.publish_root([old, self.signers["root"]])

    def publish_targets(self, content):
        t = self.targets.signed
        self.bump("targets", t)
        t.targets = {}
        for name, data in content.items():
            t.targets[name] = TargetFile.from_data(name, data, ["sha256"])
            digest = hashlib.sha256(data).hexdigest()
            self.files[f"targets/{digest}.{name}"] = data
        self.targets.signatures.clear()
        self.targets.sign(self.signers["targets"])
        self.files[f"{t.version}.targets.json"] = self.bytes_of(self.targets)

    def publish_snapshot(self, targets_version=None):
        s = self.snapshot.signed
        self.bump("snapshot", s)
        s.meta = {"targets.json": MetaFile(version=targets_version or self.targets.signed.version)}
        self.snapshot.signatures.clear()
        self.snapshot.sign(self.signers["snapshot"])
        self.files[f"{s.version}.snapshot.json"] = self.bytes_of(self.snapshot)

    def publish_timestamp(self, snapshot_version=None, expires=LATER):
        t = self.timestamp.signed
        self.bump("timestamp", t)
        t.expires = expires
        t.snapshot_meta = MetaFile(version=snapshot_version or self.snapshot.signed.version)
        self.timestamp.signatures.clear()
        self.timestamp.sign(self.signers["timestamp"])
        self.files["timestamp.json"] = self.bytes_of(self.timestamp)

    def release(self, content):
        self.publish_targets(content)
        self.publish_snapshot()
        self.publish_timestamp()

    def write(self, out, name):
        for rel, data in self.files.items():
            path = os.path.join(out, name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)


def main():
    out, root_a, root_b, signing = sys.argv[1:5]
    read = lambda p: open(p, "rb").read()
    a, b, cfg = read(root_a), read(root_b), read(signing)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    m = Mirror()
    with open(os.path.join(out, "1.root.json"), "wb") as f:
        f.write(m.files["1.root.json"])
    m.release({"trusted_root.json": a, "signing_config.v0.2.json": cfg})
    m.write(out, "v1")
    m.release({"trusted_root.json": b, "signing_config.v0.2.json": cfg})
    m.write(out, "v2")

    after_v2 = copy.deepcopy(m)
    m.publish_timestamp(expires=NOW - datetime.timedelta(days=1))
    m.write(out, "expired")

    m = copy.deepcopy(after_v2)
    m.publish_timestamp(snapshot_version=1)
    m.write(out, "rollback")

    m = copy.deepcopy(after_v2)
    changed = b + b"\n"
    m.release({"trusted_root.json": changed, "signing_config.v0.2.json": cfg})
    served = f"targets/{hashlib.sha256(changed).hexdigest()}.trusted_root.json"
    m.files[served] = b + b" "  # the same length, other bytes
    m.write(out, "bad-target")

    m = copy.deepcopy(after_v2)
    m.publish_targets({"trusted_root.json": b, "signing_config.v0.2.json": cfg})
    m.publish_snapshot()
    m.publish_timestamp()
    # The mirror serves targets v2's (validly signed) metadata as v3.
    m.files["3.targets.json"] = m.files["2.targets.json"]
    m.write(out, "mix-match")

    m = copy.deepcopy(after_v2)
    m.rotate()
    m.rotate()
    m.release({"trusted_root.json": b, "signing_config.v0.2.json": cfg})
    m.write(out, "rotated")


if __name__ == "__main__":
    main()
