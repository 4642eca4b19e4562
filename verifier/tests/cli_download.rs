//! `download-attestations` against the fake GitHub attestations API
//! (crate `fake-sigstore`): repository and owner scopes, paging, the
//! predicate-type filter, an unknown digest, and the round trip into
//! `verify-bundle`.

use crate::common::{cli, code, testdata};
use serde_json::Value;
use std::path::Path;

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn download(api: &str, out: &Path, args: &[&str]) -> std::process::Output {
    let mut a = vec![
        "download-attestations".to_string(),
        "--api-url".into(),
        api.into(),
        "--out".into(),
        s(out),
    ];
    a.extend(args.iter().map(|x| x.to_string()));
    cli(&a)
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn downloaded_bundles_verify_and_paging_and_filters_work() {
    let fake = fake_sigstore::FakeSigstore::start(fake_sigstore::sample_claims()).unwrap();
    let keyed = testdata().join("keyed");
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(keyed.join("provenance.sigstore.json")).unwrap())
            .unwrap();
    // Three copies: more than the fake's page of two, so the client must page.
    for _ in 0..3 {
        fake.add_attestation(&bundle).unwrap();
    }
    let model_sig: Value =
        serde_json::from_slice(&std::fs::read(keyed.join("model.sig")).unwrap()).unwrap();
    fake.add_attestation(&model_sig).unwrap();
    let api = fake.github_api_url();
    let dir = tempfile::tempdir().unwrap();
    let artifact = keyed.join("artifact.bin");
    let digest = {
        use sha2::Digest as _;
        format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(std::fs::read(&artifact).unwrap()))
        )
    };

    let o = download(&api, dir.path(), &["--repo", "acme/models", &s(&artifact)]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let file = dir.path().join(format!("{digest}.jsonl"));
    assert_eq!(lines(&file).len(), 3, "all pages are fetched");
    assert_eq!(lines(&file)[0], bundle);

    // The file is ordinary JSON Lines evidence for verify-bundle.
    let v = cli(&[
        "verify-bundle".into(),
        "--bundle".into(),
        s(&file),
        "--key".into(),
        s(&keyed.join("key.pub")),
        s(&artifact),
    ]);
    assert_eq!(code(&v), 0, "{}", String::from_utf8_lossy(&v.stdout));

    // Owner scope: the organisation endpoint answers 404, the user one has them.
    std::fs::remove_file(&file).unwrap();
    let o = download(&api, dir.path(), &["--owner", "acme", &digest]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(lines(&file).len(), 3);

    // A predicate-type filter that nothing matches, another repository and
    // an unknown digest all find nothing: exit 2, naming the digest.
    for args in [
        vec![
            "--repo",
            "acme/models",
            "--predicate-type",
            "https://example.com/x",
            &digest,
        ],
        vec!["--repo", "acme/other", &digest],
        vec![
            "--repo",
            "acme/models",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ],
    ] {
        let o = download(&api, dir.path(), &args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("no attestation for sha256:"));
    }
    let o = download(
        &api,
        dir.path(),
        &[
            "--repo",
            "acme/models",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            &digest,
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));

    // A digest the API cannot index, and a dead server, are input errors.
    let o = download(&api, dir.path(), &["--repo", "acme/models", "md5:abc"]);
    assert_eq!(code(&o), 2);
    drop(fake);
    let o = download(&api, dir.path(), &["--repo", "acme/models", &digest]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("GET "));
}
