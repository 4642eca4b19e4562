//! Crafted releases: a copy of testdata/release re-signed with
//! testdata/keyed/key.pem, whose signed documents a test may then rewrite
//! and sign again. This is the attacker who holds the builder's key (or
//! the builder's own bugs): every signature verifies, so only the
//! verifier's other checks stand between the crafted release and a pass.

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};

/// The three signed documents of a release.
#[derive(Clone, Copy)]
pub enum Doc {
    /// `attestations/provenance.sigstore.json`.
    Provenance,
    /// `attestations/aibom.sigstore.json`.
    Aibom,
    /// `model.sig`.
    ModelSignature,
}

/// A release in a temporary folder, signed with the test key.
pub struct Crafted {
    _tmp: tempfile::TempDir,
    /// The release folder (`model/`, `attestations/`, `model.sig`, ...).
    pub root: PathBuf,
}

fn keyed() -> PathBuf {
    super::testdata().join("keyed")
}

impl Crafted {
    /// testdata/release, re-signed (statements unchanged).
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("release");
        copy_tree(&super::testdata().join("release"), &root);
        std::fs::copy(keyed().join("key.pub"), root.join("key.pub")).unwrap();
        let c = Crafted { _tmp: tmp, root };
        for doc in [Doc::ModelSignature, Doc::Provenance, Doc::Aibom] {
            c.edit(doc, |_| {});
        }
        c
    }

    /// Where `doc` is.
    pub fn path(&self, doc: Doc) -> PathBuf {
        match doc {
            Doc::Provenance => self.root.join("attestations/provenance.sigstore.json"),
            Doc::Aibom => self.root.join("attestations/aibom.sigstore.json"),
            Doc::ModelSignature => self.root.join("model.sig"),
        }
    }

    /// The statement `doc` signs.
    pub fn statement(&self, doc: Doc) -> Value {
        let bundle: Value =
            serde_json::from_slice(&std::fs::read(self.path(doc)).unwrap()).unwrap();
        let payload = bundle["dsseEnvelope"]["payload"].as_str().unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    }

    /// Rewrite the statement `doc` signs and sign it again.
    pub fn edit(&self, doc: Doc, f: impl FnOnce(&mut Value)) {
        let mut statement = self.statement(doc);
        f(&mut statement);
        let signer = super::synthetic::signer();
        let bundle = signer
            .sign_statement(&serde_json::to_vec(&statement).unwrap())
            .unwrap();
        std::fs::write(self.path(doc), bundle).unwrap();
    }

    /// Rewrite the ML-BOM, consistently: its statement, `aibom.cdx.json`,
    /// and the provenance's byproduct digest of that file, all re-signed.
    pub fn edit_bom(&self, f: impl FnOnce(&mut Value)) {
        let mut predicate = Value::Null;
        self.edit(Doc::Aibom, |st| {
            f(&mut st["predicate"]);
            predicate = st["predicate"].clone();
        });
        let bytes = serde_json::to_vec_pretty(&predicate).unwrap();
        std::fs::write(self.root.join("aibom.cdx.json"), &bytes).unwrap();
        let digest = hex::encode(Sha256::digest(&bytes));
        self.edit(Doc::Provenance, |st| {
            for b in st["predicate"]["runDetails"]["byproducts"]
                .as_array_mut()
                .unwrap()
            {
                if b["name"] == "aibom.cdx.json" {
                    b["digest"]["sha256"] = Value::String(digest.clone());
                }
            }
        });
    }

    /// `slsa-aibom-verify model` on this release with the test key, plus `args`.
    pub fn verify(&self, args: &[&str]) -> std::process::Output {
        let mut all: Vec<String> = vec![
            "model".into(),
            self.root.join("model").display().to_string(),
            "--key".into(),
            self.root.join("key.pub").display().to_string(),
        ];
        all.extend(args.iter().map(|a| a.to_string()));
        super::cli(&all)
    }

    /// Write a policy file into the temporary folder; returns its path.
    pub fn policy(&self, toml: &str) -> String {
        let path = self.root.parent().unwrap().join("policy.toml");
        std::fs::write(&path, format!("version = 1\n{toml}")).unwrap();
        path.display().to_string()
    }
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
