//! The inventory over synthetic signed releases (tests/common/synthetic.rs).

use crate::common::synthetic::{self, sha, Spec};
use crate::common::{cli, code, testdata};
use slsa_aibom_verify::inventory::Inventory;
use slsa_aibom_verify::{Policy, PublicKey};
use std::path::Path;

fn keyed() -> Policy {
    Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(&testdata().join("keyed/key.pub")).unwrap(),
        ),
        ..Policy::default()
    }
}

/// base ← tuned ← tuned2 (lineage), plus two models on another dataset
/// with other candle versions; returns (dir, weights of tuned2).
fn corpus() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let signer = synthetic::signer();
    let d1 = sha("dataset one");
    let d2 = sha("dataset two");
    let base = synthetic::write(
        &signer,
        dir.path(),
        &Spec {
            name: "base",
            dataset: d1.clone(),
            candle: "0.9.1",
            base: None,
        },
    );
    let tuned = synthetic::write(
        &signer,
        dir.path(),
        &Spec {
            name: "tuned",
            dataset: d2.clone(),
            candle: "0.11.1",
            base: Some(base),
        },
    );
    let tuned2 = synthetic::write(
        &signer,
        dir.path(),
        &Spec {
            name: "tuned2",
            dataset: d2.clone(),
            candle: "0.11.1",
            base: Some(tuned),
        },
    );
    synthetic::write(
        &signer,
        dir.path(),
        &Spec {
            name: "other",
            dataset: d1,
            candle: "0.9.3",
            base: None,
        },
    );
    synthetic::write(
        &signer,
        dir.path(),
        &Spec {
            name: "orphan",
            dataset: d2,
            candle: "0.11.0",
            base: Some(sha("unknown base")),
        },
    );
    (dir, tuned2)
}

fn names(models: Vec<&slsa_aibom_verify::inventory::Model>) -> Vec<String> {
    let mut n: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
    n.sort();
    n
}

#[test]
fn queries_answer_from_verified_statements_only() {
    let (dir, tuned2) = corpus();
    let inv = Inventory::build(&keyed(), &[dir.path().to_path_buf()], Some(2)).unwrap();
    assert_eq!(inv.models().len(), 5, "{:?}", inv.rejected());
    assert!(inv.rejected().is_empty());
    // Provenance and ML-BOM of one model merge into one entry.
    assert!(inv.models().iter().all(|m| m.evidence.len() == 2));
    assert_eq!(
        names(inv.trained_on(&sha("dataset one"))),
        ["base@1.0.0", "other@1.0.0"]
    );
    assert_eq!(
        names(inv.trained_on(&sha("dataset two"))),
        ["orphan@1.0.0", "tuned2@1.0.0", "tuned@1.0.0"]
    );
    assert!(inv.trained_on(&sha("nothing")).is_empty());
    let range = |r: &str| semver::VersionReq::parse(r).unwrap();
    assert_eq!(
        names(inv.using("candle-core", &range(">=0.9.0, <0.9.2"))),
        ["base@1.0.0"]
    );
    assert_eq!(
        names(inv.using("candle-core", &range("^0.11"))),
        ["orphan@1.0.0", "tuned2@1.0.0", "tuned@1.0.0"]
    );
    assert_eq!(inv.using("slsa-aibom-builder", &range("=0.1.0")).len(), 5);
    // Keyed evidence has no certificate, so no builder commit.
    assert!(inv.from_builder_commit("2222222").is_empty());
    // Lineage: by a weights digest or by name.
    let chain: Vec<&str> = inv
        .lineage(&format!("sha256:{tuned2}"))
        .unwrap()
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(chain, ["tuned2@1.0.0", "tuned@1.0.0", "base@1.0.0"]);
    let chain = inv.lineage("orphan@1.0.0").unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(
        chain[0].base_model.as_deref(),
        Some(sha("unknown base").as_str()),
        "the unvouched base stays visible"
    );
    assert!(inv.lineage("no-such-model").is_err());
}

#[test]
fn evidence_that_does_not_verify_is_listed_and_not_indexed() {
    let (dir, _) = corpus();
    // One statement edited after signing.
    let file = dir.path().join("base/aibom.sigstore.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = String::from_utf8(
        b64.decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    bundle["dsseEnvelope"]["payload"] = b64.encode(payload.replace("0.9.1", "0.11.1")).into();
    std::fs::write(&file, bundle.to_string()).unwrap();
    std::fs::write(dir.path().join("junk.jsonl"), "not json\n").unwrap();
    let inv = Inventory::build(&keyed(), &[dir.path().to_path_buf()], None).unwrap();
    assert_eq!(inv.rejected().len(), 2, "{:?}", inv.rejected());
    assert!(inv
        .rejected()
        .iter()
        .any(|r| r.file.ends_with("aibom.sigstore.json")
            && r.reason.starts_with("not signed by the given key: signed by another key, or changed after signing ([crypto]")));
    // The forged version is not believed: base is known from its provenance only.
    let range = semver::VersionReq::parse("^0.11").unwrap();
    assert!(!inv
        .using("candle-core", &range)
        .iter()
        .any(|m| m.files.iter().any(|(_, d)| *d == sha("weights of base"))));
    // Another key: nothing verifies, nothing is indexed.
    let other = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(&testdata().join("release/key.pub")).unwrap(),
        ),
        ..Policy::default()
    };
    let inv = Inventory::build(&other, &[dir.path().to_path_buf()], None).unwrap();
    assert!(inv.models().is_empty());
    assert_eq!(inv.rejected().len(), 11);
    assert!(
        inv.rejected()
            .iter()
            .filter(|r| r.file.ends_with(".sigstore.json"))
            .all(|r| r.reason.contains("signed by another key")),
        "{:?}",
        inv.rejected()
    );
}

/// The WEIGHTS column and `Model::weights` name the weights file, not the
/// digest that sorts last (issue 33, item 6): the keyed release fixture has
/// `config.json` and `model.safetensors`.
#[test]
fn the_weights_are_the_weights_file() {
    let release = testdata().join("release");
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(&release.join("key.pub")).unwrap(),
        ),
        ..Policy::default()
    };
    let inv = Inventory::build(&policy, &[release.join("attestations")], None).unwrap();
    let model = &inv.models()[0];
    let weights = slsa_aibom_verify::documents::hashing::sha256_file(
        &release.join("model/model.safetensors"),
    )
    .unwrap();
    let (name, digest) = model.weights().unwrap();
    assert_eq!(
        (name.as_str(), digest.as_str()),
        ("model.safetensors", hex::encode(weights).as_str())
    );
    let o = cli(&[
        "inventory".into(),
        release.join("attestations").display().to_string(),
        "--key".into(),
        release.join("key.pub").display().to_string(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&hex::encode(weights)[..12]), "{out}");
}

fn run(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut a = vec![
        "inventory".to_string(),
        dir.display().to_string(),
        "--key".into(),
    ];
    a.push(testdata().join("keyed/key.pub").display().to_string());
    a.extend(extra.iter().map(|s| s.to_string()));
    let o = cli(&a);
    (
        code(&o),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn the_cli_prints_tables_and_json_and_refuses_bad_queries() {
    let (dir, tuned2) = corpus();
    let (c, out, err) = run(
        dir.path(),
        &["--dataset", &format!("sha256:{}", sha("dataset one"))],
    );
    assert_eq!(c, 0, "{err}");
    assert!(
        out.contains("5 model(s) indexed") && out.contains("2 match"),
        "{out}"
    );
    assert!(
        out.contains("base@1.0.0") && out.contains("other@1.0.0") && !out.contains("tuned"),
        "{out}"
    );
    let (c, out, _) = run(
        dir.path(),
        &["--uses", "candle-core@>=0.9.0, <0.9.2", "--format", "json"],
    );
    assert_eq!(c, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["models"].as_array().unwrap().len(), 1);
    assert_eq!(v["models"][0]["name"], "base@1.0.0");
    let (c, out, _) = run(dir.path(), &["--lineage", &format!("sha256:{tuned2}")]);
    assert_eq!(c, 0);
    assert!(out.contains("^2") && out.contains("base@1.0.0"), "{out}");
    let (c, out, _) = run(dir.path(), &["--lineage", "orphan@1.0.0"]);
    assert_eq!(c, 0);
    assert!(
        out.contains("no verified attestation here vouches for"),
        "{out}"
    );
    // What did not verify is counted in words.
    std::fs::write(dir.path().join("junk.jsonl"), "not json\n").unwrap();
    let (c, out, _) = run(dir.path(), &[]);
    assert_eq!(c, 0);
    assert!(out.contains("\n1 evidence entry did not verify"), "{out}");
    std::fs::write(dir.path().join("junk2.jsonl"), "not json\n").unwrap();
    let (_, out, _) = run(dir.path(), &[]);
    assert!(out.contains("\n2 evidence entries did not verify"), "{out}");
    for bad in [
        ["--uses", "candle-core"],
        ["--uses", "candle-core@not a range"],
        ["--dataset", "md5:00"],
        ["--builder-commit", "xyz"],
    ] {
        let (c, _, err) = run(dir.path(), &bad);
        assert_eq!(c, 2, "{bad:?}: {err}");
    }
    let (c, _, err) = run(Path::new("no/such/dir"), &[]);
    assert_eq!(c, 2, "{err}");
}
