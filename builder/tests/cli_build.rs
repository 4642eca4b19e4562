//! The CLI end to end: determinism across runs and thread counts, rebuild,
//! and dataset-membership proofs.

use crate::common::*;
use slsa_aibom_verify::commitment::{KeyProof, VerifyKeyProof as _};
use std::path::{Path, PathBuf};

fn weights_digest(out: &std::path::Path) -> String {
    sha256(&out.join("model/model.safetensors"))
}

fn build(inputs: &std::path::Path, out: &std::path::Path, threads: &str) {
    let o = build_cli(inputs, out, threads);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn same_seed_gives_identical_model_bytes_across_runs_and_thread_counts() {
    let inputs = example(3);
    let outs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    build(inputs.path(), &outs[0].path().join("o"), "1");
    build(inputs.path(), &outs[1].path().join("o"), "2");
    build(inputs.path(), &outs[2].path().join("o"), "2");
    let digests: Vec<String> = outs
        .iter()
        .map(|d| weights_digest(&d.path().join("o")))
        .collect();
    assert_eq!(digests[0], digests[1], "1 thread and 2 threads differ");
    assert_eq!(digests[1], digests[2], "two runs at 2 threads differ");
    // A different seed really changes the bytes (the comparison can fail).
    edit(&inputs.path().join(JOB), "seed = 42", "seed = 43");
    let other = tempfile::tempdir().unwrap();
    build(inputs.path(), &other.path().join("o"), "2");
    assert_ne!(weights_digest(&other.path().join("o")), digests[0]);
}

/// `rebuild` of the keyed release in `release` from `inputs` into `out`.
fn rebuild_cli(release: &Path, inputs: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<std::ffi::OsString> = vec![
        "rebuild".into(),
        "--provenance".into(),
        release.join("attestations/provenance.sigstore.json").into(),
        "--key".into(),
        release.join("key.pub").into(),
        "--inputs".into(),
        inputs.into(),
        "--out".into(),
        out.into(),
        "-q".into(),
    ];
    args.extend(extra.iter().map(|a| a.into()));
    cli(&args)
}

#[test]
fn rebuild_reproduces_the_model_and_detects_a_changed_job() {
    let inputs = example(2);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    build(inputs.path(), &out, "2");
    let rebuild = |dir: &str| {
        rebuild_cli(
            &out,
            inputs.path(),
            &work.path().join(dir),
            &["--threads", "1"],
        )
    };
    // `build` recorded the job path as given (absolute here), so rebuild
    // resolves it under --inputs only when relative; both work.
    let o = rebuild("r1");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("rebuild matches"));
    assert_eq!(
        weights_digest(&work.path().join("r1")),
        weights_digest(&out)
    );
    // The rebuild's own signed provenance makes the release a reproduced
    // one: same files, same inputs, another key.
    let release = crate::common::reproduced_release_of(&out, &work.path().join("r1"));
    let report = slsa_aibom_verify::release::verify_release(
        &slsa_aibom_verify::Policy {
            anchor: slsa_aibom_verify::TrustAnchor::public_key(
                slsa_aibom_verify::PublicKey::from_file(&out.join("key.pub")).unwrap(),
            ),
            ..Default::default()
        },
        &slsa_aibom_verify::release::rules::ValidReleasePolicy::from_toml(
            "version = 1\n[training]\nrequire_reproduced = true\n",
        )
        .unwrap(),
        None,
        &release,
    );
    assert!(report.reproduced(), "{:?}", report.failure());

    edit(
        &inputs.path().join(JOB),
        "learning_rate = 0.001",
        "learning_rate = 0.002",
    );
    let o = rebuild("r2");
    assert_eq!(code(&o), 8, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("the provenance records"));
}

#[test]
fn prove_writes_presence_and_absence_proofs_against_the_signed_root() {
    let inputs = example(1);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    build(inputs.path(), &out, "2");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("dataset-commitment.json")).unwrap())
            .unwrap();
    let root = doc["splits"]["train"]["root"].as_str().unwrap().to_string();
    let test_root = doc["splits"]["test"]["root"].as_str().unwrap().to_string();
    let prove = |key: &str, split: &str| {
        let o = cli(&[
            "prove".as_ref(),
            inputs.path().join(JOB).as_os_str(),
            "--key".as_ref(),
            key.as_ref(),
            "--split".as_ref(),
            split.as_ref(),
        ]);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<KeyProof>(&o.stdout).unwrap()
    };
    // Every record is in exactly one split: present in one, absent in the other.
    let (mut present, mut absent) = (0, 0);
    for key in ["tx00000", "tx00001", "tx00002", "tx00003"] {
        let in_train = prove(key, "train").verify(&root).unwrap();
        let in_test = prove(key, "test").verify(&test_root).unwrap();
        assert!(!(in_train && in_test), "{key} is in train and test");
        present += usize::from(in_train);
        absent += usize::from(!in_train);
    }
    assert!(
        present > 0 && absent > 0,
        "sample too small: {present} present, {absent} absent"
    );
    assert!(!prove("no-such-transaction", "train").verify(&root).unwrap());
    // A proof checked against another split's root fails (not "absent").
    assert!(prove("tx00000", "train").verify(&test_root).is_err());
}

/// A tiny IDX image job for the CNN: `n` 8×8 images in 4 classes, each
/// class a bright bar on a different row.
pub(crate) fn cnn_inputs(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let idx = |name: &str, dims: &[u32], body: Vec<u8>| {
        let mut bytes = vec![0u8, 0, 8, dims.len() as u8];
        for d in dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend(body);
        std::fs::write(dir.path().join(name), bytes).unwrap();
    };
    let labels: Vec<u8> = (0..n).map(|i| (i * 7 % 4) as u8).collect();
    let mut images = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        for y in 0..8 {
            for x in 0..8 {
                let noise = ((i * 31 + y * 8 + x) * 2654435761 % 61) as u8;
                images.push(if y == 2 * l as usize { 200 } else { noise });
            }
        }
    }
    idx("images.idx", &[n as u32, 8, 8], images);
    idx("labels.idx", &[n as u32], labels);
    std::fs::create_dir_all(dir.path().join(JOB).parent().unwrap()).unwrap();
    std::fs::write(
        dir.path().join(JOB),
        r#"
[metadata]
name = "tiny-cnn"
version = "1"
license = "CC0-1.0"
[dataset]
name = "bars"
format = "idx"
path = "../../images.idx"
labels = "../../labels.idx"
[dataset.definition]
input_shape = [8, 8, 1]
output_shape = [4]
[dataset.definition.preprocessing]
scale = 0.00392156862745098
[model]
architecture = "cnn"
task = "multiclass"
conv = [4, 8]
hidden = [16]
[training]
epochs = 6
batch_size = 16
optimizer = "adam"
learning_rate = 0.01
seed = 5
test_split = 0.25
"#,
    )
    .unwrap();
    dir
}

/// The CNN (our im2col convolution and pooling kernels, run in parallel)
/// gives the same bytes at 1 and 2 threads, and it learns: the training
/// loss falls and the test accuracy beats chance (25 %) by far.
#[test]
fn cnn_is_deterministic_across_thread_counts_and_learns() {
    let inputs = cnn_inputs(240);
    let work = tempfile::tempdir().unwrap();
    let (one, two) = (work.path().join("one"), work.path().join("two"));
    build(inputs.path(), &one, "1");
    build(inputs.path(), &two, "2");
    assert_eq!(weights_digest(&one), weights_digest(&two));
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("metrics.json")).unwrap()).unwrap();
    let epochs = metrics["epochs"].as_array().unwrap();
    let loss = |e: &serde_json::Value| e["loss"].as_f64().unwrap();
    assert!(loss(&epochs[5]) < 0.5 * loss(&epochs[0]), "{metrics}");
    let test_accuracy = metrics["test"]["accuracy"].as_f64().unwrap();
    assert!(test_accuracy > 0.8, "{metrics}");
}

/// The raw outputs of an independent NumPy forward pass
/// (scripts/predict-reference.py) over the release's safetensors.
pub(crate) fn numpy_reference(release: &std::path::Path, rows: &std::path::Path) -> Vec<Vec<f64>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv-peers/bin/python");
    assert!(
        python.is_file(),
        "the NumPy reference needs .venv-peers: run `bash scripts/peers.sh` (scripts/test.sh does); this check did NOT run"
    );
    let reference = std::process::Command::new(&python)
        .arg(root.join("scripts/predict-reference.py"))
        .arg(release)
        .arg(rows)
        .output()
        .unwrap();
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    serde_json::from_slice(&reference.stdout).unwrap()
}

/// `predict` on a copy of testdata/release: (exit code, stdout, stderr).
fn predict(
    release: &std::path::Path,
    rows: &std::path::Path,
    trust: &[&str],
) -> (i32, String, String) {
    let mut args: Vec<std::ffi::OsString> = vec![
        "predict".into(),
        release.join("model").into(),
        "--input".into(),
        rows.into(),
    ];
    args.extend(trust.iter().map(|a| a.into()));
    let o = cli(&args);
    (
        code(&o),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn predict_matches_a_numpy_forward_pass_and_refuses_what_does_not_verify() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let release = tmp.path().join("release");
    copy_tree(&root.join("testdata/release"), &release);
    let rows = tmp.path().join("rows.csv");
    let data = std::fs::read_to_string(root.join("examples/demo/data/transactions.csv")).unwrap();
    std::fs::write(&rows, data.lines().take(41).collect::<Vec<_>>().join("\n")).unwrap();
    let key = release.join("key.pub");
    let key = key.to_str().unwrap();

    let (c, out, err) = predict(&release, &rows, &["--key", key]);
    assert_eq!(c, 0, "{err}");
    let ours: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(ours.len(), 40);
    assert_eq!(ours[0]["row"], "tx00000");

    // An independent NumPy forward pass over the same safetensors.
    let theirs = numpy_reference(&release, &rows);
    for (a, b) in ours.iter().zip(&theirs) {
        let a = a["outputs"][0].as_f64().unwrap();
        assert!((a - b[0]).abs() < 1e-5, "{a} vs {}", b[0]);
    }

    // A policy the release fails: refused before any prediction.
    let policy = tmp.path().join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[[metrics]]\nname = \"accuracy\"\nmin = 0.99\n",
    )
    .unwrap();
    let (c, out, err) = predict(
        &release,
        &rows,
        &["--key", key, "--policy", policy.to_str().unwrap()],
    );
    assert_eq!((c, out.as_str()), (7, ""), "{err}");
    assert!(err.contains("not loaded"), "{err}");

    // A policy without --key for this keyed release: the message names
    // predict's flag, not a library type (issue 33, item 4).
    std::fs::write(&policy, "version = 1\n").unwrap();
    let (c, out, err) = predict(&release, &rows, &["--policy", policy.to_str().unwrap()]);
    assert_ne!(c, 0, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("--key"), "{err}");
    assert!(!err.contains("TrustAnchor"), "{err}");
    // The default template names a workflow a keyed release cannot state:
    // refused naming the policy's lines and the keyed template.
    std::fs::write(&policy, slsa_aibom_verify::release::rules::TEMPLATE).unwrap();
    let (c, _, err) = predict(
        &release,
        &rows,
        &["--key", key, "--policy", policy.to_str().unwrap()],
    );
    assert_eq!(c, 2, "{err}");
    assert!(
        err.contains("[builder]") && err.contains("policy init --keyed"),
        "{err}"
    );
    std::fs::write(&policy, slsa_aibom_verify::release::rules::KEYED_TEMPLATE).unwrap();
    let (c, _, err) = predict(
        &release,
        &rows,
        &["--key", key, "--policy", policy.to_str().unwrap()],
    );
    assert_eq!(c, 0, "{err}");

    // A tampered weight: refused; with --no-verify it runs, loudly.
    let weights = release.join("model/model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let at = bytes.len() - 3;
    bytes[at] ^= 0x40;
    std::fs::write(&weights, bytes).unwrap();
    let (c, out, _) = predict(&release, &rows, &["--key", key]);
    assert_eq!((c, out.as_str()), (7, ""));
    let (c, _, err) = predict(&release, &rows, &["--no-verify"]);
    assert_eq!(c, 0);
    assert!(err.contains("NOT verified"), "{err}");

    // Nothing to vouch with: refused by the command line.
    assert_eq!(predict(&release, &rows, &[]).0, 2);
}

#[test]
fn docs_cli_md_is_the_binarys_own_help() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/cli.md")).unwrap();
    for sub in [
        "build", "detect", "train", "attest", "demo", "rebuild", "prove", "predict",
    ] {
        let o = cli(&[sub, "--help"]);
        assert_eq!(code(&o), 0);
        let block = format!("```text\n{}```", String::from_utf8_lossy(&o.stdout));
        assert!(
            doc.contains(&block),
            "docs/cli.md differs from `slsa-aibom-build {sub} --help`: run scripts/gen-cli-doc.sh"
        );
    }
}

/// `rebuild` compares digests only within the recorded device class. A
/// provenance from another device class (re-signed here with a different
/// class and a different weights digest, as a GPU run would have) is
/// compared by its signed final test metrics instead, within the stated
/// tolerance; within the same class a different digest is a mismatch.
#[test]
fn rebuild_compares_digests_only_within_the_recorded_device_class() {
    use base64::Engine as _;
    let inputs = example(1);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let key = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed/key.pem");
    let o = cli(&[
        "build".as_ref(),
        inputs.path().join(JOB).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let bundle_path = out.join("attestations/provenance.sigstore.json");
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle_path).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let original: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let signer = slsa_aibom_builder::signing::key_file(&key).unwrap();
    let resign = |device_class: &str| {
        let mut st = original.clone();
        st["predicate"]["buildDefinition"]["internalParameters"]["determinism"]["deviceClass"] =
            device_class.into();
        for s in st["subject"].as_array_mut().unwrap() {
            if s["name"] == "model.safetensors" {
                s["digest"]["sha256"] = "ab".repeat(32).into();
            }
        }
        let signed = signer
            .sign_statement(&serde_json::to_vec(&st).unwrap())
            .unwrap();
        std::fs::write(&bundle_path, signed).unwrap();
    };
    let rebuild = |dir: &str| rebuild_cli(&out, inputs.path(), &work.path().join(dir), &[]);
    resign("cuda NVIDIA H100 80GB HBM3 sm_90");
    let o = rebuild("r1");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains("different device class")
            && stdout.contains("digest comparison not meaningful")
            && stdout.contains("accuracy"),
        "{stdout}"
    );
    let this_class = original["predicate"]["buildDefinition"]["internalParameters"]["determinism"]
        ["deviceClass"]
        .as_str()
        .unwrap()
        .to_string();
    resign(&this_class);
    let o = rebuild("r2");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 8, "{stderr}");
    assert!(stderr.contains("model.safetensors"), "{stderr}");
}

/// The demo ends with the command a user should copy: `verify model` on the
/// whole release with the demo's key, and that command's paths lead to a
/// release that verifies (issue 33, item 10). A path with a space comes out
/// as one shell word.
#[test]
fn the_demo_ends_with_a_verify_model_command_that_works() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo out");
    let o = cli(&["demo".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("check it yourself"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let command = line.split_once(": ").unwrap().1;
    let model = format!("'{}'", out.join("model").display());
    let key = format!("'{}'", out.join("key.pub").display());
    assert_eq!(
        command,
        format!("slsa-aibom-verify model {model} --key {key}")
    );
    let policy = slsa_aibom_verify::Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            slsa_aibom_verify::PublicKey::from_file(&out.join("key.pub")).unwrap(),
        ),
        ..Default::default()
    };
    let report = slsa_aibom_verify::release::verify_release(
        &policy,
        &slsa_aibom_verify::release::rules::ValidReleasePolicy::none(),
        None,
        &crate::common::release_of(&out),
    );
    assert!(report.verified(), "{:?}", report.failure());
    // The weights are as readable as the other files (issue 33, item 8).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |f: &str| {
            let m = std::fs::metadata(out.join("model").join(f)).unwrap();
            m.permissions().mode() & 0o777
        };
        assert_eq!(mode("model.safetensors"), mode("config.json"));
    }
}

#[test]
fn version_completions_and_man_page_come_from_the_cli_definition() {
    let o = cli(&["--version"]);
    assert_eq!(code(&o), 0);
    let line = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(
        line.starts_with(&format!(
            "slsa-aibom-build {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{line}"
    );
    let features = if cfg!(feature = "cuda") {
        "wgpu, cuda"
    } else {
        "wgpu"
    };
    assert!(line.ends_with(&format!("features: {features})")), "{line}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = cli(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        let out = String::from_utf8_lossy(&o.stdout);
        for sub in ["build", "rebuild", "predict", "attest"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let o = cli(&["man"]);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains(".TH slsa-aibom-build 1"));
}

/// The examples take installed binaries from PATH (issue 33, item 11):
/// `examples/binaries.sh` prefers $SLSA_AIBOM_BIN, then PATH, and builds
/// only in a clone.
#[test]
fn examples_use_binaries_from_path_and_build_only_in_a_clone() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let installed = tmp.path().join("bin");
    std::fs::create_dir(&installed).unwrap();
    for name in ["slsa-aibom-build", "slsa-aibom-verify"] {
        let p = installed.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |path: &str, bin: Option<&Path>| {
        let mut c = std::process::Command::new("bash");
        c.arg("-c")
            .arg(". \"$0/examples/binaries.sh\" && binaries_dir /no/clone/here")
            .arg(&repo)
            .env("PATH", path)
            .env_remove("SLSA_AIBOM_BIN");
        if let Some(b) = bin {
            c.env("SLSA_AIBOM_BIN", b);
        }
        c.output().unwrap()
    };
    let with_installed = format!("{}:/usr/bin:/bin", installed.display());
    let o = run(&with_installed, None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        installed.display().to_string()
    );
    let o = run("/usr/bin:/bin", Some(tmp.path()));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        tmp.path().canonicalize().unwrap().display().to_string()
    );
    let o = run("/usr/bin:/bin", None);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("no slsa-aibom-build and slsa-aibom-verify on PATH"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
