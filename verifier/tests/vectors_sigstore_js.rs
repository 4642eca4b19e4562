//! sigstore-js (`@sigstore/verify`, the verifier npm uses, from
//! `.node-peers`, which `scripts/peers.sh` installs) and our verifier on the
//! real bundles of `../shared/vectors`, case by case: on every case
//! sigstore-js can express (one bundle, an artifact file, an exact signer and
//! issuer, a Sigstore trusted root) both give a verdict, and the two agree
//! with each other and with `expected.jsonl`, except where `KNOWN` says why
//! not. A crash of sigstore-js (exit 2) is not a refusal, and fails the test.
//! The cases it cannot express are JSON Lines files, keyed bundles, private
//! PKIs and model directories.

use crate::common::{cli, code, vectors};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Where sigstore-js and the vectors disagree, and why; ours agrees with
/// the vectors on each (checked below, case by case).
const KNOWN: &[(&str, &str)] = &[(
    "conformance/trust-root-tlog-missing-validity-start_fail",
    "sigstore-js accepts a log key whose trusted-root entry has no validity start",
)];

/// Cases on which sigstore-js 4.1.3 crashes (a `TypeError` reading an
/// absent field) instead of giving a verdict: no agreement is counted for
/// them, ours must still match the expected verdict, and the test says so
/// if sigstore-js stops crashing on one.
const CRASHES: &[(&str, &str)] = &[
    (
        "conformance/bundle-with-root-cert_fail",
        "reads `envelope` of an undefined content",
    ),
    (
        "conformance/rekor2-no-timestamp_fail",
        "a Rekor v2 entry without a timestamp: reads `clone` of undefined",
    ),
    (
        "sigstore-python/bundle_v3_no_signed_time",
        "a bundle without a signed time: reads `clone` of undefined",
    ),
];

fn root_of(case: &Value) -> Option<String> {
    case["trusted_root"]
        .as_str()
        .map(str::to_string)
        .or_else(
            || match case["instance"].as_str().unwrap_or("public-good") {
                "public-good" => Some("trust/public-good.trusted_root.json".into()),
                "staging" => Some("trusted_roots/staging.sigstore-python.json".into()),
                "github" => Some("trust/github.trusted_root.json".into()),
                _ => None,
            },
        )
}

#[test]
fn vectors_sigstore_js_agrees_with_the_expected_verdict_on_every_case_it_can_express() {
    let v = vectors();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let modules = repo.join(".node-peers/node_modules");
    assert!(
        modules.join("@sigstore/verify").is_dir(),
        "sigstore-js is not installed: run `bash scripts/peers.sh` (scripts/test.sh does); this test did NOT run"
    );
    let text = std::fs::read_to_string(v.join("expected.jsonl")).unwrap();
    let (mut ran, mut differ, mut crashed) = (0, Vec::new(), Vec::new());
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let policy = &case["policy"];
        let (Some(san), Some(issuer), Some(artifact), Some(root)) = (
            policy["san"].as_str(),
            policy["issuer"].as_str(),
            case["artifact"].as_str(),
            root_of(&case),
        ) else {
            continue;
        };
        let bundle = case["bundle"].as_str().unwrap();
        let keyed = ["key", "pubkey", "cert_chain"]
            .iter()
            .any(|k| !case[k].is_null());
        if keyed || bundle.ends_with(".jsonl") {
            continue;
        }
        let out = Command::new("node")
            .arg(repo.join("scripts/sigstore-js-verify.js"))
            .args([v.join(root), v.join(bundle)])
            .args([san, issuer])
            .arg(v.join(artifact))
            .env("NODE_PATH", &modules)
            .output()
            .expect("run node");
        ran += 1;
        let id = case["id"].as_str().unwrap();
        let js_says = String::from_utf8_lossy(&out.stderr)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        let ours = code(&cli(&crate::vectors_conformance::args_for(&case))) == 0;
        let expected = case["expect"] == "PASS";
        // 0 verified, 1 refused; anything else is a crash, not a verdict.
        let crash_known = CRASHES.iter().any(|(k, _)| *k == id);
        let theirs = match out.status.code() {
            Some(0 | 1) if crash_known => {
                differ.push(format!(
                    "{id}: listed in CRASHES, but sigstore-js gave a verdict"
                ));
                continue;
            }
            Some(0) => true,
            Some(1) => false,
            _ if crash_known => {
                if ours != expected {
                    differ.push(format!(
                        "{id}: expected {}, ours {}",
                        case["expect"],
                        verdict(ours)
                    ));
                }
                continue;
            }
            _ => {
                crashed.push(format!("{id}: {js_says}"));
                continue;
            }
        };
        let known = KNOWN.iter().any(|(k, _)| *k == id);
        if ours != expected {
            differ.push(format!(
                "{id}: expected {}, ours {}",
                case["expect"],
                verdict(ours)
            ));
        }
        if theirs != ours && !known {
            differ.push(format!(
                "{id}: ours {}, sigstore-js {}: {js_says}",
                verdict(ours),
                verdict(theirs)
            ));
        }
        if theirs == ours && known {
            differ.push(format!("{id}: listed in KNOWN, but the two now agree"));
        }
    }
    assert!(ran >= 60, "only {ran} cases ran");
    assert!(
        crashed.is_empty(),
        "sigstore-js crashed:\n{}",
        crashed.join("\n")
    );
    assert!(
        differ.is_empty(),
        "the verifiers disagree:\n{}",
        differ.join("\n")
    );
}

fn verdict(accepted: bool) -> &'static str {
    if accepted {
        "accepted"
    } else {
        "refused"
    }
}
