//! The practitioner features of the job spec (issue 16): each one trains
//! deterministically (the same model bytes at 1 and 2 threads), is recorded
//! in the ML-BOM's model parameters, and each bad value is refused with an
//! error that names the key.

use crate::common::*;
use std::path::Path;

fn example_with(epochs: usize, edits: &[(&str, &str)]) -> tempfile::TempDir {
    let inputs = example(epochs);
    for (from, to) in edits {
        edit(&inputs.path().join(JOB), from, to);
    }
    inputs
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn weights_digest(out: &Path) -> String {
    sha256(&out.join("model/model.safetensors"))
}

/// The training parameters the ML-BOM records (its formulation's workflow
/// inputs), by name.
fn parameters(out: &Path) -> std::collections::BTreeMap<String, String> {
    let bom = json(&out.join("aibom.cdx.json"));
    let mut found = std::collections::BTreeMap::new();
    let workflows = &bom["formulation"][0]["workflows"][0]["inputs"];
    for input in workflows.as_array().unwrap() {
        if let Some(ps) = input["parameters"].as_array() {
            for p in ps {
                found.insert(
                    p["name"].as_str().unwrap().to_string(),
                    p["value"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    found
}

/// Build the job under `inputs` into `work/1` and `work/2` at 1 and 2
/// threads, assert both succeed with the same model bytes; that digest.
fn same_at_one_and_two_threads(inputs: &Path, work: &Path) -> String {
    let digests: Vec<String> = ["1", "2"]
        .iter()
        .map(|threads| {
            let out = work.join(threads);
            let o = build_cli(inputs, &out, threads);
            assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
            weights_digest(&out)
        })
        .collect();
    assert_eq!(digests[0], digests[1], "1 and 2 threads differ");
    digests[0].clone()
}

/// Pairs of (text, replacement), or of (parameter, recorded value).
type Edits<'a> = &'a [(&'a str, &'a str)];

/// Every new feature at once, on the demo job: the same bytes at 1 and 2
/// threads and across runs, and each setting recorded.
#[test]
fn every_feature_is_deterministic_across_thread_counts_and_recorded() {
    let cases: &[(&str, Edits, Edits)] = &[
        (
            "sgd with nesterov momentum, clipping, cosine schedule with warm-up, dropout, gelu",
            &[
                ("optimizer = \"adam\"", "optimizer = \"sgd\"\nmomentum = 0.9\nnesterov = true\nclip_grad_norm = 1.0"),
                ("learning_rate = 0.001", "learning_rate = 0.01"),
                ("seed = 42", "seed = 42\n[training.schedule]\nkind = \"cosine\"\nwarmup_epochs = 1\nmin_learning_rate = 0.0001"),
                ("hidden = [64]", "hidden = [32, 16]\nactivation = \"gelu\"\ndropout = 0.2"),
            ],
            &[("momentum", "0.9"), ("nesterov", "true"), ("clip_grad_norm", "1.0"), ("schedule.kind", "cosine"), ("model.activation", "gelu"), ("model.dropout", "0.2")],
        ),
        (
            "step schedule, class weights, label smoothing, stratified split, early stopping, tanh",
            &[
                ("learning_rate = 0.001", "learning_rate = 0.003\nclass_weights = [1.0, 4.0]\nlabel_smoothing = 0.05\nstratify = true"),
                ("seed = 42", "seed = 42\n[training.schedule]\nkind = \"step\"\nstep_epochs = 2\ngamma = 0.5\n[training.early_stopping]\nmonitor = \"roc-auc\"\npatience = 2"),
                ("hidden = [64]", "hidden = [32]\nactivation = \"tanh\""),
            ],
            &[("class_weights", "[1.0,4.0]"), ("label_smoothing", "0.05"), ("stratify", "true"), ("schedule.step_epochs", "2"), ("early_stopping.monitor", "roc-auc"), ("model.activation", "tanh")],
        ),
    ];
    for (what, edits, recorded) in cases {
        let inputs = example_with(6, edits);
        let work = tempfile::tempdir().unwrap();
        let outs: Vec<_> = ["1", "2", "2"]
            .iter()
            .enumerate()
            .map(|(i, threads)| {
                let out = work.path().join(format!("o{i}"));
                let o = build_cli(inputs.path(), &out, threads);
                assert_eq!(
                    code(&o),
                    0,
                    "{what}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                out
            })
            .collect();
        let digests: Vec<String> = outs.iter().map(|o| weights_digest(o)).collect();
        assert_eq!(digests[0], digests[1], "{what}: 1 and 2 threads differ");
        assert_eq!(digests[1], digests[2], "{what}: two runs differ");
        let params = parameters(&outs[0]);
        for (name, value) in *recorded {
            assert_eq!(
                params.get(*name).map(String::as_str),
                Some(*value),
                "{what}: {name} in {params:?}"
            );
        }
        let metrics = json(&outs[0].join("metrics.json"));
        let test = &metrics["test"];
        for key in ["roc_auc", "pr_auc", "confusion", "per_class"] {
            assert!(!test[key].is_null(), "{what}: test.{key} missing: {test}");
        }
    }
}

/// Early stopping stops, names the best epoch, and the weights are that
/// epoch's: its validation loss is the one the final evaluation reports.
#[test]
fn early_stopping_restores_the_best_epoch() {
    let inputs = example_with(
        40,
        &[
            ("learning_rate = 0.001", "learning_rate = 0.05"),
            (
                "seed = 42",
                "seed = 42\n[training.early_stopping]\nmonitor = \"loss\"\npatience = 2",
            ),
        ],
    );
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("o");
    let o = build_cli(inputs.path(), &out, "2");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let m = json(&out.join("metrics.json"));
    let stop = &m["early_stopping"];
    let epochs = m["epochs"].as_array().unwrap();
    assert!(epochs.len() < 40, "did not stop: {} epochs", epochs.len());
    assert_eq!(
        stop["stopped_epoch"].as_u64().unwrap() as usize,
        epochs.len() - 1
    );
    let best = stop["best_epoch"].as_u64().unwrap() as usize;
    let best_loss = epochs[best]["validation"]["loss"].as_f64().unwrap();
    for e in epochs {
        assert!(e["validation"]["loss"].as_f64().unwrap() >= best_loss);
    }
    let final_loss = m["validation"]["loss"].as_f64().unwrap();
    assert!(
        (final_loss - best_loss).abs() < 1e-6,
        "{final_loss} vs {best_loss}"
    );
}

/// Each new key's bad values: exit 2, the key named, nothing left behind.
#[test]
fn bad_feature_values_are_refused_by_name() {
    let bad: &[(&str, &str, &str)] = &[
        (
            "hidden = [64]",
            "hidden = [64]\ndropout = 1.0",
            "model.dropout",
        ),
        (
            "hidden = [64]",
            "hidden = [64]\nactivation = \"swish\"",
            "model.activation",
        ),
        (
            "[training]",
            "[training]\nmomentum = 0.9",
            "training.momentum",
        ),
        (
            "optimizer = \"adam\"",
            "optimizer = \"sgd\"\nmomentum = 1.5",
            "training.momentum",
        ),
        (
            "optimizer = \"adam\"",
            "optimizer = \"sgd\"\nnesterov = true",
            "training.nesterov",
        ),
        (
            "[training]",
            "[training]\nclip_grad_norm = -1.0",
            "training.clip_grad_norm",
        ),
        (
            "[training]",
            "[training]\nclip_grad_norm = nan",
            "training.clip_grad_norm",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.schedule]\nkind = \"step\"",
            "step_epochs",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.schedule]\nkind = \"cosine\"\ngamma = 0.5",
            "training.schedule.gamma",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.schedule]\nkind = \"cosine\"\nwarmup_epochs = 9",
            "warmup_epochs",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.schedule]\nkind = \"linear\"",
            "training.schedule.kind",
        ),
        (
            "[training]",
            "[training]\nclass_weights = [1.0]",
            "training.class_weights",
        ),
        (
            "[training]",
            "[training]\nclass_weights = [1.0, 0.0]",
            "training.class_weights",
        ),
        (
            "[training]",
            "[training]\nlabel_smoothing = 1.0",
            "training.label_smoothing",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.early_stopping]\nmonitor = \"val_acc\"\npatience = 2",
            "training.early_stopping.monitor",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.early_stopping]\npatience = 0",
            "patience",
        ),
        ("validation_split = 0.15\n", "", "validation split"),
        (
            "seed = 42",
            "seed = 42\n[training.augmentation]\nhorizontal_flip = true",
            "training.augmentation is for images",
        ),
        (
            "normalize = true",
            "normalize = true\nstandardize_target = true",
            "standardize_target is for regression",
        ),
        (
            "hidden = [64]",
            "hidden = [64]\nkernel_size = 5",
            "model.kernel_size",
        ),
        (
            "hidden = [64]",
            "hidden = [64]\npool = \"min\"",
            "model.pool",
        ),
        (
            "hidden = [64]",
            "hidden = [64]\ndropout = nan",
            "model.dropout",
        ),
        (
            "[training]",
            "[training]\nlabel_smoothing = nan",
            "training.label_smoothing",
        ),
        (
            "optimizer = \"adam\"",
            "optimizer = \"sgd\"\nmomentum = nan",
            "training.momentum",
        ),
        (
            "[training]",
            "[training]\nclass_weights = [1.0, nan]",
            "training.class_weights",
        ),
        (
            "task = \"binary\"",
            "task = \"regression\"",
            "training.stratify",
        ),
        (
            "seed = 42",
            "seed = 42\n[training.early_stopping]\nmonitor = \"r2\"\npatience = 2",
            "not a figure of a Binary task",
        ),
    ];
    for (from, to, needle) in bad {
        let inputs = example_with(1, &[(from, to)]);
        if *needle == "validation split" {
            edit(
                &inputs.path().join(JOB),
                "seed = 42",
                "seed = 42\n[training.early_stopping]\npatience = 2",
            );
        }
        if *needle == "training.stratify" {
            edit(
                &inputs.path().join(JOB),
                "seed = 42",
                "seed = 42\nstratify = true",
            );
            edit(
                &inputs.path().join(JOB),
                "{ name = \"fraud\", type = \"category\" }",
                "{ name = \"fraud\", type = \"float\" }",
            );
        }
        let work = tempfile::tempdir().unwrap();
        let out = work.path().join("o");
        let o = build_cli(inputs.path(), &out, "1");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{to}: {err}");
        assert!(err.contains(needle), "{to}: {needle:?} not in {err}");
        assert!(!out.exists(), "{to}: output left behind");
    }
}

/// A split column puts each row where it says, with no random split: the
/// metrics count exactly the rows assigned to each split, and a value
/// outside train/validation/test is a data error naming row and column.
#[test]
fn a_split_column_assigns_the_splits() {
    let inputs = example(2);
    let csv = inputs.path().join("examples/demo/data/transactions.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{},fold\n", lines.next().unwrap());
    let mut want = [0usize; 3];
    for (i, line) in lines.enumerate() {
        let fold = ["train", "train", "train", "validation", "test"][i % 5];
        want[["train", "validation", "test"]
            .iter()
            .position(|f| *f == fold)
            .unwrap()] += 1;
        out += &format!("{line},{fold}\n");
    }
    std::fs::write(&csv, &out).unwrap();
    let job = inputs.path().join(JOB);
    edit(&job, "croissant = \"croissant.json\"\n", "");
    edit(
        &job,
        "  { name = \"fraud\", type = \"category\" },",
        "  { name = \"fraud\", type = \"category\" },\n  { name = \"fold\", type = \"ignore\" },",
    );
    edit(
        &job,
        "key = \"transaction_id\"",
        "key = \"transaction_id\"\nsplit_column = \"fold\"",
    );
    edit(&job, "validation_split = 0.15\ntest_split = 0.15\n", "");
    let work = tempfile::tempdir().unwrap();
    same_at_one_and_two_threads(inputs.path(), work.path());
    let m = json(&work.path().join("2/metrics.json"));
    let rows = &m["split_rows"];
    assert_eq!(
        [
            rows["train"].as_u64(),
            rows["validation"].as_u64(),
            rows["test"].as_u64()
        ],
        want.map(|n| Some(n as u64))
    );

    std::fs::write(&csv, out.replacen(",test\n", ",holdout\n", 1)).unwrap();
    let o = build_cli(inputs.path(), &work.path().join("bad"), "2");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 3, "{err}");
    assert!(err.contains("\"fold\"") && err.contains("holdout"), "{err}");
    // With a split column, a random split key is a spec error.
    edit(&job, "[training]", "[training]\ntest_split = 0.2");
    let o = build_cli(inputs.path(), &work.path().join("mixed"), "2");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("split_column"), "{err}");
}

/// Augmented CNN training is as reproducible as plain training, and
/// differs from it.
#[test]
fn image_augmentation_is_seeded() {
    let inputs = crate::cli_build::cnn_inputs(240);
    let job = inputs.path().join(JOB);
    let work = tempfile::tempdir().unwrap();
    let plain = work.path().join("plain");
    assert_eq!(code(&build_cli(inputs.path(), &plain, "2")), 0);
    edit(
        &job,
        "test_split = 0.25",
        "test_split = 0.25\n[training.augmentation]\nhorizontal_flip = true\nshift = 1",
    );
    let augmented = same_at_one_and_two_threads(inputs.path(), &work.path().join("aug"));
    assert_ne!(augmented, weights_digest(&plain));
    assert_eq!(
        parameters(&work.path().join("aug/1"))
            .get("augmentation.shift")
            .map(String::as_str),
        Some("1")
    );
}

/// Regression on standardised targets: the metrics and `predict` are on
/// the targets' own scale, and the fitted mean and deviation are saved.
#[test]
fn standardised_regression_targets_are_put_back_on_their_scale() {
    let inputs = example(8);
    let job = inputs.path().join(JOB);
    edit(&job, "croissant = \"croissant.json\"\n", "");
    edit(&job, "label = \"fraud\"", "label = \"amount\"");
    edit(
        &job,
        "{ name = \"amount\", type = \"float\" }",
        "{ name = \"amount\", type = \"float\" }",
    );
    edit(
        &job,
        "{ name = \"fraud\", type = \"category\" }",
        "{ name = \"fraud\", type = \"int\" }",
    );
    edit(&job, "task = \"binary\"", "task = \"regression\"");
    edit(
        &job,
        "normalize = true",
        "normalize = true\nstandardize_target = true",
    );
    let work = tempfile::tempdir().unwrap();
    same_at_one_and_two_threads(inputs.path(), work.path());
    let out = work.path().join("2");
    let config = json(&out.join("model/config.json"));
    let [mean, std] = [0, 1].map(|i| config["preprocessing"]["target"][i].as_f64().unwrap());
    assert!(
        mean > 10.0 && std > 10.0,
        "amount's mean {mean} and deviation {std}"
    );
    let test = &json(&out.join("metrics.json"))["test"];
    let (rmse, r2) = (test["rmse"].as_f64().unwrap(), test["r2"].as_f64().unwrap());
    assert!(
        rmse > 1.0 && rmse < std * 1.5,
        "rmse {rmse} is on the amount's scale"
    );
    assert!(r2.is_finite() && r2 > -1.0, "r2 {r2}");
    let o = cli(&[
        "predict".as_ref(),
        out.join("model").as_os_str(),
        "--input".as_ref(),
        inputs
            .path()
            .join("examples/demo/data/transactions.csv")
            .as_os_str(),
        "--no-verify".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let predictions: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let values: Vec<f64> = predictions
        .iter()
        .map(|p| p["prediction"].as_str().unwrap().parse().unwrap())
        .collect();
    let average = values.iter().sum::<f64>() / values.len() as f64;
    assert!(
        (average - mean).abs() < std,
        "predictions average {average}, targets {mean}"
    );
}

/// Kernel size, stride and pooling kind: a 5×5, stride-2, average-pooled,
/// batch-normalised CNN trains to the same bytes at 1 and 2 threads, and its recorded
/// architecture says so; a 4×4 kernel, a stride of 0, or a stack that
/// leaves no pixels are refused.
#[test]
fn convolution_geometry_is_configurable() {
    let inputs = crate::cli_build::cnn_inputs(160);
    let job = inputs.path().join(JOB);
    edit(
        &job,
        "conv = [4, 8]",
        "conv = [4, 8]\nkernel_size = 5\nstride = 2\npool = \"avg\"\nactivation = \"sigmoid\"\nbatch_norm = true",
    );
    edit(&job, "conv = [4, 8]", "conv = [4]");
    let work = tempfile::tempdir().unwrap();
    same_at_one_and_two_threads(inputs.path(), work.path());
    // No pooling and a 1×1 kernel, tanh, no batch norm: as reproducible.
    let plain = crate::cli_build::cnn_inputs(160);
    edit(
        &plain.path().join(JOB),
        "conv = [4, 8]",
        "conv = [4, 8]\nkernel_size = 1\npool = \"none\"\nactivation = \"tanh\"",
    );
    same_at_one_and_two_threads(plain.path(), &work.path().join("none"));
    let config = json(&work.path().join("1/model/config.json"));
    assert_eq!(
        (
            config["conv_kernel"].as_u64(),
            config["conv_stride"].as_u64()
        ),
        (Some(5), Some(2))
    );
    let weights = config["parameters"].as_array().unwrap();
    let conv = weights
        .iter()
        .find(|p| p["name"] == "conv.00.weight")
        .unwrap();
    assert_eq!(conv["shape"], serde_json::json!([4, 1, 5, 5]));
    let bom = std::fs::read_to_string(work.path().join("1/aibom.cdx.json")).unwrap();
    assert!(
        bom.contains("conv5x5/2(4)+sigmoid+avgpool2"),
        "architecture not recorded"
    );

    for (from, to, needle) in [
        ("kernel_size = 5", "kernel_size = 4", "model.kernel_size"),
        ("stride = 2", "stride = 0", "model.stride"),
        ("conv = [4]", "conv = [4, 4, 4]", "no pixels left"),
    ] {
        edit(&job, from, to);
        let o = build_cli(inputs.path(), &work.path().join("bad"), "1");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{to}: {err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
        edit(&job, to, from);
    }
}

/// Batch normalisation (with GELU and dropout): the same bytes at 1 and 2
/// threads, running statistics saved beside the weights, and `predict`
/// (evaluation mode) equal to an independent NumPy forward pass.
#[test]
fn batch_norm_is_deterministic_and_predicts_like_numpy() {
    let inputs = example_with(
        4,
        &[(
            "hidden = [64]",
            "hidden = [32, 16]\nbatch_norm = true\nactivation = \"gelu\"\ndropout = 0.1",
        )],
    );
    let work = tempfile::tempdir().unwrap();
    same_at_one_and_two_threads(inputs.path(), work.path());
    let release = work.path().join("1");
    let config = json(&release.join("model/config.json"));
    let names: Vec<&str> = config["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for want in [
        "dense.00.norm.running_mean",
        "dense.01.norm.running_var",
        "dense.00.norm.weight",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    let rows = work.path().join("rows.csv");
    let data =
        std::fs::read_to_string(inputs.path().join("examples/demo/data/transactions.csv")).unwrap();
    std::fs::write(&rows, data.lines().take(31).collect::<Vec<_>>().join("\n")).unwrap();
    let o = cli(&[
        "predict".as_ref(),
        release.join("model").as_os_str(),
        "--input".as_ref(),
        rows.as_os_str(),
        "--no-verify".as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let ours: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let theirs = crate::cli_build::numpy_reference(&release, &rows);
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        let a = a["outputs"][0].as_f64().unwrap();
        assert!((a - b[0]).abs() < 1e-4, "{a} vs {}", b[0]);
    }
}

/// The provenance statement of a build's output folder.
fn provenance(out: &Path) -> serde_json::Value {
    slsa_aibom_builder::output_check::bundle_statement(
        &out.join("attestations/provenance.sigstore.json"),
    )
    .unwrap()
}

/// `training.device` is part of the job: recorded in the provenance, and a
/// GPU this trainer cannot use is refused before training (exit 4, the
/// missing piece named, nothing left behind), whether the job or
/// `--device` asks; a malformed name is a spec error.
#[test]
fn the_device_is_part_of_the_job() {
    let inputs = example_with(
        1,
        &[(
            "learning_rate = 0.001",
            "learning_rate = 0.001\ndevice = \"cpu\"",
        )],
    );
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("cpu");
    let o = build_cli(inputs.path(), &out, "2");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let external = &provenance(&out)["predicate"]["buildDefinition"]["externalParameters"];
    assert_eq!(external["spec"]["training"]["device"], "cpu");
    assert_eq!(external["device"], "cpu");

    let job = inputs.path().join(JOB);
    let refused = |args: &[&str], exit: i32, needle: &str| {
        let out = work.path().join("refused");
        let mut all: Vec<std::ffi::OsString> = vec![
            "build".into(),
            job.clone().into(),
            "--out".into(),
            out.clone().into(),
            "-q".into(),
        ];
        all.extend(args.iter().map(|a| a.into()));
        let o = cli(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), exit, "{args:?}: {err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
        assert!(!out.exists(), "{args:?}: output left behind");
    };
    refused(&["--device", "cuda:1"], 4, &cuda_refusal(1));
    refused(&["--device", "tpu"], 2, "not cpu, cuda or cuda:N");
    edit(&job, "device = \"cpu\"", "device = \"cuda\"");
    refused(&[], 4, &cuda_refusal(0));
    edit(&job, "device = \"cuda\"", "device = \"gpu0\"");
    refused(&[], 2, "training.device");
}

/// How a trainer that cannot use CUDA device `n` says so: a CUDA build names
/// the device the driver refused (the tests run it against a stub driver
/// that sees no GPU); a CPU build names the missing feature.
fn cuda_refusal(n: usize) -> String {
    if cfg!(feature = "cuda") {
        format!("CUDA device {n} is not usable")
    } else {
        format!(
            "device cuda:{n} was asked for, but this trainer was built without the `cuda` feature"
        )
    }
}

/// The workflow's `device` input, recorded by `detect` in the build
/// definition, reaches `train --definition` and overrides the job's. A CUDA
/// job must name the GPU runners' label, and `train-runs-on` must ask for it.
#[test]
fn the_workflow_device_input_reaches_train() {
    let inputs = example(1);
    let dir = inputs.path();
    let detect = |device: &str, runs_on: &str, gpu_label: &str, out: &str| {
        let json = serde_json::json!({
            "job": JOB, "train-runs-on": runs_on, "device": device,
            "gpu-runner-label": gpu_label,
            "expected-digests": "", "upload-attestations": false,
            "public-transparency-log": "auto", "publish-release": false, "release-tag": "",
        })
        .to_string();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
        cmd.current_dir(dir)
            .args(["detect", "--job", JOB, "--out", out, "--inputs-json", &json]);
        github_env(&mut cmd).output().unwrap()
    };
    // As the workflow runs it: in the caller's checkout, from the definition.
    let train = |definition: &str, out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
            .current_dir(dir)
            .args(["train", "--definition", definition, "--out", out, "-q"])
            .output()
            .unwrap()
    };
    let ubuntu = "[\"ubuntu-latest\"]";
    let gpu_runner = "[\"self-hosted\",\"gpu\"]";
    for (runs_on, label, why) in [
        (ubuntu, "", "set the workflow input gpu-runner-label"),
        (ubuntu, "gpu", "does not ask for the GPU label \"gpu\""),
        (
            gpu_runner,
            "a100",
            "does not ask for the GPU label \"a100\"",
        ),
    ] {
        let o = detect("cuda:0", runs_on, label, "refused.json");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{err}");
        assert!(err.contains(why), "{why}: {err}");
        assert!(!dir.join("refused.json").exists());
    }
    let o = detect("cuda:0", gpu_runner, "gpu", "gpu.json");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = train("gpu.json", "gpu-out");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 4, "{err}");
    assert!(err.contains(&cuda_refusal(0)), "{err}");
    assert!(!dir.join("gpu-out").exists());
    let o = detect("", ubuntu, "", "job.json");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = train("job.json", "cpu-out");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every weight of a release's `model.safetensors`, tensors in name order.
fn weights(out: &Path) -> Vec<f32> {
    let bytes = std::fs::read(out.join("model/model.safetensors")).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = tensors.names().into_iter().map(str::to_string).collect();
    names.sort();
    names
        .iter()
        .flat_map(|n| {
            let t = tensors.tensor(n).unwrap();
            t.data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn norm(v: &[f32]) -> f64 {
    v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt()
}

fn distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Each training option changes what is trained, in the direction its
/// definition says (a recorded-but-ignored option fails here): weight decay
/// shrinks the weights; a tight gradient clip keeps them near their
/// initialisation; weighting the positive class raises its recall; label
/// smoothing, Nesterov momentum and dropout change the bytes. The formulas
/// themselves are held to independent references in `optimizer_reference`
/// (SGD, momentum, Nesterov, clipping scale) and `loss.rs` (smoothing and
/// class weights, against PyTorch's numbers).
#[test]
fn each_training_option_changes_the_model_as_its_definition_says() {
    let sgd = (
        "optimizer = \"adam\"",
        "optimizer = \"sgd\"\nmomentum = 0.9",
    );
    let rate = ("learning_rate = 0.001", "learning_rate = 0.05");
    let train = |extra: &[(&str, &str)]| {
        let mut edits = vec![sgd, rate];
        edits.extend_from_slice(extra);
        let inputs = example_with(3, &edits);
        let out = inputs.path().join("out");
        let o = build_cli(inputs.path(), &out, "2");
        assert_eq!(
            code(&o),
            0,
            "{extra:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        (weights(&out), json(&out.join("metrics.json")), inputs)
    };
    let (base, base_metrics, _b) = train(&[]);
    // Learning nothing (a vanishing rate) leaves the seeded initialisation.
    let (init, _, _i) = train(&[("learning_rate = 0.05", "learning_rate = 0.000000000001")]);

    let (decayed, _, _d) = train(&[("momentum = 0.9", "momentum = 0.9\nweight_decay = 0.05")]);
    assert!(
        norm(&decayed) < norm(&base),
        "weight decay did not shrink the weights"
    );

    let (clipped, _, _c) = train(&[("momentum = 0.9", "momentum = 0.9\nclip_grad_norm = 0.001")]);
    assert!(
        distance(&clipped, &init) < 0.1 * distance(&base, &init),
        "a tight clip did not keep the weights near their start: {} vs {}",
        distance(&clipped, &init),
        distance(&base, &init)
    );

    let (_, weighted, _w) = train(&[(
        "momentum = 0.9",
        "momentum = 0.9\nclass_weights = [1.0, 8.0]",
    )]);
    let recall = |m: &serde_json::Value| m["test"]["recall"].as_f64().unwrap();
    assert!(
        recall(&weighted) > recall(&base_metrics),
        "weighting the positive class did not raise its recall: {} vs {}",
        recall(&weighted),
        recall(&base_metrics)
    );

    for (what, edit) in [
        (
            "label smoothing",
            ("momentum = 0.9", "momentum = 0.9\nlabel_smoothing = 0.2"),
        ),
        (
            "Nesterov momentum",
            ("momentum = 0.9", "momentum = 0.9\nnesterov = true"),
        ),
        ("dropout", ("hidden = [64]", "hidden = [64]\ndropout = 0.3")),
    ] {
        let (changed, _, _t) = train(&[edit]);
        assert_ne!(
            changed, base,
            "{what} left the trained weights as they were"
        );
    }
}
