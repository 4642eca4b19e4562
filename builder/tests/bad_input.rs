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
    rejects(
        |d| {
            edit(&job(d), "task = \"binary\"", "task = \"regression\"");
            edit(&job(d), "learning_rate = 0.001", "learning_rate = 1e30");
            edit(&job(d), "[training]", "[training]\nsteps_per_epoch = 1");
        },
        4,
        &["training diverged", "NaN", "nothing is signed"],
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
