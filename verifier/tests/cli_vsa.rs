//! Verification summaries: `model --vsa-out` then `vsa`, over the keyed
//! release in testdata/release (scripts/make-release-fixture.sh).

use crate::common::{cli, code, testdata};
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};

const POLICY: &str = "version = 1\n[licenses]\nmodel = [\"Apache-2.0\"]\n[[metrics]]\nname = \"accuracy\"\nmin = 0.8\n";

fn s(p: &Path) -> String {
    p.display().to_string()
}

struct Fixture {
    dir: tempfile::TempDir,
    release: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.toml"), POLICY).unwrap();
        Fixture {
            dir,
            release: testdata().join("release"),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// `model ... --vsa-out vsa.json` with `extra` arguments.
    fn emit(&self, extra: &[&str]) -> std::process::Output {
        let mut a: Vec<String> = vec![
            "model".into(),
            s(&self.release.join("model")),
            "--key".into(),
            s(&self.release.join("key.pub")),
            "--vsa-out".into(),
            s(&self.path("vsa.json")),
        ];
        a.extend(extra.iter().map(|x| x.to_string()));
        cli(&a)
    }
    /// `vsa --bundle BUNDLE --key VSA_KEY ...`, returning (exit code, JSON report).
    fn check(&self, bundle: &Path, extra: &[&str]) -> (i32, Value) {
        let mut a: Vec<String> = vec![
            "vsa".into(),
            "--bundle".into(),
            s(bundle),
            "--key".into(),
            s(&testdata().join("keyed/key.pub")),
            "--format".into(),
            "json".into(),
        ];
        a.extend(extra.iter().map(|x| x.to_string()));
        let o = cli(&a);
        let v = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        (code(&o), v)
    }
    fn policy(&self) -> String {
        s(&self.path("policy.toml"))
    }
    fn model(&self) -> String {
        s(&self.release.join("model"))
    }
}

fn failed_check(v: &Value) -> String {
    v["results"][0]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["status"] == "fail"))
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

fn emitted(f: &Fixture) -> PathBuf {
    let o = f.emit(&[
        "--policy",
        &f.policy(),
        "--vsa-key",
        &s(&testdata().join("keyed/key.pem")),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    f.path("vsa.json")
}

/// The summary's statement, edited by `edit`, re-signed with the same key.
fn resigned(f: &Fixture, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let bundle: Value = serde_json::from_slice(&std::fs::read(emitted(f)).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let mut statement: Value = serde_json::from_slice(&payload).unwrap();
    edit(&mut statement);
    let signer = crate::common::synthetic::signer();
    let out = f.path("resigned.json");
    std::fs::write(
        &out,
        signer
            .sign_statement(&serde_json::to_vec(&statement).unwrap())
            .unwrap(),
    )
    .unwrap();
    out
}

#[test]
fn a_summary_round_trips_against_the_model_dir_the_policy_and_digests() {
    let f = Fixture::new();
    let vsa = emitted(&f);
    let (c, v) = f.check(&vsa, &["--model-dir", &f.model(), "--policy", &f.policy()]);
    assert_eq!(c, 0, "{v:#}");
    let names: Vec<&str> = v["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for n in [
        "vsa.subjects",
        "vsa.result",
        "vsa.verifier",
        "vsa.policy",
        "vsa.level",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    // The statement: VSA v1, the model's files, the policy and the inputs.
    let bundle: Value = serde_json::from_slice(&std::fs::read(&vsa).unwrap()).unwrap();
    let st: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        st["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    assert_eq!(st["subject"].as_array().unwrap().len(), 2);
    assert_eq!(
        st["predicate"]["verifiedLevels"][0], "SLSA_BUILD_LEVEL_1",
        "keyed: level 1 only"
    );
    assert_eq!(
        st["predicate"]["inputAttestations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let policy_digest = st["predicate"]["policy"]["digest"]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    // The policy by digest, and the model by one file's digest.
    let weights = slsa_aibom_verify::documents::hashing::sha256_file(
        &f.release.join("model/model.safetensors"),
    )
    .unwrap();
    let (c, v) = f.check(
        &vsa,
        &[
            &format!("sha256:{}", hex::encode(weights)),
            "--policy-digest",
            &format!("sha256:{policy_digest}"),
        ],
    );
    assert_eq!(c, 0, "{v:#}");
    // Asking for more than the summary states fails.
    let (c, v) = f.check(
        &vsa,
        &[
            "--model-dir",
            &f.model(),
            "--policy",
            &f.policy(),
            "--min-build-level",
            "3",
        ],
    );
    assert_eq!((c, failed_check(&v).as_str()), (6, "vsa.level"), "{v:#}");
}

#[test]
fn a_tampered_summary_or_a_changed_model_fails_with_the_check_named() {
    let f = Fixture::new();
    let vsa = emitted(&f);
    // The payload edited without re-signing: the signature breaks.
    let mut bundle: Value = serde_json::from_slice(&std::fs::read(&vsa).unwrap()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = String::from_utf8(
        b64.decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    bundle["dsseEnvelope"]["payload"] = b64
        .encode(payload.replace("SLSA_BUILD_LEVEL_1", "SLSA_BUILD_LEVEL_3"))
        .into();
    let tampered = f.path("tampered.json");
    std::fs::write(&tampered, bundle.to_string()).unwrap();
    let (c, v) = f.check(
        &tampered,
        &["--model-dir", &f.model(), "--policy", &f.policy()],
    );
    assert_eq!(
        (c, failed_check(&v).as_str()),
        (3, "bundle.signature"),
        "{v:#}"
    );
    // Signed by another key.
    let o = cli(&[
        "vsa".into(),
        "--bundle".into(),
        s(&vsa),
        "--key".into(),
        s(&f.release.join("key.pub")),
        "--model-dir".into(),
        f.model(),
        "--policy".into(),
        f.policy(),
    ]);
    assert_eq!(code(&o), 3);
    // Another policy file.
    std::fs::write(f.path("other.toml"), format!("{POLICY}# edited\n")).unwrap();
    let (c, v) = f.check(
        &vsa,
        &[
            "--model-dir",
            &f.model(),
            "--policy",
            &s(&f.path("other.toml")),
        ],
    );
    assert_eq!((c, failed_check(&v).as_str()), (6, "vsa.policy"), "{v:#}");
    // A model file changed, or one added.
    let copy = f.path("model");
    std::fs::create_dir(&copy).unwrap();
    for n in ["config.json", "model.safetensors"] {
        std::fs::copy(f.release.join("model").join(n), copy.join(n)).unwrap();
    }
    std::fs::write(copy.join("extra.bin"), b"x").unwrap();
    // An added or changed file's digest is no subject of the summary.
    let (c, v) = f.check(&vsa, &["--model-dir", &s(&copy), "--policy", &f.policy()]);
    assert_eq!((c, failed_check(&v).as_str()), (5, "subject"), "{v:#}");
    let (c, _) = f.check(
        &vsa,
        &[
            "--model-dir",
            &s(&copy),
            "--policy",
            &f.policy(),
            "--ignore",
            "extra.bin",
        ],
    );
    assert_eq!(c, 0);
    // A file the summary names is gone.
    std::fs::remove_file(copy.join("config.json")).unwrap();
    let (c, v) = f.check(
        &vsa,
        &[
            "--model-dir",
            &s(&copy),
            "--policy",
            &f.policy(),
            "--ignore",
            "extra.bin",
        ],
    );
    assert_eq!((c, failed_check(&v).as_str()), (5, "vsa.subjects"), "{v:#}");
    assert!(v.to_string().contains("config.json"), "{v:#}");
    std::fs::write(copy.join("config.json"), b"{}").unwrap();
    let (c, v) = f.check(
        &vsa,
        &[
            "--model-dir",
            &s(&copy),
            "--policy",
            &f.policy(),
            "--ignore",
            "extra.bin",
        ],
    );
    assert_eq!((c, failed_check(&v).as_str()), (5, "subject"), "{v:#}");
}

#[test]
fn re_signed_summaries_that_break_a_rule_fail_with_that_rule() {
    let f = Fixture::new();
    let args = |f: &Fixture| {
        vec![
            "--model-dir".to_string(),
            f.model(),
            "--policy".into(),
            f.policy(),
        ]
    };
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 3] = [
        ("vsa.result", |st| {
            st["predicate"]["verificationResult"] = "FAILED".into()
        }),
        ("vsa.verifier", |st| {
            st["predicate"]["verifier"]["id"] = "https://example.com/other".into()
        }),
        ("vsa.level", |st| {
            st["predicate"]["verifiedLevels"] = serde_json::json!([])
        }),
    ];
    for (check, edit) in cases {
        let bundle = resigned(&f, edit);
        let a = args(&f);
        let (c, v) = f.check(&bundle, &a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!((c, failed_check(&v).as_str()), (6, check), "{v:#}");
    }
    // A summary about another predicate is refused outright.
    let bundle = resigned(&f, |st| {
        st["predicateType"] = "https://slsa.dev/provenance/v1".into()
    });
    let a = args(&f);
    let (c, v) = f.check(&bundle, &a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_ne!(c, 0, "{v:#}");
}

#[test]
fn no_summary_without_a_policy_file_a_signer_or_a_verified_release() {
    let f = Fixture::new();
    let key = s(&testdata().join("keyed/key.pem"));
    let refused = |o: std::process::Output, why: &str| {
        assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(why),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!f.path("vsa.json").exists(), "nothing may be written");
    };
    refused(f.emit(&["--vsa-key", &key]), "--policy FILE");
    refused(
        f.emit(&["--policy", &f.policy()]),
        "--vsa-key PEM or --vsa-keyless",
    );
    refused(
        f.emit(&[
            "--policy",
            &f.policy(),
            "--vsa-key",
            &key,
            "--source-repo",
            "acme/x",
        ]),
        "--source-repo",
    );
    // Keyless signing outside GitHub Actions: no token, nothing written.
    let o = f.emit(&["--policy", &f.policy(), "--vsa-keyless"]);
    assert_eq!(code(&o), 8, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!f.path("vsa.json").exists());
    // A release that fails (a stricter metric) gets no summary.
    std::fs::write(f.path("strict.toml"), POLICY.replace("0.8", "0.99")).unwrap();
    let o = f.emit(&["--policy", &s(&f.path("strict.toml")), "--vsa-key", &key]);
    assert_eq!(code(&o), 6);
    assert!(!f.path("vsa.json").exists());
}

#[test]
fn a_keyless_summary_names_its_signer_by_certificate() {
    keyless_summary_with_san(fake_sigstore::SanKind::Uri);
}

/// Fulcio's other SAN kinds: an e-mail address, and a username (an
/// `otherName`, which only our own certificate parser reads).
#[test]
fn a_keyless_summary_is_held_to_an_email_or_username_san() {
    keyless_summary_with_san(fake_sigstore::SanKind::Email("ml-team@example.com".into()));
    keyless_summary_with_san(fake_sigstore::SanKind::Username(
        "ml-team!example.com".into(),
    ));
}

fn keyless_summary_with_san(san: fake_sigstore::SanKind) {
    let fake = fake_sigstore::FakeSigstore::start(fake_sigstore::sample_claims()).unwrap();
    fake.set_san(san.clone());
    let f = Fixture::new();
    let root = f.path("trusted_root.json");
    std::fs::write(
        &root,
        serde_json::to_vec(&fake.trusted_root().unwrap()).unwrap(),
    )
    .unwrap();
    let mut cmd = crate::common::verifier_cli();
    cmd.args(["model", &f.model(), "--key", &s(&f.release.join("key.pub"))])
        .args([
            "--policy",
            &f.policy(),
            "--vsa-out",
            &s(&f.path("vsa.json")),
            "--vsa-keyless",
        ])
        .env("SLSA_AIBOM_FULCIO_URL", fake.fulcio_url())
        .env("SLSA_AIBOM_REKOR_URL", fake.rekor_url())
        .env("SLSA_AIBOM_SIGNING_TRUSTED_ROOT", &root);
    for (k, v) in fake.actions_env() {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let identity = match &san {
        fake_sigstore::SanKind::Uri => {
            format!("https://github.com/{}", fake.claims().job_workflow_ref)
        }
        fake_sigstore::SanKind::Email(s)
        | fake_sigstore::SanKind::Username(s)
        | fake_sigstore::SanKind::OtherName(_, s) => s.clone(),
    };
    let check = |identity: &str| {
        cli(&[
            "vsa",
            "--bundle",
            &s(&f.path("vsa.json")),
            "--model-dir",
            &f.model(),
            "--policy",
            &f.policy(),
            "--trusted-root",
            &s(&root),
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            fake_sigstore::GITHUB_ISSUER,
        ]
        .map(String::from))
    };
    let o = check(&identity);
    assert_eq!(
        code(&o),
        0,
        "{san:?}: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    // The summary of a keyed release stays at level 1 whoever signs it.
    assert!(String::from_utf8_lossy(&o.stdout).contains("vsa.level"));
    for other in [
        "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main",
        "someone-else@example.com",
        "someone-else!example.com",
    ] {
        let o = check(other);
        assert_eq!(
            code(&o),
            4,
            "{san:?} {other}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}
