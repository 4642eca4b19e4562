//! CLI behaviour on our own keyed fixtures (testdata/keyed): verification,
//! tampering of every kind, and malformed input. Needs no ../shared.

use crate::common::{cli, code, copy_dir, testdata};
use serde_json::Value;
use std::path::Path;

const BUILDER: &str =
    "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1";

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn verify(bundle: &Path, subject: &Path, extra: &[&str]) -> (i32, Value) {
    let k = testdata().join("keyed/key.pub");
    let mut a = vec![
        "verify-bundle".into(),
        "--bundle".into(),
        s(bundle),
        "--key".into(),
        s(&k),
        "--format".into(),
        "json".into(),
    ];
    a.extend(extra.iter().map(|x| x.to_string()));
    a.push(s(subject));
    let out = cli(&a);
    (
        code(&out),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn provenance_verifies_with_builder_id() {
    let d = testdata().join("keyed");
    let (c, j) = verify(
        &d.join("provenance.sigstore.json"),
        &d.join("artifact.bin"),
        &["--builder-id", BUILDER],
    );
    assert_eq!(c, 0, "{j:#}");
    assert_eq!(j["verified"], true);
    let checks = j["results"][0]["checks"].as_array().unwrap();
    assert!(checks
        .iter()
        .any(|c| c["name"] == "provenance.builder-id" && c["status"] == "pass"));
}

#[test]
fn wrong_builder_id_is_an_identity_failure() {
    let d = testdata().join("keyed");
    let (c, j) = verify(
        &d.join("provenance.sigstore.json"),
        &d.join("artifact.bin"),
        &["--builder-id", "https://evil.example/builder"],
    );
    assert_eq!(c, 4, "{j:#}");
    let fail = j["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "fail")
        .unwrap()
        .clone();
    assert_eq!(fail["expected"], "https://evil.example/builder");
    assert_eq!(fail["actual"], BUILDER);
}

#[test]
fn tampered_artifact_is_a_digest_failure() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("artifact.bin");
    let mut bytes = std::fs::read(testdata().join("keyed/artifact.bin")).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&a, bytes).unwrap();
    let (c, j) = verify(&testdata().join("keyed/provenance.sigstore.json"), &a, &[]);
    assert_eq!(c, 5, "{j:#}");
    assert_eq!(j["results"][0]["failure"]["class"], "digest");
}

#[test]
fn every_tampered_statement_field_breaks_the_signature() {
    let d = testdata().join("keyed");
    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("provenance.sigstore.json")).unwrap())
            .unwrap();
    let b64 = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        bundle["dsseEnvelope"]["payload"].as_str().unwrap(),
    )
    .unwrap();
    let statement: Value = serde_json::from_slice(&b64).unwrap();
    let t = tempfile::tempdir().unwrap();
    let mut tried = 0;
    for pointer in [
        "/predicateType",
        "/subject/0/name",
        "/subject/0/digest/sha256",
        "/predicate/runDetails/builder/id",
        "/predicate/buildDefinition/buildType",
        "/predicate/runDetails/metadata/invocationId",
    ] {
        let mut st = statement.clone();
        let v = st.pointer_mut(pointer).unwrap();
        let old = v.as_str().unwrap().to_string();
        *v = Value::String(format!("{}x", &old[..old.len() - 1]));
        let mut b = bundle.clone();
        b["dsseEnvelope"]["payload"] = Value::String(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            serde_json::to_vec(&st).unwrap(),
        ));
        let p = t.path().join("b.json");
        std::fs::write(&p, serde_json::to_vec(&b).unwrap()).unwrap();
        let (c, j) = verify(&p, &d.join("artifact.bin"), &[]);
        assert_eq!(c, 3, "{pointer}: {j:#}");
        tried += 1;
    }
    assert_eq!(tried, 6);
}

#[test]
fn wrong_key_is_a_crypto_failure() {
    let t = tempfile::tempdir().unwrap();
    let other = t.path().join("other.pub");
    // A different valid P-256 key: the public key of the conformance-style fixture is not ours.
    std::fs::write(&other, "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeGa6ZCZn0q6WpaUwJrSk+PPYEsca\n3Xkk3UrxvbQtoZzTmq0zIYq+4QQl0YBedSyy+XcwAMaUWTouTrB05WhYtg==\n-----END PUBLIC KEY-----\n").unwrap();
    let d = testdata().join("keyed");
    let out = cli(&[
        "verify-bundle".into(),
        "--bundle".into(),
        s(&d.join("provenance.sigstore.json")),
        "--key".into(),
        s(&other),
        s(&d.join("artifact.bin")),
    ]);
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn model_directory_changes_are_named() {
    let t = tempfile::tempdir().unwrap();
    let m = t.path().join("model");
    copy_dir(&testdata().join("keyed/model"), &m);
    let sig = testdata().join("keyed/model.sig");
    assert_eq!(verify(&sig, &m, &[]).0, 0);

    std::fs::write(m.join("weights/model.safetensors"), b"swapped").unwrap();
    std::fs::write(m.join("extra.bin"), b"x").unwrap();
    std::fs::remove_file(m.join("config.json")).unwrap();
    let (c, j) = verify(&sig, &m, &[]);
    assert_eq!(c, 5, "{j:#}");
    let msg = j["results"][0]["failure"]["message"].as_str().unwrap();
    for want in [
        "changed files: weights/model.safetensors",
        "missing files: config.json",
        "extra files: extra.bin",
    ] {
        assert!(msg.contains(want), "{msg}");
    }
    let ignored = verify(&sig, &m, &["--ignore-paths", "extra.bin"]).1;
    let msg = ignored["results"][0]["failure"]["message"]
        .as_str()
        .unwrap();
    assert!(!msg.contains("extra") && msg.contains("changed"), "{msg}");
}

#[test]
fn bad_input_is_a_clear_input_error_never_a_panic() {
    let t = tempfile::tempdir().unwrap();
    let art = testdata().join("keyed/artifact.bin");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("binary", vec![0xff, 0xfe, 0x00, 0x9c]),
        ("truncated", br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"#.to_vec()),
        ("array", b"[1,2,3]".to_vec()),
        ("unknown-media-type", br#"{"mediaType":"text/plain","verificationMaterial":{},"dsseEnvelope":{}}"#.to_vec()),
        ("dsse-bad-base64", br#"{"payloadType":"application/vnd.in-toto+json","payload":"***","signatures":[{"sig":"AA=="}]}"#.to_vec()),
    ];
    for (name, bytes) in cases {
        let p = t.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let (c, j) = verify(&p, &art, &[]);
        assert_eq!(c, 2, "{name}: {j:#}");
        assert_eq!(j["verified"], false, "{name}");
    }
    // Missing files and bad flags.
    let (c, _) = verify(&t.path().join("nope.json"), &art, &[]);
    assert_eq!(c, 2);
    let out = cli(&[
        "verify-bundle".into(),
        "--bundle".into(),
        s(&testdata().join("keyed/provenance.sigstore.json")),
        "no-such-artifact".into(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-artifact"));
    let (c, _) = verify(
        &testdata().join("keyed/provenance.sigstore.json"),
        &art,
        &["--certificate-identity", "x"],
    );
    assert_eq!(c, 2, "identity flags cannot apply to a keyed signature");
    let bad_root = t.path().join("root.json");
    std::fs::write(&bad_root, "{}").unwrap();
    let (c, _) = verify(
        &testdata().join("keyed/provenance.sigstore.json"),
        &art,
        &["--trusted-root", &s(&bad_root)],
    );
    assert_eq!(c, 2);
}

#[test]
fn keyed_bundle_without_key_asks_for_one() {
    let d = testdata().join("keyed");
    let out = cli(&[
        "verify-bundle".into(),
        "--bundle".into(),
        s(&d.join("provenance.sigstore.json")),
        "--certificate-identity".into(),
        "x".into(),
        "--format".into(),
        "json".into(),
        s(&d.join("artifact.bin")),
    ]);
    assert_eq!(code(&out), 2);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["results"][0]["failure"]["message"]
        .as_str()
        .unwrap()
        .contains("--key"));
}

#[test]
fn dataset_proofs_via_cli() {
    use slsa_aibom_verify::commitment::{Commitment, Record};
    let rows = (0..20)
        .map(|i| Record {
            key: format!("row{i:03}"),
            data: vec![i as u8; 8],
        })
        .collect();
    let c = Commitment::new(rows).unwrap();
    let t = tempfile::tempdir().unwrap();
    let run_for = |proved: &str, asked: &str, root: &str| {
        let p = t.path().join(format!("{proved}.json"));
        std::fs::write(&p, serde_json::to_vec(&c.prove(proved)).unwrap()).unwrap();
        let out = cli(&[
            "dataset-proof".into(),
            "--root".into(),
            root.into(),
            "--proof".into(),
            s(&p),
            "--key".into(),
            asked.into(),
        ]);
        (
            code(&out),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        )
    };
    let run = |key: &str, root: &str| run_for(key, key, root);
    assert_eq!(run("row007", &c.root()), (0, "present \"row007\"".into()));
    assert_eq!(run("row007x", &c.root()), (0, "absent \"row007x\"".into()));
    assert_eq!(run("row007", &"0".repeat(64)).0, 3);
    // A valid proof about another key answers nothing about this one.
    assert_eq!(run_for("row008", "row007x", &c.root()).0, 2);
    assert_eq!(run_for("row007x", "row007", &c.root()).0, 2);
}

/// A key and a private PKI are two trust anchors: asking for both is
/// refused before any evidence is read.
#[test]
fn a_key_and_a_certificate_chain_are_refused_together() {
    let d = testdata().join("keyed");
    let o = cli(&[
        "verify-bundle".to_string(),
        "--bundle".into(),
        s(&d.join("provenance.sigstore.json")),
        "--key".into(),
        s(&d.join("key.pub")),
        "--certificate-chain".into(),
        s(&d.join("key.pub")),
        s(&d.join("artifact.bin")),
    ]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("mutually exclusive"));
}

/// A setting that does not fit the evidence is named as data: the CLI
/// renders it as its flag, the library as its API name, and the data says
/// which setting it is.
#[test]
fn a_missing_key_is_named_as_the_flag_by_the_cli_and_as_the_api_by_the_library() {
    use slsa_aibom_verify::{Inputs, Policy, Setting, Subject, Verifier};
    let d = testdata().join("keyed");
    let bundle = d.join("provenance.sigstore.json");
    let subject = d.join("artifact.bin");
    let out = cli(&[
        "verify-bundle".into(),
        "--bundle".into(),
        s(&bundle),
        "--format".into(),
        "json".into(),
        s(&subject),
    ]);
    assert_eq!(code(&out), 2);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cli_text = "bundle is signed with a managed key; pass its public key with --key";
    assert_eq!(j["results"][0]["failure"]["message"], cli_text, "{j:#}");

    let report = Verifier::new(Policy::default()).unwrap().verify(&Inputs {
        evidence: bundle,
        subjects: vec![Subject::File(subject)],
    });
    let failure = report
        .failure()
        .expect("a keyed bundle without a key fails");
    assert_eq!(
        failure.message(),
        "bundle is signed with a managed key; pass its public key with `TrustAnchor::Key`"
    );
    assert!(!failure.message().contains("--"));
    let problem = failure.setting_problem().expect("typed");
    assert_eq!(
        problem,
        &slsa_aibom_verify::SettingProblem::KeyedBundleWithoutKey
    );
    assert_eq!(problem.settings(), &[Setting::Key]);
}

/// Keys of every type `--key` takes, each signature made by a real tool
/// (openssl 3.0, `scripts/make-dsse-key-fixtures.sh`, testdata/dsse-keys):
/// Ed25519, RSA 2048 PKCS#1 v1.5, RSA 3072 and 4096 PSS (issue 32, item 3;
/// PSS failed before: an RSA key was tried with PKCS#1 v1.5 only). Each
/// verifies with its key, fails with another key (3) and over a changed
/// artifact (5). The P-256, P-384 and P-521 keys are model_signing's
/// (`model_signing_releases`).
#[test]
fn dsse_envelopes_signed_with_ed25519_and_rsa_keys_verify_with_theirs_only() {
    let dir = testdata().join("dsse-keys");
    let names = ["ed25519", "rsa2048-pkcs1", "rsa3072-pss", "rsa4096-pss"];
    let run = |name: &str, key: &str, artifact: &Path| {
        let out = cli(&[
            "verify-bundle".into(),
            "--bundle".into(),
            s(&dir.join(format!("{name}.dsse.json"))),
            "--key".into(),
            s(&dir.join(format!("{key}.pub"))),
            s(artifact),
        ]);
        (
            code(&out),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let tmp = tempfile::tempdir().unwrap();
    let changed = tmp.path().join("artifact.txt");
    std::fs::write(&changed, "another artifact\n").unwrap();
    for (i, name) in names.iter().enumerate() {
        let (c, out) = run(name, name, &dir.join("artifact.txt"));
        assert_eq!(c, 0, "{name}: {out}");
        let other = names[(i + 1) % names.len()];
        let (c, out) = run(name, other, &dir.join("artifact.txt"));
        assert_eq!(c, 3, "{name} with {other}'s key: {out}");
        let (c, out) = run(name, name, &changed);
        assert_eq!(c, 5, "{name} over another artifact: {out}");
    }
}
