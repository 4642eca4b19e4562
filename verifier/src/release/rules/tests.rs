//! The rules, family by family: each malformed value refused by name, each
//! rule passing what it allows and failing, by its check, what it does not.

use super::*;
use crate::checks::Status;
use crate::documents::mlbom::Part;
use crate::identity::SanMatcher;
use slsa_aibom_types::provenance::{BaseModelAnnotations, BaseModelVerification};
use slsa_aibom_types::GITHUB_ISSUER;

fn policy(edit: impl FnOnce(&mut ReleasePolicy)) -> ReleasePolicy {
    let mut p = ReleasePolicy {
        version: POLICY_VERSION,
        ..ReleasePolicy::default()
    };
    edit(&mut p);
    p
}

/// [`policy`], validated.
fn valid(edit: impl FnOnce(&mut ReleasePolicy)) -> ValidReleasePolicy {
    policy(edit).validate().unwrap()
}

fn refused(p: ReleasePolicy, says: &str) {
    let e = p.validate().unwrap_err();
    assert!(matches!(e, Error::Input(_)), "{e}");
    assert!(e.to_string().contains(says), "{says:?} not in {e}");
}

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

#[test]
fn validate_refuses_each_malformed_builder_value_by_name() {
    policy(|_| {}).validate().unwrap();
    refused(
        policy(|p| p.version = 2),
        "policy version 2 is not supported",
    );
    let wf = "https://github.com/o/r/.github/workflows/b.yml";
    refused(
        policy(|p| p.builder.workflow = Some(format!("{wf}@v1"))),
        "must not contain '@'",
    );
    refused(
        policy(|p| p.builder.workflow = Some(wf.into())),
        "needs at least one allowed tag or commit",
    );
    for edit in [
        (|p: &mut ReleasePolicy| p.builder.tags = vec!["v1".into()]) as fn(&mut ReleasePolicy),
        |p| p.builder.commits = vec![SHA.into()],
        |p| p.builder.issuer = Some("https://gitlab.com".into()),
    ] {
        refused(policy(edit), "which is not set");
    }
    policy(|p| {
        p.builder.workflow = Some(wf.into());
        p.builder.commits = vec![SHA.into()];
    })
    .validate()
    .unwrap();
    policy(|p| {
        p.builder.workflow = Some(wf.into());
        p.builder.tags = vec!["v1".into()];
    })
    .validate()
    .unwrap();
    for bad in [&SHA[1..], "g123456789abcdef0123456789abcdef01234567"] {
        refused(
            policy(|p| {
                p.builder.workflow = Some(wf.into());
                p.builder.commits = vec![bad.into()];
            }),
            "is not a 40-hex commit SHA",
        );
    }
}

#[test]
fn validate_refuses_each_malformed_digest_licence_metric_and_range_by_name() {
    let wf = "https://github.com/o/r/.github/workflows/b.yml";
    let sha512 = format!("sha512:{}", "ab".repeat(64));
    refused(
        policy(|p| p.datasets.denied = vec![sha512.clone()]),
        "records datasets by sha256",
    );
    refused(
        policy(|p| p.datasets.approved = vec!["sha256:zz".into()]),
        "datasets: ",
    );
    refused(
        policy(|p| p.lineage.approved = vec![sha512.clone()]),
        "recorded by sha256",
    );
    refused(
        policy(|p| p.lineage.approved = vec!["nope".into()]),
        "lineage.approved",
    );
    let sha256 = format!("sha256:{}", "AB".repeat(32));
    policy(|p| {
        p.datasets.approved = vec![sha256.clone()];
        p.datasets.denied = vec![sha256.clone()];
        p.lineage.approved = vec![sha256.clone()];
    })
    .validate()
    .unwrap();
    refused(
        policy(|p| p.source.repositories = vec!["https://gitlab.com/o/r".into()]),
        "is not on GitHub",
    );
    policy(|p| {
        p.source.repositories = vec!["https://gitlab.com/o/r".into()];
        p.builder.workflow = Some(wf.into());
        p.builder.tags = vec!["v1".into()];
        p.builder.issuer = Some("https://gitlab.com".into());
    })
    .validate()
    .unwrap();
    refused(
        policy(|p| p.licenses.dataset = vec!["Apache 2".into()]),
        "not an SPDX",
    );
    refused(
        policy(|p| p.licenses.model = vec!["MIT-ish".into()]),
        "not an SPDX",
    );
    let metric = |min: Option<f64>, max: Option<f64>| MetricRule {
        name: "accuracy".into(),
        slice: "test".into(),
        min,
        max,
        min_rows: 1,
    };
    refused(
        policy(|p| p.metrics = vec![metric(None, None)]),
        "neither min nor max",
    );
    refused(
        policy(|p| p.metrics = vec![metric(None, Some(f64::NAN))]),
        "must be finite",
    );
    policy(|p| p.metrics = vec![metric(None, Some(0.5))])
        .validate()
        .unwrap();
    refused(
        policy(|p| {
            p.denied_versions = vec![DeniedVersion {
                name: "candle-core".into(),
                versions: "not a range".into(),
                reason: None,
                require: false,
            }]
        }),
        "denied_versions: candle-core",
    );
}

#[test]
fn apply_pins_the_builder_at_its_tags_and_commits_under_its_issuer() {
    let wf = "https://github.com/o/r/.github/workflows/b.yml";
    let p = policy(|p| {
        p.builder.workflow = Some(wf.into());
        p.builder.tags = vec!["v1.2.0".into()];
        p.builder.commits = vec![SHA.to_ascii_uppercase()];
        p.runner.deny_self_hosted = true;
        p.runner.allowed_groups = vec!["gpu".into()];
        p.runner.required_labels = vec!["a100".into()];
    });
    let mut folded = Policy::default();
    p.clone().validate().unwrap().apply(&mut folded);
    match folded.identity.unwrap() {
        SanMatcher::Workflow {
            workflow,
            refs,
            commits,
        } => {
            assert_eq!(workflow, wf);
            assert_eq!(refs, ["refs/tags/v1.2.0"]);
            assert_eq!(commits, [SHA]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(folded.issuer.as_deref(), Some(GITHUB_ISSUER));
    assert!(folded.runner.deny_self_hosted);
    assert_eq!(folded.runner.allowed_groups, ["gpu"]);
    assert_eq!(folded.runner.required_labels, ["a100"]);
    let mut other = Policy::default();
    let mut p = p.clone();
    p.builder.issuer = Some("https://gitlab.com".into());
    p.validate().unwrap().apply(&mut other);
    assert_eq!(other.issuer.as_deref(), Some("https://gitlab.com"));
    // No builder: the identity is left as the flags set it.
    let mut untouched = Policy::default();
    valid(|_| {}).apply(&mut untouched);
    assert!(untouched.identity.is_none() && untouched.issuer.is_none());
}

fn signer() -> CertIdentity {
    CertIdentity {
        san: Some("https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1".into()),
        issuer: Some(GITHUB_ISSUER.into()),
        claims: crate::identity::CiClaims {
            source_repository_uri: Some("https://github.com/acme/app".into()),
            source_repository_owner_identifier: Some("42".into()),
            source_repository_ref: Some("refs/heads/main".into()),
            build_trigger: Some("push".into()),
            ..Default::default()
        },
    }
}

fn source_check(edit: impl FnOnce(&mut ReleasePolicy), id: &CertIdentity) -> (Result<()>, Checks) {
    let p = policy(edit);
    let mut checks = Checks::default();
    let r = p.validate().unwrap().check(
        Some(id),
        &empty_provenance(),
        &MlBom::default(),
        &mut checks,
    );
    (r, checks)
}

fn empty_provenance() -> Statement {
    serde_json::from_value(serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {"buildType": "https://example.com/t", "externalParameters": {}},
            "runDetails": {"builder": {"id": "https://example.com/b"}}
        }
    }))
    .unwrap()
}

/// A change to the signer that breaks one source rule.
type Spoil = fn(&mut CertIdentity);

#[test]
fn source_rules_hold_each_claim_under_the_issuer_that_vouches_for_it() {
    let all = |p: &mut ReleasePolicy| {
        p.source.repositories = vec!["ACME/app".into()];
        p.source.owner_ids = vec!["42".into()];
        p.source.refs = vec!["refs/heads/main".into()];
        p.source.triggers = vec!["push".into()];
    };
    let (r, checks) = source_check(all, &signer());
    r.unwrap();
    let ids: Vec<CheckId> = checks.0.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            CheckId::PolicySourceIssuer,
            CheckId::PolicySourceRepository,
            CheckId::PolicySourceOwnerId,
            CheckId::PolicySourceRef,
            CheckId::PolicySourceTrigger,
        ]
    );
    let spoilers: [(CheckId, Spoil); 5] = [
        (CheckId::PolicySourceIssuer, |i| {
            i.issuer = Some("https://gitlab.com".into())
        }),
        (CheckId::PolicySourceRepository, |i| {
            i.claims.source_repository_uri = Some("https://github.com/acme/other".into())
        }),
        (CheckId::PolicySourceOwnerId, |i| {
            i.claims.source_repository_owner_identifier = None
        }),
        (CheckId::PolicySourceRef, |i| {
            i.claims.source_repository_ref = Some("refs/heads/dev".into())
        }),
        (CheckId::PolicySourceTrigger, |i| {
            i.claims.build_trigger = Some("pull_request".into())
        }),
    ];
    for (id, spoil) in spoilers {
        let mut who = signer();
        spoil(&mut who);
        let (r, checks) = source_check(all, &who);
        assert!(matches!(r, Err(Error::Policy(_))), "{id:?}");
        let last = checks.0.last().unwrap();
        assert_eq!((last.id, last.status()), (id, Status::Fail));
    }
    // Any one source rule needs a certificate: a keyed release fails it.
    for edit in [
        (|p: &mut ReleasePolicy| p.source.refs = vec!["refs/heads/main".into()])
            as fn(&mut ReleasePolicy),
        |p| p.source.owner_ids = vec!["42".into()],
        |p| p.source.triggers = vec!["push".into()],
        |p| p.source.repositories = vec!["acme/app".into()],
    ] {
        let mut checks = Checks::default();
        let r = valid(edit).check(None, &empty_provenance(), &MlBom::default(), &mut checks);
        assert!(matches!(r, Err(Error::Policy(_))));
        assert_eq!(checks.0.last().unwrap().id, CheckId::PolicySource);
    }
    // No source rule: nothing about the source is checked.
    let mut checks = Checks::default();
    valid(|_| {})
        .check(None, &empty_provenance(), &MlBom::default(), &mut checks)
        .unwrap();
    assert!(checks.0.is_empty());
}

fn part(name: &str, version: Option<&str>, licenses: &[&str]) -> Part {
    Part {
        bom_ref: None,
        name: name.into(),
        version: version.map(str::to_string),
        sha256: Vec::new(),
        licenses: licenses.iter().map(|l| l.to_string()).collect(),
        ..Part::default()
    }
}

#[test]
fn each_licence_must_be_satisfiable_with_the_allowed_ones() {
    let bom = |model: &[&str], data: &[&[&str]]| MlBom {
        model: part("m", None, model),
        datasets: data.iter().map(|l| part("d", None, l)).collect(),
        ..MlBom::default()
    };
    let rules = policy(|p| {
        p.licenses.model = vec!["MIT".into(), "Apache-2.0".into()];
        p.licenses.dataset = vec!["CC-BY-4.0".into()];
    });
    let run = |b: &MlBom| rules.licenses.check(b, &mut Checks::default());
    run(&bom(&["MIT"], &[&["CC-BY-4.0"]])).unwrap();
    run(&bom(&["GPL-3.0-only OR MIT"], &[&["CC-BY-4.0"]])).unwrap();
    assert!(run(&bom(&["GPL-3.0-only"], &[&["CC-BY-4.0"]])).is_err());
    assert!(run(&bom(&["MIT AND GPL-3.0-only"], &[])).is_err());
    assert!(run(&bom(&[], &[])).is_err());
    assert!(run(&bom(&["MIT"], &[&["CC-BY-4.0"], &["CC-BY-NC-4.0"]])).is_err());
    assert!(run(&bom(&["MIT"], &[&["not an expression ("]])).is_err());
    let mut checks = Checks::default();
    rules
        .licenses
        .check(
            &bom(&["MIT"], &[&["CC-BY-4.0"], &["CC-BY-4.0"]]),
            &mut checks,
        )
        .unwrap();
    let ids: Vec<CheckId> = checks.0.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            CheckId::PolicyLicenseModel,
            CheckId::PolicyLicenseDataset,
            CheckId::PolicyLicenseDataset
        ]
    );
}

fn with_datasets(digests: &[&str]) -> Statement {
    let mut st = empty_provenance();
    st.predicate["buildDefinition"]["resolvedDependencies"] = digests
        .iter()
        .enumerate()
        .map(|(i, d)| serde_json::json!({"name": format!("dataset:{i}.csv"), "digest": {"sha256": d}}))
        .collect();
    st
}

#[test]
fn datasets_must_be_approved_when_a_list_is_given_and_never_denied() {
    let (a, b) = ("aa".repeat(32), "bb".repeat(32));
    let run = |edit: fn(&mut ReleasePolicy), data: &[&str]| {
        policy(edit)
            .datasets
            .check(&with_datasets(data), &mut Checks::default())
    };
    fn approve_a(p: &mut ReleasePolicy) {
        p.datasets.approved = vec![format!("SHA256:{}", "AA".repeat(32))];
    }
    fn deny_b(p: &mut ReleasePolicy) {
        p.datasets.denied = vec![format!("sha256:{}", "bb".repeat(32))];
    }
    run(approve_a, &[&a]).unwrap();
    assert!(run(approve_a, &[&a, &b]).is_err());
    run(deny_b, &[&a]).unwrap();
    let e = run(deny_b, &[&a, &b]).unwrap_err();
    assert!(e.to_string().contains("is on the deny list"), "{e}");
    let e = run(approve_a, &[&b]).unwrap_err();
    assert!(e.to_string().contains("is not an approved dataset"), "{e}");
    let mut checks = Checks::default();
    policy(deny_b)
        .datasets
        .check(&with_datasets(&[&a, &a]), &mut checks)
        .unwrap();
    assert_eq!(checks.0.len(), 2);
}

fn annotations(verified_by: &str, signer: Option<&str>) -> BaseModelAnnotations {
    BaseModelAnnotations {
        verification: BaseModelVerification {
            verified_by: verified_by.into(),
            signer: signer.map(str::to_string),
            signature_sha256: None,
            pinned: false,
            checked_by: None,
        },
        files: Default::default(),
    }
}

#[test]
fn a_base_model_is_allowed_by_digest_or_by_its_signer_and_a_signature_when_required() {
    let d = "ab".repeat(32);
    let signed = annotations("model signature (keyless)", Some("https://github.com/o/r/x.yml@refs/tags/v1 (issuer https://token.actions.githubusercontent.com)"));
    let pinned = annotations("pinned digest, no signature", None);
    let none = LineageRules::default();
    assert_eq!(none.refusal(&d, &pinned), None);
    let require = LineageRules {
        require_signature: true,
        ..Default::default()
    };
    assert_eq!(require.refusal(&d, &signed), None);
    assert!(require
        .refusal(&d, &pinned)
        .unwrap()
        .contains("requires a model signature"));
    let by_digest = LineageRules {
        approved: vec![format!("SHA256:{}", d.to_uppercase())],
        ..Default::default()
    };
    assert_eq!(by_digest.refusal(&d, &pinned), None);
    assert!(by_digest.refusal(&"cd".repeat(32), &pinned).is_some());
    let by_signer = LineageRules {
        signers: vec!["https://github.com/o/r/x.yml@refs/tags/v1".into()],
        ..Default::default()
    };
    assert_eq!(by_signer.refusal(&d, &signed), None);
    // A pinned model names no signer; one signed by another does not pass.
    assert!(by_signer.refusal(&d, &pinned).is_some());
    let other = annotations(
        "model signature (keyless)",
        Some("https://github.com/o/r/x.yml@refs/tags/v1-evil (issuer x)"),
    );
    assert!(by_signer.refusal(&d, &other).is_some());
    // The signer is exact, or exact before its issuer; a claimed signer on
    // an unsigned record does not count.
    let exact = annotations("model signature (keyed)", Some("key sha256:00"));
    let keyed = LineageRules {
        signers: vec!["key sha256:00".into()],
        ..Default::default()
    };
    assert_eq!(keyed.refusal(&d, &exact), None);
    let claimed = annotations("pinned digest, no signature", Some("key sha256:00"));
    assert!(keyed.refusal(&d, &claimed).is_some());
}

#[test]
fn a_denied_version_fails_each_listed_component_and_a_required_one_must_be_listed() {
    let rule = |require: bool| DeniedVersion {
        name: "candle-core".into(),
        versions: ">=0.9.0, <0.9.2".into(),
        reason: Some("CVE".into()),
        require,
    };
    let bom = |versions: &[Option<&str>]| MlBom {
        frameworks: versions
            .iter()
            .map(|v| part("candle-core", *v, &[]))
            .collect(),
        applications: vec![part("slsa-aibom-build", Some("0.9.1"), &[])],
        ..MlBom::default()
    };
    let run = |require: bool, b: &MlBom| {
        let mut checks = Checks::default();
        let r = valid(|p| p.denied_versions = vec![rule(require)]).check(
            None,
            &empty_provenance(),
            b,
            &mut checks,
        );
        (r, checks)
    };
    run(false, &bom(&[Some("0.9.2")])).0.unwrap();
    let e = run(false, &bom(&[Some("0.9.2"), Some("0.9.1")]))
        .0
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("candle-core 0.9.1 is denied (>=0.9.0, <0.9.2): CVE"),
        "{e}"
    );
    assert!(run(false, &bom(&[None])).0.is_err());
    assert!(run(false, &bom(&[Some("nine")])).0.is_err());
    let (r, checks) = run(false, &bom(&[]));
    r.unwrap();
    assert_eq!(checks.0[0].status(), Status::NotApplicable);
    let (r, checks) = run(true, &bom(&[]));
    assert!(r.is_err());
    assert_eq!(checks.0[0].status(), Status::Fail);
    // Applications are held to the rules too.
    let app = DeniedVersion {
        name: "slsa-aibom-build".into(),
        ..rule(false)
    };
    assert!(valid(|p| p.denied_versions = vec![app])
        .check(None, &empty_provenance(), &bom(&[]), &mut Checks::default())
        .is_err());
}

#[test]
fn a_metric_names_its_bound_and_the_rows_it_was_measured_on() {
    let mut checks = Checks::default();
    let bom = MlBom {
        metrics: vec![crate::documents::mlbom::Metric {
            kind: "loss".into(),
            slice: "validation".into(),
            value: "0.25".into(),
        }],
        ..MlBom::default()
    };
    let mut st = with_datasets(&[&"aa".repeat(32)]);
    st.predicate["buildDefinition"]["resolvedDependencies"][0]["annotations"] = serde_json::json!({"recordRoots": {"validation": {"records": 30, "root": "00"}}, "size": 1});
    let rule = |min, max| MetricRule {
        name: "loss".into(),
        slice: "validation".into(),
        min,
        max,
        min_rows: 30,
    };
    valid(|p| {
        p.metrics = vec![
            rule(Some(0.1), Some(0.5)),
            rule(None, Some(0.5)),
            rule(Some(0.1), None),
        ]
    })
    .check(None, &st, &bom, &mut checks)
    .unwrap();
    let expected: Vec<&str> = checks.0.iter().map(|c| c.expected().unwrap()).collect();
    assert_eq!(
        expected,
        [
            "0.1 <= loss <= 0.5 on >= 30 rows (validation)",
            "loss <= 0.5 on >= 30 rows (validation)",
            "loss >= 0.1 on >= 30 rows (validation)",
        ]
    );
    assert_eq!(checks.0[0].actual(), Some("0.25 on 30 rows"));
    let e = valid(|p| {
        p.metrics = vec![MetricRule {
            name: "f1".into(),
            ..rule(Some(0.1), None)
        }]
    })
    .check(None, &st, &bom, &mut Checks::default())
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("reports no f1 on the validation slice"),
        "{e}"
    );
    let e = valid(|p| p.metrics = vec![rule(Some(0.1), None)])
        .check(None, &empty_provenance(), &bom, &mut Checks::default())
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("records no row count for the validation slice"),
        "{e}"
    );
}

#[test]
fn validate_names_every_problem_at_once() {
    let e = policy(|p| {
        p.builder.commits = vec!["nope".into()];
        p.licenses.model = vec!["MIT-ish".into()];
        p.datasets.denied = vec!["sha256:zz".into()];
        p.metrics = vec![MetricRule {
            name: "accuracy".into(),
            slice: "test".into(),
            min: None,
            max: None,
            min_rows: 1,
        }];
    })
    .validate()
    .unwrap_err()
    .to_string();
    assert!(e.contains("5 problems in the policy"), "{e}");
    for says in [
        "which is not set",
        "\"nope\" is not a 40-hex commit SHA",
        "\"MIT-ish\" is not an SPDX",
        "datasets: \"sha256:zz\"",
        "neither min nor max",
    ] {
        assert!(e.contains(says), "{says:?} not in {e}");
    }
}

#[test]
fn no_policy_is_version_one_with_no_rules() {
    let none = ValidReleasePolicy::none();
    assert_eq!(none.rules().version, POLICY_VERSION);
    none.rules().clone().validate().unwrap();
    assert_eq!(
        none.rules(),
        &ReleasePolicy {
            version: POLICY_VERSION,
            ..ReleasePolicy::default()
        }
    );
}

#[cfg(feature = "policy-file")]
#[test]
fn a_policy_file_is_read_bounded_parsed_checked_and_named_by_its_digest() {
    use sha2::Digest as _;
    let text = "version = 1\n[[metrics]]\nname = \"accuracy\"\nmin = 0.9\n";
    let parsed = ValidReleasePolicy::from_toml(text).unwrap();
    // A metric's slice and its row minimum have defaults.
    assert_eq!(
        parsed.rules().metrics,
        [MetricRule {
            name: "accuracy".into(),
            slice: "test".into(),
            min: Some(0.9),
            max: None,
            min_rows: 1,
        }]
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.toml");
    std::fs::write(&path, text).unwrap();
    let (loaded, sha256) = ValidReleasePolicy::load(&path).unwrap();
    assert_eq!(loaded, parsed);
    assert_eq!(sha256, hex::encode(sha2::Sha256::digest(text.as_bytes())));
    // Malformed, unknown, not UTF-8, not a regular file: input errors.
    for bad in ["version = 2\n", "version = 1\nbogus = 1\n", "version = \n"] {
        let e = ValidReleasePolicy::from_toml(bad).unwrap_err();
        assert!(matches!(e, Error::Input(_)), "{bad:?}: {e}");
    }
    std::fs::write(&path, b"version = 1\n# \xff\n").unwrap();
    let e = ValidReleasePolicy::load(&path).unwrap_err();
    assert!(e.to_string().contains("is not UTF-8"), "{e}");
    let e = ValidReleasePolicy::load(dir.path()).unwrap_err();
    assert!(matches!(e, Error::Input(_)), "{e}");
}

/// A provenance recording these base models: `(name, sha256, annotations)`.
fn with_bases(bases: &[(&str, &str, Option<&BaseModelAnnotations>)]) -> Statement {
    let mut st = empty_provenance();
    st.predicate["buildDefinition"]["resolvedDependencies"] = bases
        .iter()
        .map(|(name, d, a)| {
            let mut dep = serde_json::json!({"name": name, "digest": {"sha256": d}});
            if let Some(a) = a {
                dep["annotations"] = serde_json::to_value(a).unwrap();
            }
            dep
        })
        .collect();
    st
}

#[test]
fn lineage_rules_judge_every_recorded_base_model_and_fail_a_release_without_one() {
    let (a, b) = ("aa".repeat(32), "bb".repeat(32));
    let signed = annotations("model signature (keyed)", Some("key sha256:00"));
    let run = |edit: fn(&mut ReleasePolicy), st: &Statement| {
        let mut checks = Checks::default();
        let r = valid(edit).check(None, st, &MlBom::default(), &mut checks);
        let lineage: Vec<Status> = checks
            .0
            .iter()
            .filter(|c| c.id() == CheckId::PolicyLineage)
            .map(|c| c.status())
            .collect();
        (r.is_ok(), lineage)
    };
    let approve_a: fn(&mut ReleasePolicy) =
        |p| p.lineage.approved = vec![format!("sha256:{}", "AA".repeat(32))];
    let require: fn(&mut ReleasePolicy) = |p| p.lineage.require_signature = true;
    let by_signer: fn(&mut ReleasePolicy) = |p| p.lineage.signers = vec!["key sha256:00".into()];
    let dir = |d: &str| with_bases(&[("base-model:base", d, Some(&signed))]);
    let weights = |d: &str| with_bases(&[("base-model", d, None)]);
    // No rules: nothing is checked, whatever is recorded.
    assert_eq!(run(|_| {}, &empty_provenance()), (true, vec![]));
    // Any rule and no base model: a failure, never "not applicable".
    for edit in [approve_a, require, by_signer] {
        assert_eq!(run(edit, &empty_provenance()), (false, vec![Status::Fail]));
    }
    // A model directory: by digest (any case), by signer, or signed.
    assert_eq!(run(approve_a, &dir(&a)), (true, vec![Status::Pass]));
    assert_eq!(run(approve_a, &dir(&b)), (false, vec![Status::Fail]));
    assert_eq!(run(by_signer, &dir(&b)), (true, vec![Status::Pass]));
    assert_eq!(run(require, &dir(&b)), (true, vec![Status::Pass]));
    // Weights vouched for by an attestation: signed, so a signature
    // requirement holds; an allow list admits them by digest alone.
    assert_eq!(run(require, &weights(&b)), (true, vec![Status::Pass]));
    assert_eq!(run(approve_a, &weights(&a)), (true, vec![Status::Pass]));
    assert_eq!(run(approve_a, &weights(&b)), (false, vec![Status::Fail]));
    assert_eq!(run(by_signer, &weights(&a)), (false, vec![Status::Fail]));
    // Each base model is judged: one refused fails the release.
    let both = with_bases(&[
        ("base-model:one", &a, Some(&signed)),
        (
            "base-model:two",
            &b,
            Some(&annotations("pinned digest, no signature", None)),
        ),
    ]);
    assert_eq!(
        run(approve_a, &both),
        (false, vec![Status::Pass, Status::Fail])
    );
}

/// Pre-releases that Cargo's matching leaves out of a range and SemVer 2.0
/// precedence puts in (or keeps out). Each range's last comparator is one
/// the pre-release's own release fails, so the verdict is the ordering's:
/// every form of comparator, at both ends of what its given parts name.
#[test]
fn a_pre_release_is_denied_where_precedence_puts_it_in_the_range() {
    let cases = [
        ("<0.12.0", "0.12.0-rc.1", true),
        ("<0.12.0", "0.12.1-rc.1", false),
        ("<1.2.3-beta", "1.2.3-gamma", false),
        ("=1, <1.5.0", "1.5.0-rc.1", true),
        ("=1, <2.0.0", "2.0.0-rc.1", false),
        ("=1.2, <1.2.5", "1.2.5-rc.1", true),
        ("=1.2, <1.3.0", "1.3.0-rc.1", false),
        ("<=1.2.3, <1.2.3", "1.2.3-rc.1", true),
        ("<=1.2, <1.2.7", "1.2.7-rc.1", true),
        ("<=1.2, <1.3.0", "1.3.0-rc.1", false),
        ("<=1, <1.5.0", "1.5.0-rc.1", true),
        (">1.2.3, <1.2.4", "1.2.4-rc.1", true),
        (">1.2, <1.2.9", "1.2.9-rc.1", false),
        (">1, <1.9.0", "1.9.0-rc.1", false),
        (">=1.2.3, <1.2.4", "1.2.4-rc.1", true),
        (">=1.2.5, <1.3.0", "1.2.4-rc.1", false),
        ("^1.2.3, <1.5.0", "1.5.0-rc.1", true),
        ("^1.2.3, <2.0.0", "2.0.0-rc.1", false),
        ("^0.2.3, <0.2.5", "0.2.5-rc.1", true),
        ("^0.2.3, <0.3.0", "0.3.0-rc.1", false),
        ("^0.2, <0.2.5", "0.2.5-rc.1", true),
        ("^0.2, <0.3.0", "0.3.0-rc.1", false),
        ("^0.0.3, <0.0.4", "0.0.4-rc.1", false),
        ("^0.0, <0.0.9", "0.0.9-rc.1", true),
        ("^0.0, <0.1.0", "0.1.0-rc.1", false),
        ("^0, <0.5.0", "0.5.0-rc.1", true),
        ("^0, <1.0.0", "1.0.0-rc.1", false),
        ("~1.2.3, <1.2.5", "1.2.5-rc.1", true),
        ("~1.2.3, <1.3.0", "1.3.0-rc.1", false),
        ("~1, <1.5.0", "1.5.0-rc.1", true),
        ("~1, <2.0.0", "2.0.0-rc.1", false),
        ("1.2.*, <1.2.5", "1.2.5-rc.1", true),
        ("1.*, <2.0.0", "2.0.0-rc.1", false),
        // The lowest pre-release of the first version past each bound is out.
        ("<1.2.3-beta", "1.2.3-beta", false),
        ("=1.2, <1.3.0", "1.3.0-0", false),
        ("<=1.2, <1.3.0", "1.3.0-0", false),
        ("~1.2.3, <1.3.0", "1.3.0-0", false),
        ("^1.2.3, <2.0.0", "2.0.0-0", false),
        ("^0.2.3, <0.3.0", "0.3.0-0", false),
        (">1.2.3, <1.2.4", "1.2.4-0", true),
    ];
    for (range, version, denied) in cases {
        let req = semver::VersionReq::parse(range).unwrap();
        let v = semver::Version::parse(version).unwrap();
        assert!(
            !req.matches(&v),
            "{range} {version}: Cargo's matching decides it"
        );
        assert_eq!(version_in(&req, &v), denied, "{range} {version}");
    }
}

#[test]
fn the_tier_comes_from_the_build_type_and_another_build_type_is_neither() {
    use slsa_aibom_types::command_provenance::COMMAND_BUILD_TYPE;
    use slsa_aibom_types::provenance::BUILD_TYPE;
    let of = |build_type: &str| {
        let mut st = empty_provenance();
        st.predicate["buildDefinition"]["buildType"] = build_type.into();
        st
    };
    let run = |tiers: &[&str], st: &Statement| {
        policy(|p| p.training.tiers = tiers.iter().map(|t| t.to_string()).collect())
            .training
            .check(st, &mut Checks::default())
    };
    run(&["rust"], &of(BUILD_TYPE)).unwrap();
    run(&["command"], &of(COMMAND_BUILD_TYPE)).unwrap();
    let e = run(&["command"], &of(BUILD_TYPE)).unwrap_err();
    assert!(e.to_string().contains("trained by the rust tier"), "{e}");
    let e = run(&["rust", "command"], &of("https://example.com/t")).unwrap_err();
    assert!(
        e.to_string().contains("neither (another build type)"),
        "{e}"
    );
    // No tiers named: any build type passes, and nothing is recorded.
    let mut checks = Checks::default();
    policy(|_| {})
        .training
        .check(&of("https://example.com/t"), &mut checks)
        .unwrap();
    assert!(checks.0.is_empty());
}
