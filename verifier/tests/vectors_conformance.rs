//! Every case of `../shared/vectors/expected.jsonl` through the
//! `verify-bundle` conformance interface: PASS must exit 0, FAIL must exit
//! with one of the documented failure classes, REFUSE_OFFLINE with the
//! no-transparency class.

use crate::common::{cli, code, vectors};
use serde_json::Value;

const EXIT_NO_TRANSPARENCY: i32 = 7;

pub(crate) fn args_for(case: &Value) -> Vec<String> {
    let v = vectors();
    let p = |k: &str| v.join(case[k].as_str().unwrap()).display().to_string();
    let mut a = vec![
        "verify-bundle".to_string(),
        "--bundle".into(),
        p("bundle"),
        "--format".into(),
        "json".into(),
    ];
    match case["trusted_root"].as_str() {
        Some(_) => a.extend(["--trusted-root".into(), p("trusted_root")]),
        None => match case["instance"].as_str() {
            Some("staging") => a.extend(["--instance".into(), "staging".into()]),
            Some("github") => a.extend(["--instance".into(), "github".into()]),
            _ => {}
        },
    }
    for k in ["key", "pubkey"] {
        if case[k].is_string() {
            a.extend(["--key".into(), p(k)]);
        }
    }
    if let Some(chain) = case["cert_chain"].as_array() {
        for c in chain {
            a.extend([
                "--certificate-chain".into(),
                v.join(c.as_str().unwrap()).display().to_string(),
            ]);
        }
    }
    let policy = &case["policy"];
    for (field, flag) in [
        ("san", "--certificate-identity"),
        ("issuer", "--certificate-oidc-issuer"),
        ("source_repo", "--source-repo"),
        ("source_ref", "--source-ref"),
        ("repo", "--repo"),
        ("owner", "--owner"),
        ("predicate_type", "--predicate-type"),
        ("builder_id", "--builder-id"),
    ] {
        if let Some(s) = policy[field].as_str() {
            a.extend([flag.to_string(), s.to_string()]);
        }
    }
    if let Some(paths) = policy["ignore_paths"].as_array().filter(|p| !p.is_empty()) {
        for p in paths {
            a.extend(["--ignore-paths".into(), p.as_str().unwrap().to_string()]);
        }
    }
    if case["artifact"].is_string() {
        a.push(p("artifact"));
    } else if case["model_dir"].is_string() {
        a.push(p("model_dir"));
    } else if let Some(d) = case["digest"].as_str() {
        a.push(d.to_string());
    } else {
        // No subject given: the case is about the bundle alone. Any digest will
        // do, because every such case must fail before the subject matters.
        a.push(format!("sha256:{}", "0".repeat(64)));
    }
    a
}

#[test]
fn vectors_expected_jsonl_all_agree() {
    let text = std::fs::read_to_string(vectors().join("expected.jsonl")).unwrap();
    let (mut agree, mut total) = (0, 0);
    let mut disagreements = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        total += 1;
        let id = case["id"].as_str().unwrap().to_string();
        let expect = case["expect"].as_str().unwrap();
        let out = cli(&args_for(&case));
        let c = code(&out);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let ok = match expect {
            "PASS" => c == 0 && report["verified"] == true,
            "FAIL" => (2..=7).contains(&c) && report["verified"] == false,
            "REFUSE_OFFLINE" => c == EXIT_NO_TRANSPARENCY,
            other => panic!("unknown expectation {other}"),
        };
        if ok {
            agree += 1;
        } else {
            let msg = report
                .pointer("/results/0/failure/message")
                .or(report.pointer("/failure/message"))
                .cloned()
                .unwrap_or(Value::Null);
            disagreements.push(format!(
                "{id}: expected {expect}, exit {c}: {msg} {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    println!("expected.jsonl: {agree}/{total} cases agree");
    assert!(
        disagreements.is_empty(),
        "{} of {total} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(total >= 100, "expected.jsonl has only {total} cases");
}
