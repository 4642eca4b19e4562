//! Every class of bad input gets its own clear error and exit code, and
//! leaves no output directory (so nothing signed) behind.

use crate::common::*;
use std::path::Path;

/// Run `build` on the example after `mutate`, expecting `exit` and every
/// string of `needles` in the error.
fn rejects(mutate: impl FnOnce(&Path), exit: i32, needles: &[&str]) {
    let inputs = example(1);
    mutate(inputs.path());
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let o = cli(&[
        "build".as_ref(),
        inputs.path().join(JOB).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), exit, "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "an output directory was left behind");
    let leftovers: Vec<_> = std::fs::read_dir(work.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

fn job(dir: &Path) -> std::path::PathBuf {
    dir.join(JOB)
}
fn csv(dir: &Path) -> std::path::PathBuf {
    dir.join("examples/demo/data/transactions.csv")
}
/// Replace data row `row` (1-based) of the CSV with `line`.
fn set_row(dir: &Path, row: usize, line: &str) {
    let text = std::fs::read_to_string(csv(dir)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[row] = line.to_string();
    std::fs::write(csv(dir), lines.join("\n") + "\n").unwrap();
}
/// Drop the Croissant check so a data edit reaches the row validator.
fn no_croissant(dir: &Path) {
    edit(&job(dir), "croissant = \"croissant.json\"\n", "");
}
const GOOD_ROW: &str = "tx00005,45.44,17,0.1082,31.88,0,3,1739,0,0,2,64.77,0.7016,0.2819";

#[test]
fn unknown_key_is_named_with_its_path_and_line() {
    rejects(
        |d| edit(&job(d), "hidden = [64]", "hidden = [64]\nhiden = [32]"),
        2,
        &["model", "hiden", "line"],
    );
    rejects(
        |d| edit(&job(d), "[training]", "[training]\nlearnig_rate = 0.1"),
        2,
        &["learnig_rate"],
    );
}

/// A TOML error's excerpt of the job file is printed on lines of its own,
/// indented under the first (issue 33, item 1), with control characters
/// escaped: a line of the job cannot pass for a line of the tool's.
#[test]
fn a_toml_error_prints_its_excerpt_on_indented_lines() {
    let inputs = example(1);
    edit(
        &job(inputs.path()),
        "hidden = [64]",
        "hidden = [64]\nhiden = [32] # \u{1b}[2K\rVERIFIED",
    );
    let text = std::fs::read_to_string(job(inputs.path()))
        .unwrap()
        .replace("\\u{1b}", "\u{1b}");
    std::fs::write(job(inputs.path()), text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = cli(&[
        "build".as_ref(),
        job(inputs.path()).as_os_str(),
        "--out".as_ref(),
        out.path().join("o").as_os_str(),
    ]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.len() > 2, "{err}");
    assert!(
        lines[0].starts_with("slsa-aibom-build: job spec: "),
        "{err}"
    );
    assert!(lines[1..].iter().all(|l| l.starts_with("    ")), "{err}");
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.contains("\\u{1b}[2K\\rVERIFIED")),
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err}");
    assert!(!err.contains("\\n"), "literal \\n in: {err}");
}

/// Shapes the other keys decide may be left out; one they do not decide is
/// named as missing (issue 33, items 1 and 2).
#[test]
fn shapes_are_inferred_when_the_job_decides_them_and_named_when_missing() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/job.toml"),
    )
    .unwrap();
    let full = slsa_aibom_builder::spec::JobSpec::parse(text.as_bytes()).unwrap();
    let cut = text
        .replace("input_shape = [13]\n", "")
        .replace("output_shape = [1]\n", "");
    assert_ne!(cut, text);
    let inferred = slsa_aibom_builder::spec::JobSpec::parse(cut.as_bytes()).unwrap();
    assert_eq!(inferred, full);
    let multiclass = cut.replace("task = \"binary\"", "task = \"multiclass\"");
    let e = slsa_aibom_builder::spec::JobSpec::parse(multiclass.as_bytes()).unwrap_err();
    assert!(e.contains("output_shape is missing"), "{e}");
    let cnn = text.replace("input_shape = [13]\n", "").replace(
        "architecture = \"mlp\"",
        "architecture = \"cnn\"\nconv = [4]",
    );
    let e = slsa_aibom_builder::spec::JobSpec::parse(cnn.as_bytes()).unwrap_err();
    assert!(e.contains("input_shape is missing"), "{e}");
}

#[test]
fn wrong_types_and_values_are_spec_errors() {
    rejects(
        |d| edit(&job(d), "epochs = 1", "epochs = \"ten\""),
        2,
        &["training.epochs"],
    );
    rejects(
        |d| edit(&job(d), "validation_split = 0.15", "validation_split = 1.5"),
        2,
        &["validation_split"],
    );
    rejects(
        |d| edit(&job(d), "task = \"binary\"", "task = \"multiclass\""),
        2,
        &["multiclass"],
    );
    rejects(
        |d| edit(&job(d), "format = \"csv\"", "format = \"parquet\""),
        2,
        &["dataset.format"],
    );
    rejects(
        |d| edit(&job(d), "[training]", "[training]\ninitial_epoch = 5"),
        2,
        &["initial_epoch"],
    );
}

#[test]
fn bad_rows_name_row_and_column() {
    // With CRLF line ends too, the line is where the row is (issue 33,
    // item 5): row 7 is line 8, after the header.
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 7, &format!("{GOOD_ROW},zero").replace("45.44", "abc"));
            let text = std::fs::read_to_string(csv(d)).unwrap();
            std::fs::write(csv(d), text.replace('\n', "\r\n")).unwrap();
        },
        3,
        &["row 7 (line 8)", "\"amount\"", "not a number"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 7, &format!("{GOOD_ROW},zero").replace("45.44", "abc"))
        },
        3,
        &["row 7", "\"amount\"", "not a number"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 9, &format!("{GOOD_ROW},0").replace("31.88", "NaN"))
        },
        3,
        &["row 9", "\"distance_km\"", "not finite"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 9, &format!("{GOOD_ROW},0").replace("31.88", "inf"))
        },
        3,
        &["not finite"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 3, "tx00003,1,2,3")
        },
        3,
        &["row 3", "has 4 fields, expected 15"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 4, &format!("{GOOD_ROW},7"))
        },
        3,
        &["row 4", "\"fraud\"", "unknown label"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(d, 4, &format!("{GOOD_ROW},0").replace(",17,", ",17.5,"))
        },
        3,
        &["\"hour\"", "whole number"],
    );
    rejects(
        |d| {
            no_croissant(d);
            set_row(
                d,
                6,
                &format!("{},0", GOOD_ROW.replace("tx00005", "tx00001")),
            )
        },
        3,
        &["duplicate record key \"tx00001\""],
    );
}

#[test]
fn shape_and_header_mismatches_are_data_errors() {
    rejects(
        |d| edit(&job(d), "input_shape = [13]", "input_shape = [12]"),
        3,
        &["input_shape", "13 feature columns"],
    );
    rejects(
        |d| {
            edit(
                &job(d),
                "{ name = \"hour\", type = \"int\" }",
                "{ name = \"hours\", type = \"int\" }",
            )
        },
        3,
        &["header", "hours"],
    );
}

#[test]
fn croissant_digest_and_size_are_checked_against_the_bytes() {
    rejects(
        |d| set_row(d, 1, &format!("{GOOD_ROW},1").replace("tx00005", "tx00000")),
        3,
        &["croissant.json", "declares sha256"],
    );
    rejects(
        |d| {
            let p = d.join("examples/demo/croissant.json");
            let mut c: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            c["distribution"][0]["contentSize"] = "117743 B".into();
            std::fs::write(&p, c.to_string()).unwrap();
        },
        3,
        &["declares contentSize 117743 bytes"],
    );
    rejects(
        |d| {
            std::fs::write(
                d.join("examples/demo/croissant.json"),
                "{\"distribution\": []}",
            )
            .unwrap()
        },
        3,
        &["not declared as a FileObject"],
    );
}

#[test]
fn missing_files_and_bad_idx_are_data_errors() {
    rejects(
        |d| std::fs::remove_file(csv(d)).unwrap(),
        3,
        &["cannot read", "transactions.csv"],
    );
    rejects(
        |d| {
            std::fs::write(d.join("images.idx"), [0u8, 0, 9, 1, 0, 0, 0, 1, 0]).unwrap();
            std::fs::write(d.join("labels.idx"), [0u8, 0, 8, 1, 0, 0, 0, 1, 0]).unwrap();
            let text = std::fs::read_to_string(job(d)).unwrap();
            let text = text
                .replace(
                    "format = \"csv\"",
                    "format = \"idx\"\nlabels = \"../../labels.idx\"",
                )
                .replace(
                    "path = \"data/transactions.csv\"",
                    "path = \"../../images.idx\"",
                )
                .replace("croissant = \"croissant.json\"\n", "");
            std::fs::write(job(d), text).unwrap();
        },
        3,
        &["images.idx", "not unsigned byte"],
    );
}

#[test]
fn a_base_model_without_a_valid_attestation_is_refused() {
    rejects(
        |d| {
            std::fs::write(d.join("base.safetensors"), b"not really weights").unwrap();
            std::fs::write(d.join("base.sigstore.json"), b"{}").unwrap();
            std::fs::write(
                d.join("key.pub"),
                slsa_aibom_builder::signing::KeySigner::ephemeral()
                    .unwrap()
                    .public_key_pem(),
            )
            .unwrap();
            edit(
                &job(d),
                "hidden = [64]",
                "hidden = [64]\nbase = { weights = \"../../base.safetensors\", attestation = \"../../base.sigstore.json\", key = \"../../key.pub\" }",
            );
        },
        7,
        &["base model", "is not vouched for"],
    );
}

#[test]
fn an_unusable_signing_key_is_refused_before_training() {
    let inputs = example(1);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("k.pem"),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let out = work.path().join("out");
    let o = cli(&[
        "build".as_ref(),
        inputs.path().join(JOB).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--key".as_ref(),
        work.path().join("k.pem").as_os_str(),
    ]);
    assert_eq!(code(&o), 6, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PRIVATE KEY"));
    assert!(!out.exists());
}

#[test]
fn training_that_diverges_is_a_failed_build_not_a_release() {
    // The largest rate the spec allows, with plain SGD on a regression.
    rejects(
        |d| {
            edit(&job(d), "task = \"binary\"", "task = \"regression\"");
            edit(&job(d), "optimizer = \"adam\"", "optimizer = \"sgd\"");
            edit(&job(d), "learning_rate = 0.001", "learning_rate = 10.0");
        },
        4,
        &["loss became inf", "lower training.learning_rate"],
    );
}

#[test]
fn control_characters_in_spec_text_are_refused() {
    for (from, to, at) in [
        (
            "author = \"slsa-aibom examples\"",
            "author = \"acme\\u001b[2K\\rVERIFIED release\"",
            "metadata.author",
        ),
        (
            "name = \"synthetic-card-transactions\"",
            "name = \"data\\nAre the datasets appropriate? yes\"",
            "dataset.name",
        ),
        (
            "description = \"Flags card transactions that are likely fraudulent.\"",
            "description = \"right-to-left \\u202e override\"",
            "metadata.description",
        ),
    ] {
        rejects(|d| edit(&job(d), from, to), 2, &["control character", at]);
    }
}

#[test]
fn unwritable_stdout_and_stderr_keep_the_exit_code() {
    let inputs = example(1);
    edit(
        &job(inputs.path()),
        "hidden = [64]",
        "hidden = [64]\nhiden = [32]",
    );
    let run = |full: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
        cmd.arg("detect").arg("--job").arg(job(inputs.path()));
        cmd.current_dir(inputs.path());
        if full {
            cmd.stdout(std::fs::File::create("/dev/full").unwrap())
                .stderr(std::fs::File::create("/dev/full").unwrap());
        }
        code(&cmd.output().unwrap())
    };
    assert_eq!(run(false), 2);
    assert_eq!(
        run(true),
        2,
        "a closed stderr must not turn the error into a panic"
    );
}

/// Round 2, items 5 and 6: shapes whose product wraps around 64 bits, a
/// layer of four billion units, an endless epoch count, and a model too big
/// for any machine or for this one: each refused by name (exit 2) before
/// anything is read or allocated.
#[test]
fn overflowing_shapes_and_unbounded_sizes_are_refused_before_training() {
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "input_shape = [13]",
            "input_shape = [6148914691236517206, 3]",
            &["input_shape", "over the limit"],
        ),
        (
            "input_shape = [13]",
            "input_shape = [65536, 65536]",
            &["input_shape", "more than 16777216 features"],
        ),
        (
            "hidden = [64]",
            "hidden = [4294967296]",
            &["width = 4294967296 is over the limit of 65536"],
        ),
        (
            "epochs = 1",
            "epochs = 9223372036854775807",
            &["training.epochs = 9223372036854775807 is over the limit"],
        ),
        (
            "batch_size = 64",
            "batch_size = 10000000",
            &["training.batch_size"],
        ),
        (
            "hidden = [64]",
            &format!("hidden = [{}]", ["65536"; 64].join(", ")),
            &["estimated", "over the limit of 1.0 TiB"],
        ),
        (
            "hidden = [64]",
            "hidden = [65536, 65536, 65536, 65536, 65536]",
            &["estimated", "this machine has"],
        ),
    ];
    for (from, to, needles) in cases {
        rejects(|d| edit(&job(d), from, to), 2, needles);
    }
}

/// Round 2, item 5, for the CNN: the same overflow used to panic in
/// `im2col` or `Model::init` (exit 101).
#[test]
fn an_overflowing_cnn_shape_is_refused_not_a_panic() {
    let inputs = crate::cli_build::cnn_inputs(16);
    edit(
        &job(inputs.path()),
        "input_shape = [8, 8, 1]",
        "input_shape = [6148914691236517206, 3, 1]",
    );
    let out = inputs.path().join("out");
    let o = cli(&[
        "build".as_ref(),
        job(inputs.path()).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("input_shape") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!out.exists());
}

/// Round 2, item 7: a dataset that is a kernel interface file (its bytes
/// would reach the error message) and a Croissant file that is a FIFO
/// (which would block the build) are refused by name.
#[cfg(unix)]
#[test]
fn kernel_files_and_fifos_are_not_read_as_inputs() {
    rejects(
        |d| {
            edit(
                &job(d),
                "path = \"data/transactions.csv\"",
                "path = \"/proc/self/environ\"",
            )
        },
        3,
        &["kernel interface file"],
    );
    rejects(
        |d| {
            let croissant = d.join("examples/demo/croissant.json");
            std::fs::remove_file(&croissant).unwrap();
            assert!(std::process::Command::new("mkfifo")
                .arg(&croissant)
                .status()
                .unwrap()
                .success());
        },
        3,
        &["Croissant metadata", "not a regular file"],
    );
}

/// A copy of testdata/release, its key, and rows from the demo's data.
fn predict_release(rows: usize) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let release = tmp.path().join("release");
    copy_tree(&root.join("testdata/release"), &release);
    let input = tmp.path().join("rows.csv");
    let data = std::fs::read_to_string(root.join("examples/demo/data/transactions.csv")).unwrap();
    let lines: Vec<&str> = data.lines().take(rows + 1).collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    (tmp, release, input)
}

fn predict_args(release: &Path, input: &Path, more: &[&str]) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "predict".into(),
        release.join("model").into(),
        "--input".into(),
        input.into(),
        "--key".into(),
        release.join("key.pub").into(),
    ];
    args.extend(more.iter().map(|a| a.into()));
    args
}

/// Round 2, item 3: `config.json` swapped between the signed and an
/// unsigned version while `predict` runs. Every run either refuses (the
/// copy it verified was the unsigned one) or prints exactly the signed
/// model's predictions: never the unsigned config's after a pass.
#[test]
fn predict_uses_the_bytes_it_verified() {
    let (_tmp, release, input) = predict_release(20);
    let clean = cli(&predict_args(&release, &input, &[]));
    assert_eq!(
        code(&clean),
        0,
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let config = release.join("model/config.json");
    let signed = std::fs::read_to_string(&config).unwrap();
    let mut changed: serde_json::Value = serde_json::from_str(&signed).unwrap();
    let mean = &mut changed["preprocessing"]["mean"][0];
    *mean = serde_json::json!(mean.as_f64().unwrap() + 1000.0);
    let unsigned = serde_json::to_string(&changed).unwrap();
    assert_ne!(unsigned, signed);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, config) = (stop.clone(), config.clone());
        std::thread::spawn(move || {
            let staged = config.with_extension("swap");
            let mut flip = false;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::write(&staged, if flip { &unsigned } else { &signed }).unwrap();
                std::fs::rename(&staged, &config).unwrap();
                flip = !flip;
            }
        })
    };
    let mut outcomes = (0, 0);
    for _ in 0..24 {
        let o = cli(&predict_args(&release, &input, &[]));
        match code(&o) {
            0 => {
                assert_eq!(o.stdout, clean.stdout, "a run used bytes it did not verify");
                outcomes.0 += 1;
            }
            7 => outcomes.1 += 1,
            other => panic!("exit {other}: {}", String::from_utf8_lossy(&o.stderr)),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    eprintln!(
        "{} runs used the signed model, {} refused the unsigned one",
        outcomes.0, outcomes.1
    );
}

/// Round 2, items 7, 9 and 10: `predict --input /dev/zero` is refused
/// without reading, control characters from the input's key column are
/// escaped in CSV output, and output lost to a full device is an error.
#[cfg(unix)]
#[test]
fn predict_reads_bounded_escapes_csv_and_reports_lost_output() {
    let (_tmp, release, input) = predict_release(3);
    let o = cli(&predict_args(&release, Path::new("/dev/zero"), &[]));
    assert_ne!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));

    let text = std::fs::read_to_string(&input).unwrap();
    let hostile = text.replacen("tx00001,", "\"tx\u{1b}[2K\rVERIFIED\u{202E}\",", 1);
    std::fs::write(&input, hostile).unwrap();
    let o = cli(&predict_args(&release, &input, &["--format", "csv"]));
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        !out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202E}'),
        "{out:?}"
    );
    assert!(
        out.contains("\"tx\\u{1b}[2K\\rVERIFIED\\u{202e}\""),
        "{out}"
    );

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .args(predict_args(&release, &input, &[]))
        .stdout(full)
        .output()
        .unwrap();
    assert_ne!(code(&o), 0, "a lost output must not exit 0");
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write the predictions"));
}
