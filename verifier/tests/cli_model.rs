//! `model` and `policy init` at the command line. The release semantics
//! are tested over fresh builder output in builder/tests/release.rs.

use crate::common::{cli, code, testdata};

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn policy_init_writes_a_template_that_model_accepts_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    let f = file.display().to_string();
    let o = cli(&args(&["policy", "init", "--out", &f]));
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# slsa-aibom release policy"));
    let o = cli(&args(&["policy", "init", "--out", &f]));
    assert_eq!(code(&o), 2, "an existing file must not be overwritten");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    let o = cli(&args(&["policy", "init"]));
    assert_eq!(String::from_utf8_lossy(&o.stdout), text);

    // The template pins the builder by certificate: with a key it is refused
    // before any evidence is read.
    let keyed = testdata().join("keyed");
    let o = cli(&args(&[
        "model",
        &keyed.join("model").display().to_string(),
        "--key",
        &keyed.join("key.pub").display().to_string(),
        "--policy",
        &f,
    ]));
    assert_eq!(code(&o), 2);
    // The message names the policy's lines, not options never passed, and
    // the command that writes a template that works (issue 33, item 3).
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the policy's [builder]"), "{err}");
    assert!(err.contains("policy init --keyed"), "{err}");
    assert!(!err.contains("options"), "{err}");

    // `policy init --keyed`: the template with no [builder], which a keyed
    // release verifies under as it is, with no hand edit.
    let keyed_file = dir.path().join("keyed.toml");
    let k = keyed_file.display().to_string();
    let o = cli(&args(&["policy", "init", "--keyed", "--out", &k]));
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let keyed_text = std::fs::read_to_string(&keyed_file).unwrap();
    assert!(!keyed_text.contains("\n[builder]"), "{keyed_text}");
    assert!(keyed_text.contains("\n[licenses]"), "{keyed_text}");
    let release = testdata().join("release");
    let o = cli(&args(&[
        "model",
        &release.join("model").display().to_string(),
        "--key",
        &release.join("key.pub").display().to_string(),
        "--policy",
        &k,
    ]));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 0, "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("VERIFIED release"), "{out}");
}

#[test]
fn model_reports_missing_documents_and_bad_policies_clearly() {
    let keyed = testdata().join("keyed");
    let model = keyed.join("model").display().to_string();
    let key = keyed.join("key.pub").display().to_string();
    // testdata/keyed has a model signature and a provenance but no ML-BOM.
    let o = cli(&args(&["model", &model, "--key", &key, "--format", "json"]));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(code(&o), 0);
    assert_eq!(v["verified"], false);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "version = 1\n[licences]\nmodel = [\"MIT\"]\n").unwrap();
    let o = cli(&args(&[
        "model",
        &model,
        "--key",
        &key,
        "--policy",
        &bad.display().to_string(),
    ]));
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown field"));
    let o = cli(&args(&["model", "no/such/dir", "--key", &key]));
    assert_eq!(code(&o), 2);
    // A model directory alone: the message gives the layout and the flags
    // (issue 33, item 7).
    let lonely = dir.path().join("lonely");
    crate::common::copy_dir(&keyed.join("model"), &lonely.join("model"));
    let o = cli(&args(&[
        "model",
        &lonely.join("model").display().to_string(),
        "--key",
        &key,
    ]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(code(&o), 0, "{err}");
    assert!(err.contains("hint: nothing at"), "{err}");
    assert!(
        err.contains("DIR/model/, DIR/model.sig and DIR/attestations/"),
        "{err}"
    );
    assert!(err.contains("--signature FILE"), "{err}");
    let o = cli(&args(&[
        "model",
        &lonely.join("model").display().to_string(),
        "--key",
        &key,
        "--signature",
        &keyed.join("model.sig").display().to_string(),
    ]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--attestations DIR"), "{err}");
    assert!(!err.contains("--signature FILE"), "{err}");
}

#[test]
fn an_unwritable_stdout_loses_the_output_not_the_verdict() {
    // /dev/full fails every write, as a closed pipe (`| head`) would: the
    // process must not panic, and its exit code must still be the verdict.
    let release = testdata().join("release");
    let run = |model: &std::path::Path| {
        let o = crate::common::verifier_cli()
            .arg("model")
            .arg(model)
            .arg("--attestations")
            .arg(release.join("attestations"))
            .arg("--signature")
            .arg(release.join("model.sig"))
            .arg("--key")
            .arg(release.join("key.pub"))
            .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
            .output()
            .expect("run slsa-aibom-verify");
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{stderr}");
        code(&o)
    };
    assert_eq!(run(&release.join("model")), 0);
    // A model directory missing a signed file fails with its own exit code.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    std::fs::copy(release.join("model/config.json"), model.join("config.json")).unwrap();
    assert_eq!(run(&model), 5);
}

#[test]
fn unwritable_stdout_and_stderr_keep_the_exit_code() {
    // An error goes to stderr; with both streams failing every write the
    // process must still exit with the error's code, not panic (101).
    let o = crate::common::verifier_cli()
        .args(["model", "no/such/dir", "--key", "no/such/key.pub"])
        .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
        .stderr(std::fs::File::create("/dev/full").expect("/dev/full"))
        .output()
        .expect("run slsa-aibom-verify");
    assert_eq!(code(&o), 2);
}

#[test]
fn docs_cli_md_is_the_binarys_own_help() {
    let doc = std::fs::read_to_string(testdata().join("../docs/cli.md")).unwrap();
    for sub in [
        "verify-bundle",
        "model",
        "policy init",
        "vsa",
        "inventory",
        "download-attestations",
        "dataset-proof",
        "intoto layout",
        "intoto file",
        "intoto dir",
        "intoto bom",
    ] {
        let mut a: Vec<String> = sub.split(' ').map(str::to_string).collect();
        a.push("--help".into());
        let o = cli(&a);
        assert_eq!(code(&o), 0);
        let block = format!("```text\n{}```", String::from_utf8_lossy(&o.stdout));
        assert!(
            doc.contains(&block),
            "docs/cli.md differs from `slsa-aibom-verify {sub} --help`: run scripts/gen-cli-doc.sh"
        );
    }
}
