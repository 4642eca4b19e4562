//! sigstore-js (`@sigstore/verify`, the verifier npm uses, from
//! `.node-peers`, which `scripts/peers.sh` installs) on the real bundles of
//! `../shared/vectors`: on every case it can express (one bundle, an
//! artifact file, an exact signer and issuer, a Sigstore trusted root), its
//! verdict must be the one `expected.jsonl` records, which is also ours
//! (`vectors_conformance`). The cases it cannot express are JSON Lines
//! files, keyed bundles, private PKIs and model directories.

use crate::common::vectors;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Where sigstore-js and the vectors disagree, and why. Ours agrees with
/// the vectors on each.
const KNOWN: &[(&str, &str)] = &[(
    "conformance/trust-root-tlog-missing-validity-start_fail",
    "sigstore-js accepts a log key whose trusted-root entry has no validity start",
)];

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
    let (mut ran, mut differ) = (0, Vec::new());
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
        let accepted = out.status.success();
        let id = case["id"].as_str().unwrap();
        if accepted != (case["expect"] == "PASS") && !KNOWN.iter().any(|(k, _)| *k == id) {
            differ.push(format!(
                "{id}: expected {}, sigstore-js {}: {}",
                case["expect"],
                if accepted { "accepted" } else { "refused" },
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ));
        }
    }
    assert!(ran >= 60, "only {ran} cases ran");
    assert!(
        differ.is_empty(),
        "sigstore-js disagrees:\n{}",
        differ.join("\n")
    );
}
