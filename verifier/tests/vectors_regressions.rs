//! Named regressions on real bundles from ../shared/vectors.

use crate::common::{cli, code, vectors};
use serde_json::Value;

fn run(args: &[&str]) -> (i32, Value) {
    let mut a: Vec<String> = vec!["verify-bundle".into(), "--format".into(), "json".into()];
    a.extend(args.iter().map(|s| s.to_string()));
    let out = cli(&a);
    (
        code(&out),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    )
}

fn v(p: &str) -> String {
    vectors().join(p).display().to_string()
}

const BCR: &str = "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1";
const GHA: &str = "https://token.actions.githubusercontent.com";

#[test]
fn vectors_predicate_builder_claim_without_matching_certificate_fails() {
    // The certificate names loosebazooka/aa-test's malicious_attestation.yaml;
    // the predicate claims the trusted publish-to-bcr builder.
    // The signer policy (owner) matches the certificate, so only the builder claim is at stake.
    let (c, j) = run(&[
        "--bundle",
        &v("slsa-verifier/bcr/MODULE-wrong-signer.bazel.intoto.jsonl"),
        "--builder-id",
        BCR,
        "--owner",
        "loosebazooka",
        &v("slsa-verifier/bcr/MODULE-wrong-signer.bazel"),
    ]);
    assert_eq!(c, 4, "{j:#}");
    let failed: Vec<&Value> = j["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(failed.len(), 1, "{j:#}");
    assert_eq!(
        failed[0]["name"], "provenance.builder-id-consistent",
        "{j:#}"
    );
    // Identity from the certificate: the same claim with the SAN asked for fails on the SAN.
    let (c, _) = run(&[
        "--bundle",
        &v("slsa-verifier/bcr/MODULE-wrong-signer.bazel.intoto.jsonl"),
        "--certificate-identity",
        BCR,
        &v("slsa-verifier/bcr/MODULE-wrong-signer.bazel"),
    ]);
    assert_eq!(c, 4);
    // And the genuine bundle passes with the builder required.
    let (c, j) = run(&[
        "--bundle",
        &v("slsa-verifier/bcr/MODULE.bazel.intoto.jsonl"),
        "--certificate-identity",
        BCR,
        "--certificate-oidc-issuer",
        GHA,
        "--builder-id",
        BCR,
        &v("slsa-verifier/bcr/MODULE.bazel"),
    ]);
    assert_eq!(c, 0, "{j:#}");
}

#[test]
fn vectors_san_regex_is_anchored() {
    let bundle = v("gh-cli/sigstore-js-2.1.0-bundle.json");
    let art = v("gh-cli/sigstore-js-2.1.0.tgz");
    // SAN is https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main
    for (re, want) in [
        (
            r"https://github\.com/sigstore/sigstore-js/\.github/workflows/release\.yml@refs/heads/main",
            0,
        ),
        (
            r"https://github\.com/sigstore/sigstore-js/\.github/workflows/release\.yml@.*",
            0,
        ),
        (
            r"https://github\.com/sigstore/sigstore-js/\.github/workflows/release\.yml",
            4,
        ),
        (
            r"sigstore/sigstore-js/\.github/workflows/release\.yml@refs/heads/main",
            4,
        ),
        (
            r"https://github\.com/sigstore/sigstore-js/\.github/workflows/release\.yml@refs/heads/mai",
            4,
        ),
    ] {
        let (c, j) = run(&[
            "--bundle",
            &bundle,
            "--certificate-identity-regexp",
            re,
            "--certificate-oidc-issuer",
            GHA,
            &art,
        ]);
        assert_eq!(c, want, "{re}: {}", j["results"][0]["failure"]);
    }
}

#[test]
fn vectors_deprecated_and_current_oids_agree_on_real_certificates() {
    let (c, j) = run(&[
        "--bundle",
        &v("slsa-verifier/bcr/MODULE.bazel.intoto.jsonl"),
        "--certificate-identity",
        BCR,
        &v("slsa-verifier/bcr/MODULE.bazel"),
    ]);
    assert_eq!(c, 0);
    let check = j["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "identity.deprecated-oids")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "pass", "{check}");
    assert!(
        check["detail"].as_str().unwrap().starts_with('4'),
        "{check}"
    );
    let claims = &j["results"][0]["signer"]["claims"];
    assert_eq!(
        claims["deprecated_workflow_ref"],
        claims["source_repository_ref"]
    );
    assert_eq!(
        claims["deprecated_workflow_sha"],
        claims["source_repository_digest"]
    );
}

#[test]
fn vectors_signer_workflow_pinned_by_tag_or_commit() {
    let bundle = v("slsa-verifier/bcr/MODULE.bazel.intoto.jsonl");
    let art = v("slsa-verifier/bcr/MODULE.bazel");
    let (_, j) = run(&["--bundle", &bundle, "--certificate-identity", BCR, &art]);
    let sha = j["results"][0]["signer"]["claims"]["build_signer_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let by_commit = format!("{}@{sha}", BCR.split('@').next().unwrap());
    assert_eq!(
        run(&[
            "--bundle",
            &bundle,
            "--certificate-identity",
            &by_commit,
            &art
        ])
        .0,
        0
    );
    let wrong = format!("{}@{}", BCR.split('@').next().unwrap(), "0".repeat(40));
    assert_eq!(
        run(&["--bundle", &bundle, "--certificate-identity", &wrong, &art]).0,
        4
    );
}

#[test]
fn vectors_certificate_claims_policy() {
    let bundle = v("gh-cli/sigstore-js-2.1.0-bundle.json");
    let art = v("gh-cli/sigstore-js-2.1.0.tgz");
    let base = [
        "--bundle",
        bundle.as_str(),
        "--repo",
        "sigstore/sigstore-js",
    ];
    for (flags, want) in [
        (vec!["--owner", "sigstore"], 0),
        (vec!["--owner", "evil"], 4),
        (vec!["--source-ref", "refs/heads/main"], 0),
        (vec!["--source-ref", "refs/heads/evil"], 4),
        (
            vec!["--source-repo", "https://github.com/sigstore/sigstore-js"],
            0,
        ),
        (
            vec![
                "--source-repo",
                "https://github.com/sigstore/sigstore-js-evil",
            ],
            4,
        ),
        (vec!["--runner-environment", "self-hosted"], 6),
    ] {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(flags.iter().copied());
        a.push(&art);
        assert_eq!(run(&a).0, want, "{flags:?}");
    }
}

#[test]
fn vectors_keyless_without_expected_signer_is_refused() {
    let (c, j) = run(&[
        "--bundle",
        &v("gh-cli/sigstore-js-2.1.0-bundle.json"),
        &v("gh-cli/sigstore-js-2.1.0.tgz"),
    ]);
    assert_eq!(c, 2, "{j:#}");
    assert_eq!(j["verified"], false);
}

#[test]
fn vectors_trust_domain_is_the_one_asked_for() {
    // A public-good bundle must not verify under GitHub's private instance
    // (TSA only, no log) or staging: the certificate chains to neither.
    let bundle = v("gh-cli/sigstore-js-2.1.0-bundle.json");
    let art = v("gh-cli/sigstore-js-2.1.0.tgz");
    assert_eq!(
        run(&["--bundle", &bundle, "--repo", "sigstore/sigstore-js", &art]).0,
        0
    );
    for instance in ["github", "staging"] {
        let (c, j) = run(&[
            "--bundle",
            &bundle,
            "--repo",
            "sigstore/sigstore-js",
            "--instance",
            instance,
            &art,
        ]);
        assert_eq!(c, 3, "{instance}: {j:#}");
    }
}

#[test]
fn vectors_repository_host_and_issuer_are_part_of_the_match() {
    let bundle = v("gh-cli/sigstore-js-2.1.0-bundle.json");
    let art = v("gh-cli/sigstore-js-2.1.0.tgz");
    // The same OWNER/NAME on another host is another repository.
    let (c, j) = run(&[
        "--bundle",
        &bundle,
        "--source-repo",
        "https://evil.example/sigstore/sigstore-js",
        "--certificate-oidc-issuer",
        GHA,
        &art,
    ]);
    assert_eq!(c, 4, "{j:#}");
    let check = j["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "source.repository")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "fail", "{check}");
    assert_eq!(check["actual"], "https://github.com/sigstore/sigstore-js");
    // Without an issuer a repository on another host names no signer.
    let (c, _) = run(&[
        "--bundle",
        &bundle,
        "--source-repo",
        "https://evil.example/sigstore/sigstore-js",
        &art,
    ]);
    assert_eq!(c, 2);
    // --repo means GitHub: it implies the GitHub Actions issuer, which is checked.
    let (c, j) = run(&[
        "--bundle",
        &bundle,
        "--repo",
        "Sigstore/Sigstore-JS.git",
        &art,
    ]);
    assert_eq!(c, 0, "{j:#}");
    let issuer = j["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "identity.issuer")
        .unwrap()
        .clone();
    assert_eq!(issuer["status"], "pass");
    assert_eq!(issuer["expected"], GHA);
    let (c, _) = run(&[
        "--bundle",
        &bundle,
        "--repo",
        "sigstore/sigstore-js",
        "--certificate-oidc-issuer",
        "https://gitlab.com",
        &art,
    ]);
    assert_eq!(c, 4);
}

/// model-transparency's own private-PKI signature (issue 32, item 1): its
/// signing certificate is itself a CA (WebPKI refuses it as an end entity)
/// and the bundle carries [leaf, intermediate]; the user supplies only the
/// root. The path through the bundle's intermediate reaches it; without the
/// intermediate, or with a root the path does not reach, it fails.
/// Cross-checked: `model_signing verify certificate --certificate_chain
/// keys/ca-cert.pem` (1.1.1) says "Verification succeeded".
#[test]
fn vectors_model_signing_certificate_chains_through_the_bundle_s_intermediate_to_the_root() {
    let dir = "model-transparency/v1.1.0-certificate";
    let sig = v(&format!("{dir}/model.sig"));
    let with_root = |bundle: &str, root: &str| {
        run(&[
            "--bundle",
            bundle,
            "--certificate-chain",
            &v(root),
            "--ignore-paths",
            "ignore-me",
            &v(dir),
        ])
    };
    let (c, j) = with_root(&sig, "model-transparency/keys/ca-cert.pem");
    assert_eq!(c, 0, "{j:#}");
    let detail = j["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "certificate.chain")
        .map(|c| c["detail"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(
        detail.contains("a path through the bundle's intermediates"),
        "{detail}"
    );

    // The intermediate removed from the bundle: nothing links the leaf to
    // the root.
    let tmp = tempfile::tempdir().unwrap();
    let mut bundle: Value = serde_json::from_slice(&std::fs::read(&sig).unwrap()).unwrap();
    let chain = bundle["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array_mut()
        .unwrap();
    assert_eq!(chain.len(), 2, "leaf and intermediate");
    chain.truncate(1);
    let stripped = tmp.path().join("model.sig");
    std::fs::write(&stripped, bundle.to_string()).unwrap();
    let (c, j) = with_root(
        &stripped.display().to_string(),
        "model-transparency/keys/ca-cert.pem",
    );
    assert_eq!(c, 3, "{j:#}");

    // Another PKI's root (the model_signing fixtures'): no path.
    let other = crate::common::testdata().join("model-signing/pki/ca.pem");
    let (c, j) = run(&[
        "--bundle",
        &sig,
        "--certificate-chain",
        &other.display().to_string(),
        &v(dir),
    ]);
    assert_eq!(c, 3, "{j:#}");
}

/// The first subject's `sha256:HEX` of a bundle's DSSE statement.
fn first_subject(bundle: &str) -> String {
    use base64::Engine as _;
    let b: Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: Value = serde_json::from_slice(&payload).unwrap();
    format!(
        "sha256:{}",
        st["subject"][0]["digest"]["sha256"].as_str().unwrap()
    )
}

/// `--builder-id` alone accepts either SLSA provenance (issue 32, item 6):
/// slsa-github-generator's real v0.2 provenance (generic and Go builders)
/// is checked on the builder ID v0.2 defines, instead of failing on its
/// predicate type; a wrong builder ID still fails, and an explicit
/// `--predicate-type` still rules.
#[test]
fn vectors_builder_id_alone_checks_slsa_v0_2_provenance_on_its_builder() {
    let generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0";
    let go = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v2.1.0";
    let check = |bundle: &str, san: &str, builder: &str, extra: &[&str]| {
        let bundle = v(bundle);
        let subject = first_subject(&bundle);
        let mut args = vec![
            "--bundle",
            &bundle,
            "--certificate-identity",
            san,
            "--certificate-oidc-issuer",
            GHA,
            "--builder-id",
            builder,
        ];
        args.extend_from_slice(extra);
        args.push(&subject);
        run(&args)
    };
    let generic_bundle =
        "slsa-verifier/gha_generic-v2.1.0/binary-linux-amd64-push-v14.intoto.jsonl";
    for (bundle, builder) in [
        (generic_bundle, generic),
        (
            "slsa-verifier/gha_go_v2.1.0/binary-linux-amd64-push-v14.intoto.jsonl",
            go,
        ),
    ] {
        let (c, j) = check(bundle, builder, builder, &[]);
        assert_eq!(c, 0, "{bundle}: {j:#}");
        let checks = j["results"][0]["checks"].as_array().unwrap();
        assert!(
            checks
                .iter()
                .any(|c| c["name"] == "provenance.builder-id" && c["status"] == "pass"),
            "{checks:?}"
        );
    }
    // Another builder ID than the provenance's: refused.
    let (c, j) = check(generic_bundle, generic, go, &[]);
    assert_eq!(c, 4, "{j:#}");
    // An explicit predicate type still rules.
    let (c, j) = check(
        generic_bundle,
        generic,
        generic,
        &["--predicate-type", "https://slsa.dev/provenance/v1"],
    );
    assert_eq!(c, 6, "{j:#}");
}
