//! Model signatures made by every `model_signing` release from 0.3.0 to
//! 1.1.1, each with its own CLI (`scripts/make-model-signing-fixtures.sh`,
//! fixtures in `testdata/model-signing/`): keys on P-256, P-384 and P-521, a
//! certificate chain, a single-file model, and shard serialisation where
//! the release has it. Each verifies; a changed byte or another key fails.

use crate::common::{cli, code, copy_dir, testdata};
use std::path::{Path, PathBuf};

const RELEASES: [&str; 6] = ["0.3.0", "0.3.1", "1.0.0", "1.0.1", "1.1.0", "1.1.1"];

fn fixtures() -> PathBuf {
    testdata().join("model-signing")
}

/// `verify-bundle` arguments for signature `name` of a release over `subject`.
fn args(sig: &Path, name: &str, subject: &Path) -> Vec<String> {
    let pki = fixtures().join("pki");
    let s = |p: PathBuf| p.display().to_string();
    let mut a = vec![
        "verify-bundle".into(),
        "--bundle".into(),
        s(sig.to_path_buf()),
    ];
    if name == "dir-cert.sig" {
        for c in ["ca.pem", "intermediate.pem"] {
            a.extend(["--certificate-chain".into(), s(pki.join(c))]);
        }
    } else {
        let key = ["p384", "p521"]
            .into_iter()
            .find(|k| name.contains(k))
            .map_or("p256.pub".to_string(), |k| format!("{k}.pub"));
        a.extend(["--key".into(), s(pki.join(key))]);
    }
    a.extend(["--format".into(), "json".into(), s(subject.to_path_buf())]);
    a
}

fn subject_of(name: &str, model: &Path, single: &Path) -> PathBuf {
    if name.starts_with("file-") {
        single.to_path_buf()
    } else {
        model.to_path_buf()
    }
}

fn signatures(release: &str) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(fixtures().join(release))
        .unwrap()
        .flatten()
        .map(|e| (e.path(), e.file_name().to_string_lossy().into_owned()))
        .filter(|(_, n)| n.ends_with(".sig"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_release_from_0_3_verifies_with_keys_chains_single_files_and_shards() {
    let model = fixtures().join("model");
    let single = fixtures().join("single/model.bin");
    let mut verified = 0;
    for release in RELEASES {
        for (sig, name) in signatures(release) {
            let out = cli(&args(&sig, &name, &subject_of(&name, &model, &single)));
            assert_eq!(
                code(&out),
                0,
                "{release} {name}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            verified += 1;
        }
    }
    // What each release can make, less what NOT-SIGNED.txt says it cannot:
    // 0.3.0's certificate signer fails upstream, and shards came with 1.1's API.
    assert_eq!(verified, 4 + 4 + 5 + 5 + 6 + 6);
    let reasons = std::fs::read_to_string(fixtures().join("0.3.0/NOT-SIGNED.txt")).unwrap();
    assert!(reasons.contains("dir-cert.sig: TypeError") && reasons.contains("raw_byutes"));
}

#[test]
fn a_changed_byte_or_another_key_fails_for_every_release() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("model");
    copy_dir(&fixtures().join("model"), &model);
    let weights = model.join("weights.bin");
    let mut bytes = std::fs::read(&weights).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&weights, bytes).unwrap();
    let single = tmp.path().join("model.bin");
    let mut bytes = std::fs::read(fixtures().join("single/model.bin")).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&single, bytes).unwrap();
    for release in RELEASES {
        for (sig, name) in signatures(release) {
            let out = cli(&args(&sig, &name, &subject_of(&name, &model, &single)));
            assert_eq!(code(&out), 5, "{release} {name} accepted a changed byte");
        }
        let sig = fixtures().join(release).join("dir-key-p256.sig");
        let mut wrong = args(&sig, "dir-key-p384.sig", &fixtures().join("model"));
        assert_eq!(code(&cli(&wrong)), 3, "{release}: another key verified");
        // A single-file signature is not a directory's, and the other way round.
        let file_sig = fixtures().join(release).join("file-key-p256.sig");
        wrong = args(&file_sig, "file-key-p256.sig", &fixtures().join("model"));
        let out = cli(&wrong);
        assert_eq!(code(&out), 2, "{release}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("over a single file"));
    }
}

/// `verify-bundle` of release's certificate signature over the fixture
/// model, trusting only `anchors` (file names in the fixtures' `pki/`).
fn cert_verify(sig: &Path, anchors: &[&str]) -> std::process::Output {
    let mut a = vec![
        "verify-bundle".to_string(),
        "--bundle".into(),
        sig.display().to_string(),
    ];
    for c in anchors {
        a.extend([
            "--certificate-chain".into(),
            fixtures().join("pki").join(c).display().to_string(),
        ]);
    }
    a.push(fixtures().join("model").display().to_string());
    cli(&a)
}

/// model_signing 1.0 and later put [leaf, intermediate, root] in the
/// bundle's `x509CertificateChain`; a user supplies only the root. The
/// bundle's intermediates are untrusted until they chain to a supplied
/// anchor (issue 32, item 1). Cross-checked: `model_signing verify
/// certificate --certificate_chain pki/ca.pem` accepts these bundles, and
/// refuses them with `pki/leaf.pem` as the chain ("self-signed certificate
/// in certificate chain"), as we do.
#[test]
fn model_signing_releases_a_certificate_signature_verifies_with_only_its_root() {
    let mut checked = 0;
    for release in RELEASES {
        let sig = fixtures().join(release).join("dir-cert.sig");
        if !sig.exists() {
            continue; // 0.3.x: no certificate signature (NOT-SIGNED.txt, the script)
        }
        let out = cert_verify(&sig, &["ca.pem"]);
        assert_eq!(
            code(&out),
            0,
            "{release}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // Neither the leaf nor the intermediate's key as the only anchor...
        let out = cert_verify(&sig, &["leaf.pem"]);
        assert_eq!(code(&out), 3, "{release}: the leaf anchored itself");
        checked += 1;
    }
    assert_eq!(checked, 4, "1.0.0 to 1.1.1");

    // ...and without the intermediate the bundle carried, no path reaches
    // the root: the intermediate came from the bundle, not from trust.
    let tmp = tempfile::tempdir().unwrap();
    let sig = fixtures().join("1.1.1/dir-cert.sig");
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sig).unwrap()).unwrap();
    let chain = bundle["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array_mut()
        .unwrap();
    assert_eq!(chain.len(), 3, "leaf, intermediate, root");
    chain.remove(1);
    let stripped = tmp.path().join("stripped.sig");
    std::fs::write(&stripped, bundle.to_string()).unwrap();
    let out = cert_verify(&stripped, &["ca.pem"]);
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("does not chain"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
