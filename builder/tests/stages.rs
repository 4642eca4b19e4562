//! The two stages the workflow runs in separate jobs: `train` (no signing
//! power) and `attest` (signs what `train` recorded, after re-checking it).

use crate::common::*;
use slsa_aibom_builder::layout;
use std::path::Path;

fn train(inputs: &Path, out: &Path) {
    let o = cli(&[
        "train".as_ref(),
        inputs.join(JOB).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--threads".as_ref(),
        "2".as_ref(),
        "-q".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

fn attest(dir: &Path) -> std::process::Output {
    cli(&["attest".as_ref(), dir.as_os_str(), "-q".as_ref()])
}

fn signed_outputs(dir: &Path) -> Vec<&'static str> {
    layout::SIGNED
        .into_iter()
        .filter(|s| dir.join(s).exists())
        .collect()
}

/// `train` signs nothing; `attest` then produces outputs that pass the same
/// full check as `build`'s, with the same model bytes as `build`.
#[test]
fn train_then_attest_equals_build() {
    let inputs = example(2);
    let work = tempfile::tempdir().unwrap();
    let staged = work.path().join("staged");
    train(inputs.path(), &staged);
    assert!(staged.join(layout::RECORD).is_file());
    assert_eq!(signed_outputs(&staged), Vec::<&str>::new());

    let o = attest(&staged);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(signed_outputs(&staged), layout::SIGNED.to_vec());
    slsa_aibom_builder::output_check::verify_outputs(
        &staged,
        &slsa_aibom_builder::output_check::Anchor::key_file(&staged.join(layout::KEY_PUB)).unwrap(),
        Some(slsa_aibom_builder::attest::provenance::LOCAL_BUILDER_ID),
    )
    .unwrap();

    let whole = work.path().join("whole");
    build_into(inputs.path(), &whole);
    assert_eq!(
        sha256(&staged.join("model/model.safetensors")),
        sha256(&whole.join("model/model.safetensors"))
    );
}

/// A file changed between the jobs (each one the record lists, the record
/// itself unparseable, or a file missing) makes `attest` fail with exit 7
/// and sign nothing.
#[test]
fn attest_refuses_a_changed_training_directory() {
    let inputs = example(1);
    let work = tempfile::tempdir().unwrap();
    let clean = work.path().join("clean");
    train(inputs.path(), &clean);
    let listed = [
        "model/model.safetensors",
        "model/config.json",
        layout::METRICS,
        layout::ENVIRONMENT,
        layout::COMMITMENT,
        layout::LOG,
    ];
    for (i, rel) in listed.iter().chain([&layout::RECORD]).enumerate() {
        let dir = work.path().join(format!("t{i}"));
        copy_tree(&clean, &dir);
        let p = dir.join(rel);
        let mut bytes = std::fs::read(&p).unwrap();
        bytes.insert(0, b' ');
        if *rel == layout::RECORD {
            bytes.insert(1, b'x');
        }
        std::fs::write(&p, bytes).unwrap();
        let o = attest(&dir);
        assert_eq!(code(&o), 7, "changing {rel} went unnoticed");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(rel.rsplit('/').next().unwrap()),
            "{rel}: {err}"
        );
        assert_eq!(signed_outputs(&dir), Vec::<&str>::new(), "{rel}");
    }
    // A key the signing job does not know, at the top or nested, is not
    // ignored: the record is the train runner's word, read to the letter.
    for (i, at) in ["", "job"].iter().enumerate() {
        let dir = work.path().join(format!("extra{i}"));
        copy_tree(&clean, &dir);
        let p = dir.join(layout::RECORD);
        let mut record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        let target = if at.is_empty() {
            &mut record
        } else {
            &mut record[*at]
        };
        target["verified_by_the_runner"] = serde_json::json!(true);
        std::fs::write(&p, serde_json::to_vec(&record).unwrap()).unwrap();
        let o = attest(&dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 7, "an extra key in {at:?} went unnoticed: {err}");
        assert!(
            err.contains("unknown field `verified_by_the_runner`"),
            "{err}"
        );
        assert_eq!(signed_outputs(&dir), Vec::<&str>::new());
    }
    let dir = work.path().join("missing");
    copy_tree(&clean, &dir);
    std::fs::remove_file(dir.join(layout::LOG)).unwrap();
    let o = attest(&dir);
    assert_ne!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stderr).contains(layout::LOG));
    assert_eq!(signed_outputs(&dir), Vec::<&str>::new());
}

/// Review item 29.6: the train runner's outputs already hold something
/// attest writes: a `model.sig` link to a file elsewhere (attest would
/// write the signed bundle through it), or an extra bundle in
/// `attestations/` (it would be published beside ours). Refused, exit 7,
/// and nothing is written anywhere.
#[cfg(unix)]
#[test]
fn attest_refuses_outputs_that_are_already_there() {
    let inputs = example(1);
    let work = tempfile::tempdir().unwrap();
    let clean = work.path().join("clean");
    train(inputs.path(), &clean);

    let linked = work.path().join("linked");
    copy_tree(&clean, &linked);
    let victim = work.path().join("victim.txt");
    std::fs::write(&victim, b"untouched").unwrap();
    std::os::unix::fs::symlink(&victim, linked.join(layout::MODEL_SIG)).unwrap();
    let o = attest(&linked);
    assert_eq!(code(&o), 7, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("which only attest writes"));
    assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
    assert!(!linked.join(layout::ATTESTATIONS_DIR).exists());

    let planted = work.path().join("planted");
    copy_tree(&clean, &planted);
    std::fs::create_dir(planted.join(layout::ATTESTATIONS_DIR)).unwrap();
    std::fs::write(planted.join("attestations/extra.sigstore.json"), b"{}").unwrap();
    let o = attest(&planted);
    assert_eq!(code(&o), 7, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!planted.join(layout::MODEL_SIG).exists());
}
