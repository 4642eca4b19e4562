//! `verify model` semantics over real builder output (library API): two
//! keyed releases of the demo job signed with one key. The release
//! verifies; swapping any one document for the other run's, editing any
//! hash the ML-BOM carries, and breaking each policy rule each fail with
//! the check named.

use crate::common::*;
use slsa_aibom_builder::pipeline::{build, BuildOptions};
use slsa_aibom_builder::spec::Job;
use slsa_aibom_verify::release::rules::{
    DatasetRules, DeniedVersion, LicenseRules, MetricRule, ReleasePolicy, ReleaseRules,
    SourceRules, ValidReleasePolicy, POLICY_VERSION,
};
use slsa_aibom_verify::release::{verify_release, ReleaseReport};
use slsa_aibom_verify::{ErrorClass, Policy, PublicKey, Status};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn key_pem() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed/key.pem")
}

/// Two builds (seeds 7 and 8) signed with the same key.
fn runs() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static RUNS: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut outs = Vec::new();
        for seed in [7, 8] {
            let inputs = example(2);
            edit(
                &inputs.path().join(JOB),
                "seed = 42",
                &format!("seed = {seed}"),
            );
            let out = dir.path().join(format!("run{seed}"));
            let job = Job::load(&inputs.path().join(JOB)).unwrap();
            let mut opts = BuildOptions::local(&out, 2, Some("cpu"), true, JOB).unwrap();
            opts.signer = slsa_aibom_builder::signing::key_file(&key_pem()).unwrap();
            build(&job, &opts).unwrap();
            outs.push(out);
        }
        let b = outs.pop().unwrap();
        let a = outs.pop().unwrap();
        (dir, a, b)
    })
}

fn policy() -> Policy {
    Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(&runs().1.join("key.pub")).unwrap(),
        ),
        ..Policy::default()
    }
}

fn rules() -> ReleasePolicy {
    ReleasePolicy {
        version: POLICY_VERSION,
        ..ReleasePolicy::default()
    }
}

/// A private copy of run A.
fn copy_a() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    copy_tree(&runs().1, &out);
    (dir, out)
}

fn verify(out: &Path, rules: &ReleasePolicy) -> ReleaseReport {
    let release = release_of(out);
    let rules = rules.clone().validate().unwrap();
    verify_release(&policy(), &rules, None, &release)
}

/// The report failed with `class`, and the failing check (or document) is `name`.
fn assert_fails(report: &ReleaseReport, class: ErrorClass, name: &str) {
    assert!(!report.verified(), "{name}: verified");
    let f = report.failure().expect("a failure");
    assert_eq!(f.class(), class, "{name}: {f:?}");
    let failed_check = report
        .checks()
        .iter()
        .find(|c| c.status() == Status::Fail)
        .map(|c| c.name());
    let failed_part = report
        .parts()
        .iter()
        .find(|p| p.verdict().failure().is_some())
        .map(|p| p.document());
    assert!(
        failed_check.as_deref() == Some(name) || failed_part == Some(name),
        "expected {name} to fail, got check {failed_check:?} / part {failed_part:?}: {f:?}"
    );
}

#[test]
fn a_release_verifies_and_its_passport_answers() {
    let (_, a, _) = runs();
    let r = verify(a, &rules());
    assert!(r.verified(), "{:?}", r.failure());
    let names: Vec<String> = r.checks().iter().map(|c| c.name()).collect();
    for n in [
        "release.same-signer",
        "release.same-run",
        "release.model-files",
        "release.aibom-subjects",
        "release.aibom-model-hashes",
        "release.datasets",
        "release.trainer",
        "release.aibom-file",
        "intoto.bom.subjects",
        "intoto.bom.layout",
        "intoto.bom.link",
        "intoto.layout.signature",
        "intoto.link.invocation",
        "intoto.step.train",
        "intoto.step.attest",
        "intoto.layout.artifact-rules",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} did not run: {names:?}");
    }
    assert!(r.checks().iter().all(|c| c.status() == Status::Pass));
    let passport = r.passport().expect("passport").to_string();
    for q in [
        "Who created",
        "Which system",
        "Has it changed",
        "Which licences",
    ] {
        assert!(passport.contains(q), "{passport}");
    }
    assert!(passport.contains("card-fraud-mlp"), "{passport}");
}

#[test]
fn swapping_any_document_for_another_runs_fails() {
    let (_, _, b) = runs();
    // The other run's provenance: its subjects are other model files.
    let (_d, out) = copy_a();
    std::fs::copy(
        b.join("attestations/provenance.sigstore.json"),
        out.join("attestations/provenance.sigstore.json"),
    )
    .unwrap();
    assert_fails(&verify(&out, &rules()), ErrorClass::Digest, "provenance");

    // The other run's ML-BOM statement (and its file): another invocation.
    let (_d, out) = copy_a();
    std::fs::copy(
        b.join("attestations/aibom.sigstore.json"),
        out.join("attestations/aibom.sigstore.json"),
    )
    .unwrap();
    assert_fails(&verify(&out, &rules()), ErrorClass::Digest, "aibom");

    // The other run's model signature: the files on disk are not its files.
    let (_d, out) = copy_a();
    std::fs::copy(b.join("model.sig"), out.join("model.sig")).unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Digest,
        "model-signature",
    );

    // The other run's model files with its model signature, but this run's
    // provenance and ML-BOM.
    let (_d, out) = copy_a();
    std::fs::remove_dir_all(out.join("model")).unwrap();
    copy_tree(&b.join("model"), &out.join("model"));
    std::fs::copy(b.join("model.sig"), out.join("model.sig")).unwrap();
    assert_fails(&verify(&out, &rules()), ErrorClass::Digest, "provenance");
}

/// The one `PREFIX.*.link` file in `dir`.
fn link_file(dir: &Path, prefix: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(prefix) && n.ends_with(".link")
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

#[test]
fn the_intoto_files_are_checked_when_at_hand() {
    let (_, _, b) = runs();
    // The signed ML-BOM references intoto/: without it the release fails,
    // unless the policy allows a partial release, which says what it did
    // not check.
    let (_d, out) = copy_a();
    std::fs::remove_dir_all(out.join("intoto")).unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Digest,
        "release.intoto",
    );
    let partial = ReleasePolicy {
        release: ReleaseRules {
            allow_partial: true,
        },
        ..rules()
    };
    let r = verify(&out, &partial);
    assert!(r.verified(), "{:?}", r.failure());
    let skipped = r
        .checks()
        .iter()
        .find(|c| c.name() == "release.intoto")
        .unwrap();
    assert_eq!(skipped.status(), Status::NotApplicable);

    // The other run's layout: the ML-BOM references another digest.
    let (_d, out) = copy_a();
    std::fs::copy(b.join("intoto/root.layout"), out.join("intoto/root.layout")).unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Digest,
        "intoto.bom.layout",
    );

    // The other run's training link: its model products are other files.
    let (_d, out) = copy_a();
    std::fs::remove_file(link_file(&out.join("intoto"), "train.")).unwrap();
    let theirs = link_file(&b.join("intoto"), "train.");
    std::fs::copy(
        &theirs,
        out.join("intoto").join(theirs.file_name().unwrap()),
    )
    .unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Digest,
        "intoto.bom.subjects",
    );

    // One digest in the training link changed.
    let (_d, out) = copy_a();
    let link = link_file(&out.join("intoto"), "train.");
    let text = std::fs::read_to_string(&link).unwrap();
    let at = text.find("\"sha256\": \"").expect("a sha256") + 11;
    let flipped = if &text[at..=at] == "0" { "1" } else { "0" };
    std::fs::write(
        &link,
        format!("{}{flipped}{}", &text[..at], &text[at + 1..]),
    )
    .unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Digest,
        "intoto.bom.link",
    );

    // The signing step's link is missing.
    let (_d, out) = copy_a();
    std::fs::remove_file(link_file(&out.join("intoto"), "attest.")).unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Crypto,
        "intoto.step.attest",
    );

    // No training link at all.
    let (_d, out) = copy_a();
    std::fs::remove_file(link_file(&out.join("intoto"), "train.")).unwrap();
    assert_fails(&verify(&out, &rules()), ErrorClass::Input, "intoto.files");
}

#[test]
fn a_same_model_aibom_from_another_invocation_is_caught_by_the_run_check() {
    // Sign run A's outputs a second time: same model files, new invocation.
    let (_, a, _) = runs();
    let (_d, out) = copy_a();
    let other = tempfile::tempdir().unwrap();
    let again = other.path().join("again");
    copy_tree(a, &again);
    for f in slsa_aibom_builder::layout::SIGNED {
        let p = again.join(f);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
    let record = again.join(slsa_aibom_builder::layout::RECORD);
    let text = std::fs::read_to_string(&record).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["invocation_id"].is_string(), "record layout changed");
    v["invocation_id"] = "local:another-invocation".into();
    std::fs::write(&record, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    slsa_aibom_builder::pipeline::attest_only(
        &again,
        &slsa_aibom_builder::signing::key_file(&key_pem()).unwrap(),
        "https://github.com/ORG/slsa-aibom/slsa-aibom-build@v1",
        None,
    )
    .expect("sign again");
    std::fs::copy(
        again.join("attestations/aibom.sigstore.json"),
        out.join("attestations/aibom.sigstore.json"),
    )
    .unwrap();
    std::fs::remove_file(out.join("aibom.cdx.json")).unwrap();
    assert_fails(
        &verify(&out, &rules()),
        ErrorClass::Identity,
        "release.same-run",
    );
}

#[test]
fn editing_any_hash_in_the_aibom_file_fails() {
    let (_, a, _) = runs();
    let bom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("aibom.cdx.json")).unwrap()).unwrap();
    let mut paths = Vec::new();
    for (i, c) in bom["components"].as_array().unwrap().iter().enumerate() {
        for (j, _) in c["hashes"].as_array().into_iter().flatten().enumerate() {
            paths.push(format!("/components/{i}/hashes/{j}/content"));
        }
    }
    paths.push("/metadata/component/hashes/0/content".into());
    assert!(paths.len() >= 5, "{paths:?}");
    for path in paths {
        let (_d, out) = copy_a();
        let mut edited = bom.clone();
        *edited.pointer_mut(&path).unwrap() = "0".repeat(64).into();
        std::fs::write(
            out.join("aibom.cdx.json"),
            serde_json::to_vec_pretty(&edited).unwrap(),
        )
        .unwrap();
        // The file is a byproduct of the signed provenance: its digest no
        // longer matches.
        assert_fails(
            &verify(&out, &rules()),
            ErrorClass::Digest,
            "release.byproducts",
        );
    }
    // Editing the signed statement itself breaks its signature.
    let (_d, out) = copy_a();
    let path = out.join("attestations/aibom.sigstore.json");
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let text = String::from_utf8(payload).unwrap();
    let weights = &bom["metadata"]["component"]["hashes"][0]["content"];
    let tampered = text.replacen(weights.as_str().unwrap(), &"0".repeat(64), 1);
    assert_ne!(tampered, text);
    bundle["dsseEnvelope"]["payload"] = b64.encode(tampered).into();
    std::fs::write(&path, serde_json::to_vec(&bundle).unwrap()).unwrap();
    assert_fails(&verify(&out, &rules()), ErrorClass::Crypto, "aibom");
}

#[test]
fn each_policy_rule_is_enforced() {
    let (_, a, _) = runs();
    let prov = slsa_aibom_builder::output_check::bundle_statement(
        &a.join("attestations/provenance.sigstore.json"),
    )
    .unwrap();
    let data_digest = format!(
        "sha256:{}",
        prov["predicate"]["buildDefinition"]["resolvedDependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"].as_str().unwrap().starts_with("dataset:"))
            .unwrap()["digest"]["sha256"]
            .as_str()
            .unwrap()
    );
    let zero = format!("sha256:{}", "0".repeat(64));
    let metric = |name: &str, min: Option<f64>, max: Option<f64>| MetricRule {
        name: name.into(),
        slice: "test".into(),
        min,
        max,
        min_rows: 1,
    };
    let deny = |versions: &str| DeniedVersion {
        name: "candle-core".into(),
        versions: versions.into(),
        reason: Some("test".into()),
        require: true,
    };
    // Each rule in a passing and a failing form.
    let cases: Vec<(&str, ReleasePolicy, ReleasePolicy)> = vec![
        (
            "policy.license.model",
            ReleasePolicy {
                licenses: LicenseRules {
                    model: vec!["Apache-2.0".into()],
                    ..Default::default()
                },
                ..rules()
            },
            ReleasePolicy {
                licenses: LicenseRules {
                    model: vec!["MIT".into()],
                    ..Default::default()
                },
                ..rules()
            },
        ),
        (
            "policy.license.dataset",
            ReleasePolicy {
                licenses: LicenseRules {
                    dataset: vec!["CC0-1.0".into()],
                    ..Default::default()
                },
                ..rules()
            },
            ReleasePolicy {
                licenses: LicenseRules {
                    dataset: vec!["CC-BY-4.0".into()],
                    ..Default::default()
                },
                ..rules()
            },
        ),
        (
            "policy.dataset",
            ReleasePolicy {
                datasets: DatasetRules {
                    approved: vec![data_digest.clone()],
                    ..Default::default()
                },
                ..rules()
            },
            ReleasePolicy {
                datasets: DatasetRules {
                    approved: vec![zero.clone()],
                    ..Default::default()
                },
                ..rules()
            },
        ),
        (
            "policy.dataset",
            ReleasePolicy {
                datasets: DatasetRules {
                    denied: vec![zero.clone()],
                    ..Default::default()
                },
                ..rules()
            },
            ReleasePolicy {
                datasets: DatasetRules {
                    denied: vec![data_digest.clone()],
                    ..Default::default()
                },
                ..rules()
            },
        ),
        (
            "policy.metric",
            ReleasePolicy {
                metrics: vec![metric("accuracy", Some(0.5), None)],
                ..rules()
            },
            ReleasePolicy {
                metrics: vec![metric("accuracy", Some(0.999), None)],
                ..rules()
            },
        ),
        (
            "policy.metric",
            ReleasePolicy {
                metrics: vec![metric("loss", None, Some(10.0))],
                ..rules()
            },
            ReleasePolicy {
                metrics: vec![metric("loss", None, Some(0.0001))],
                ..rules()
            },
        ),
        (
            "policy.metric",
            ReleasePolicy {
                metrics: vec![metric("accuracy", Some(0.0), None)],
                ..rules()
            },
            ReleasePolicy {
                metrics: vec![metric("auc", Some(0.0), None)],
                ..rules()
            },
        ),
        (
            "policy.denied-version",
            ReleasePolicy {
                denied_versions: vec![deny("<0.1.0")],
                ..rules()
            },
            ReleasePolicy {
                denied_versions: vec![deny(">=0.1.0")],
                ..rules()
            },
        ),
        (
            // Source rules need a certificate: on a keyed release they fail.
            "policy.source",
            rules(),
            ReleasePolicy {
                source: SourceRules {
                    repositories: vec!["acme/models".into()],
                    ..Default::default()
                },
                ..rules()
            },
        ),
    ];
    for (name, good, bad) in cases {
        let r = verify(a, &good);
        assert!(r.verified(), "{name} (passing form): {:?}", r.failure());
        if name != "policy.source" {
            assert!(
                r.checks()
                    .iter()
                    .any(|c| c.name() == name && c.status() == Status::Pass),
                "{name} did not run"
            );
        }
        assert_fails(&verify(a, &bad), ErrorClass::Policy, name);
    }
}

#[test]
fn the_policy_template_parses_and_bad_files_are_refused() {
    let t = ValidReleasePolicy::from_toml(slsa_aibom_verify::release::rules::TEMPLATE).unwrap();
    assert_eq!(t.rules().builder.tags, vec!["v1".to_string()]);
    for (bad, why) in [
        ("version = 2", "version 2"),
        ("version = 1\n[licenses]\nmodel = [\"Apache2\"]", "SPDX"),
        (
            "version = 1\n[datasets]\napproved = [\"sha256:12\"]",
            "64 hex",
        ),
        (
            "version = 1\n[builder]\nworkflow = \"https://github.com/o/r/.github/workflows/b.yml\"",
            "tag or commit",
        ),
        (
            "version = 1\n[[metrics]]\nname = \"accuracy\"",
            "neither min nor max",
        ),
        (
            "version = 1\n[[denied_versions]]\nname = \"candle-core\"\nversions = \"not a range\"",
            "denied_versions",
        ),
        (
            "version = 1\n[source]\nrepository = [\"a/b\"]",
            "unknown field",
        ),
    ] {
        let e = ValidReleasePolicy::from_toml(bad).unwrap_err().to_string();
        assert!(e.contains(why), "{bad:?}: {e}");
    }
}
