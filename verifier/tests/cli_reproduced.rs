//! A reproduced release: `model --reproduction` with a second builder's
//! provenance of the keyed release in testdata/release, then a summary
//! that states SLSA_BUILD_REPRODUCED and `vsa --require-reproduced`. The
//! second builder here is the testdata key re-signing the release's own
//! provenance statement (edited where a case needs it); what a real
//! rebuild writes is checked end to end in the builder's command_tier
//! tests and in examples/byo-sklearn/rebuild.sh.

use crate::common::{cli, code, testdata};
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};

const REQUIRED: &str = "version = 1\n[training]\nrequire_reproduced = true\n";

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn release() -> PathBuf {
    testdata().join("release")
}

/// The release's provenance statement, edited, signed by the testdata key.
fn reproduction(dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let bundle: Value = serde_json::from_slice(
        &std::fs::read(release().join("attestations/provenance.sigstore.json")).unwrap(),
    )
    .unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let mut statement: Value = serde_json::from_slice(&payload).unwrap();
    edit(&mut statement);
    let out = dir.join("reproduction.sigstore.json");
    let signed = crate::common::synthetic::signer()
        .sign_statement(&serde_json::to_vec(&statement).unwrap())
        .unwrap();
    std::fs::write(&out, signed).unwrap();
    out
}

/// `model` on the release with `extra`, as JSON: (exit code, report).
fn model(extra: &[String]) -> (i32, Value) {
    let mut a: Vec<String> = vec![
        "model".into(),
        s(&release().join("model")),
        "--key".into(),
        s(&release().join("key.pub")),
        "--format".into(),
        "json".into(),
    ];
    a.extend(extra.iter().cloned());
    let o = cli(&a);
    let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (code(&o), v)
}

fn with(reproduction: &Path, key: &Path) -> Vec<String> {
    vec![
        "--reproduction".into(),
        s(reproduction),
        "--reproducer-key".into(),
        s(key),
    ]
}

fn failed(v: &Value) -> String {
    v["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["status"] == "fail"))
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .or_else(|| {
            v["parts"]
                .as_array()?
                .iter()
                .find(|p| p["verified"] == false)
                .map(|p| format!("{} part", p["document"].as_str().unwrap_or_default()))
        })
        .unwrap_or_default()
}

fn statement_of(bundle: &Path) -> Value {
    let bundle: Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn a_second_builder_s_provenance_makes_the_summary_say_reproduced() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, REQUIRED).unwrap();
    let r = reproduction(dir.path(), |_| {});
    let second = testdata().join("keyed/key.pub");
    let vsa = dir.path().join("vsa.json");
    let mut args = with(&r, &second);
    args.extend(
        [
            "--policy",
            &s(&policy),
            "--vsa-out",
            &s(&vsa),
            "--vsa-key",
            &s(&testdata().join("keyed/key.pem")),
        ]
        .map(String::from),
    );
    let (c, v) = model(&args);
    assert_eq!(c, 0, "{v:#}");
    let names: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for n in [
        "reproduction.subjects",
        "reproduction.inputs",
        "reproduction.independent",
        "policy.training.reproduced",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let answer = v["passport"]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["question"] == "Did a second builder reproduce it?")
        .unwrap();
    assert!(
        answer["answer"]
            .as_str()
            .unwrap()
            .starts_with("yes: key sha256:"),
        "{answer}"
    );
    let st = statement_of(&vsa);
    let levels = &st["predicate"]["verifiedLevels"];
    assert_eq!(
        levels,
        &serde_json::json!(["SLSA_BUILD_LEVEL_1", "SLSA_BUILD_REPRODUCED"])
    );
    assert_eq!(
        st["predicate"]["inputAttestations"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "the reproduction is an input attestation"
    );
    let check = |bundle: &Path| {
        let o = cli(&[
            "vsa",
            "--bundle",
            &s(bundle),
            "--key",
            &s(&second),
            "--model-dir",
            &s(&release().join("model")),
            "--policy",
            &s(&policy),
            "--require-reproduced",
            "--format",
            "json",
        ]
        .map(String::from));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        (code(&o), v)
    };
    let (c, v) = check(&vsa);
    assert_eq!(c, 0, "{v:#}");

    // The same release without the reproduction: the summary does not say
    // it, and a gate that requires it refuses the summary.
    std::fs::write(&policy, "version = 1\n").unwrap();
    let (c, v) = model(&[
        "--policy".into(),
        s(&policy),
        "--vsa-out".into(),
        s(&vsa),
        "--vsa-key".into(),
        s(&testdata().join("keyed/key.pem")),
    ]);
    assert_eq!(c, 0, "{v:#}");
    assert_eq!(
        statement_of(&vsa)["predicate"]["verifiedLevels"],
        serde_json::json!(["SLSA_BUILD_LEVEL_1"])
    );
    let (c, v) = check(&vsa);
    let name = v["results"][0]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["status"] == "fail"))
        .map(|c| c["name"].clone());
    assert_eq!((c, name), (6, Some(Value::from("vsa.reproduced"))), "{v:#}");
}

#[test]
fn a_reproduction_that_differs_or_is_the_release_s_own_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let second = testdata().join("keyed/key.pub");
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 4] = [
        // A model file the rebuild made differently: its signature does not
        // cover the release's file.
        ("reproduction part", |st| {
            st["subject"][0]["digest"]["sha256"] = Value::from("00".repeat(32));
        }),
        // A file the release does not have.
        ("reproduction.subjects", |st| {
            let extra =
                serde_json::json!({"name": "extra.bin", "digest": {"sha256": "22".repeat(32)}});
            st["subject"].as_array_mut().unwrap().push(extra);
        }),
        ("reproduction.inputs", |st| {
            let deps = st["predicate"]["buildDefinition"]["resolvedDependencies"]
                .as_array_mut()
                .unwrap();
            let data = deps
                .iter_mut()
                .find(|d| d["name"].as_str().unwrap().starts_with("dataset:"))
                .unwrap();
            data["digest"]["sha256"] = Value::from("11".repeat(32));
        }),
        ("reproduction.inputs", |st| {
            st["predicate"]["buildDefinition"]["buildType"] =
                Value::from("https://example.com/other");
        }),
    ];
    for (check, edit) in cases {
        let r = reproduction(dir.path(), edit);
        let (c, v) = model(&with(&r, &second));
        // Digest failures exit 5.
        assert_eq!((c, failed(&v)), (5, check.to_string()), "{v:#}");
    }
    // The release's own provenance, under the release's own key: not a
    // second builder.
    let own = release().join("attestations/provenance.sigstore.json");
    let (c, v) = model(&with(&own, &release().join("key.pub")));
    assert_eq!(
        (c, failed(&v)),
        (6, "reproduction.independent".to_string()),
        "{v:#}"
    );
    // Signed by someone other than the reproducer named: its signature fails.
    let r = reproduction(dir.path(), |_| {});
    let (c, v) = model(&with(&r, &release().join("key.pub")));
    assert_ne!(c, 0, "{v:#}");
    assert_eq!(failed(&v), "reproduction part", "{v:#}");
    // A policy that requires a reproduction, and none given.
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, REQUIRED).unwrap();
    let (c, v) = model(&["--policy".into(), s(&policy)]);
    assert_eq!(
        (c, failed(&v)),
        (6, "policy.training.reproduced".to_string()),
        "{v:#}"
    );
    // A reproduction without a signer to hold it to: a usage error.
    let o = cli(&[
        "model",
        &s(&release().join("model")),
        "--key",
        &s(&release().join("key.pub")),
        "--reproduction",
        &s(&r),
    ]
    .map(String::from));
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--reproducer-key"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
