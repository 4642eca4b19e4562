//! The tamper sweep: every JSON leaf of every file of testdata/release,
//! and every leaf of each signed DSSE statement (re-encoded without
//! re-signing), is changed once, and `verify model`'s library call must
//! refuse the release, except for the fields listed in `UNSIGNED`, each
//! with the reason it may change. Large files are sampled with a fixed
//! stride, so the sweep is deterministic.

use crate::common::crafted::copy_tree;
use crate::common::testdata;
use base64::Engine as _;
use serde_json::Value;
use slsa_aibom_verify::release::rules::ValidReleasePolicy;
use slsa_aibom_verify::release::{verify_release, Release};
use slsa_aibom_verify::{Policy, PublicKey};
use std::path::{Path, PathBuf};

/// Leaves nothing signs, and why a change to them is harmless.
const UNSIGNED: &[(&str, &str)] = &[(
    "/verificationMaterial/publicKey/hint",
    "a bundle's key hint only helps pick a key; the key the verifier is given decides",
)];

/// The most leaves changed per file (evenly spaced beyond that).
const PER_FILE: usize = 150;

/// Every leaf of `v`, as a JSON pointer.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            let k = k.replace('~', "~0").replace('/', "~1");
            leaves(v, format!("{at}/{k}"), out)
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

/// A different value of the same kind.
fn changed(v: &Value) -> Value {
    match v {
        Value::String(s) if s.is_empty() => Value::from("x"),
        Value::String(s) => {
            // Flip the last character within its class (hex stays hex).
            let mut chars: Vec<char> = s.chars().collect();
            let last = chars.last_mut().unwrap();
            *last = match *last {
                '0' => '1',
                'a' => 'b',
                'A' => 'B',
                '=' => 'A',
                c if c.is_ascii_alphanumeric() => '0',
                _ => 'x',
            };
            Value::from(chars.into_iter().collect::<String>())
        }
        Value::Number(n) => match n.as_u64() {
            Some(u) => Value::from(u + 1),
            None => Value::from(n.as_f64().unwrap_or(0.0) + 0.5),
        },
        Value::Bool(b) => Value::from(!b),
        _ => Value::from(0),
    }
}

fn sample(all: Vec<String>) -> Vec<String> {
    let step = all.len().div_ceil(PER_FILE).max(1);
    all.into_iter().step_by(step).collect()
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if serde_json::from_slice::<Value>(&std::fs::read(&p).unwrap()).is_ok() {
            out.push(p);
        }
    }
}

struct Sweep {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    policy: Policy,
    accepted: Vec<String>,
    tried: usize,
}

impl Sweep {
    fn verifies(&self) -> bool {
        let release = Release::from_layout(
            &self.root.join("model"),
            &self.root.join("attestations"),
            &self.root.join("model.sig"),
        );
        let rules = ValidReleasePolicy::none();
        verify_release(&self.policy, &rules, None, &release).verified()
    }

    /// Write `mutate(original)` to `file`, verify, restore.
    fn attempt(&mut self, file: &Path, what: String, bytes: Vec<u8>) {
        let original = std::fs::read(file).unwrap();
        std::fs::write(file, bytes).unwrap();
        self.tried += 1;
        if self.verifies() && !UNSIGNED.iter().any(|(p, _)| what.ends_with(p)) {
            self.accepted.push(what);
        }
        std::fs::write(file, original).unwrap();
    }
}

#[test]
fn no_signed_or_referenced_leaf_can_change() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("release");
    copy_tree(&testdata().join("release"), &root);
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(&root.join("key.pub")).unwrap(),
        ),
        ..Policy::default()
    };
    let mut sweep = Sweep {
        _tmp: tmp,
        root: root.clone(),
        policy,
        accepted: Vec::new(),
        tried: 0,
    };
    assert!(sweep.verifies(), "the untouched release must verify");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    assert!(files.len() >= 12, "{files:?}");
    let b64 = base64::engine::general_purpose::STANDARD;
    for file in files {
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let mut all = Vec::new();
        leaves(&doc, String::new(), &mut all);
        for pointer in sample(all) {
            let mut edited = doc.clone();
            let leaf = edited.pointer_mut(&pointer).unwrap();
            *leaf = changed(leaf);
            let bytes = serde_json::to_vec_pretty(&edited).unwrap();
            sweep.attempt(&file, format!("{name}:{pointer}"), bytes);
        }
        // The signed statement inside a bundle, changed and re-encoded.
        let Some(payload) = doc.pointer("/dsseEnvelope/payload").and_then(Value::as_str) else {
            continue;
        };
        let statement: Value = serde_json::from_slice(&b64.decode(payload).unwrap()).unwrap();
        let mut all = Vec::new();
        leaves(&statement, String::new(), &mut all);
        for pointer in sample(all) {
            let mut st = statement.clone();
            let leaf = st.pointer_mut(&pointer).unwrap();
            *leaf = changed(leaf);
            let mut edited = doc.clone();
            edited["dsseEnvelope"]["payload"] =
                Value::from(b64.encode(serde_json::to_vec(&st).unwrap()));
            let bytes = serde_json::to_vec_pretty(&edited).unwrap();
            sweep.attempt(&file, format!("{name}:payload{pointer}"), bytes);
        }
    }
    assert!(sweep.tried > 500, "only {} changes tried", sweep.tried);
    assert!(
        sweep.accepted.is_empty(),
        "{} of {} changes were accepted:\n{}",
        sweep.accepted.len(),
        sweep.tried,
        sweep.accepted.join("\n")
    );
}
