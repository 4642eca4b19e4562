//! Fine-tuning a pretrained BERT-family model (the tiny one of
//! `common::tiny_bert`): determinism, interop of the Hugging Face and PEFT
//! outputs with an independent reference, base-model lineage (signature,
//! pins, and where the lineage shows), and the refusals of bad text data.

use crate::common::tiny_bert;
use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `build JOB --out OUT --threads N -q` for the job in `inputs`.
fn build(inputs: &Path, out: &Path, threads: &str) -> std::process::Output {
    cli(&[
        "build".as_ref(),
        inputs.join("job.toml").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--threads".as_ref(),
        threads.as_ref(),
        "-q".as_ref(),
    ])
}

fn built(inputs: &Path, out: &Path, threads: &str) {
    let o = build(inputs, out, threads);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every file of the model directory, by path, with its sha256.
fn model_digests(out: &Path) -> Vec<(String, String)> {
    let record = json(&out.join("build-record.json"));
    record["model_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["sha256"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn fine_tuning_gives_identical_bytes_at_one_and_two_threads_and_learns() {
    let inputs = tiny_bert::inputs("dropout = 0.1");
    edit(&inputs.path().join("job.toml"), "epochs = 3", "epochs = 10");
    let (a, b, c) = (
        inputs.path().join("a"),
        inputs.path().join("b"),
        inputs.path().join("c"),
    );
    built(inputs.path(), &a, "1");
    built(inputs.path(), &b, "2");
    built(inputs.path(), &c, "2");
    assert_eq!(
        model_digests(&a),
        model_digests(&b),
        "1 and 2 threads differ"
    );
    assert_eq!(model_digests(&b), model_digests(&c), "two runs differ");
    let names: Vec<String> = model_digests(&a).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        names,
        [
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "vocab.txt"
        ]
    );
    let metrics = json(&a.join("metrics.json"));
    let accuracy = metrics["validation"]["accuracy"].as_f64().unwrap();
    assert!(accuracy >= 0.9, "the tiny model did not learn: {metrics}");
    let config = json(&a.join("model/config.json"));
    assert_eq!(config["architectures"][0], "BertForSequenceClassification");
    assert_eq!(config["id2label"]["0"], "positive");
    assert_eq!(config["problem_type"], "multi_label_classification");
    assert_eq!(config["slsa_aibom"]["max_length"], 12);
}

/// CSV rows for `predict` and the reference.
fn rows(dir: &Path) -> PathBuf {
    let path = dir.join("rows.csv");
    std::fs::write(
        &path,
        "id,text\nr1,the song was really superb\nr2,a grim and ugly day\nr3,food\nr4,\"the movie, the book: fun, nice, fine, good, great, happy\"\n",
    )
    .unwrap();
    path
}

/// `predict`'s logits for `rows`, verifying the release with its key.
fn predicted(out: &Path, rows: &Path) -> Vec<f64> {
    let key = out.join("key.pub");
    let o = cli(&[
        "predict".as_ref(),
        out.join("model").as_os_str(),
        "--input".as_ref(),
        rows.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let p: Value = serde_json::from_slice(&o.stdout).unwrap();
    p.as_array()
        .unwrap()
        .iter()
        .map(|r| r["outputs"][0].as_f64().unwrap())
        .collect()
}

/// The logits of scripts/text-model-reference.py (NumPy and Python
/// `tokenizers`), with `extra` arguments.
fn reference(model: &Path, rows: &Path, extra: &[&Path]) -> Vec<f64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv-peers/bin/python");
    assert!(
        python.is_file(),
        "the NumPy reference needs .venv-peers: run `bash scripts/peers.sh` (scripts/test.sh does); this check did NOT run"
    );
    let mut cmd = std::process::Command::new(python);
    cmd.arg(root.join("scripts/text-model-reference.py"))
        .arg(model)
        .arg(rows);
    if let Some(base) = extra.first() {
        cmd.arg("--peft").arg(base);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Vec<Vec<f64>> = serde_json::from_slice(&o.stdout).unwrap();
    v.into_iter().map(|r| r[0]).collect()
}

fn close(ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(theirs) {
        assert!((a - b).abs() < 1e-4, "ours {ours:?}, reference {theirs:?}");
    }
}

#[test]
fn the_hugging_face_output_gives_the_logits_of_an_independent_reference() {
    for pooling in ["cls", "mean"] {
        let inputs = tiny_bert::inputs(&format!("pooling = \"{pooling}\""));
        let out = inputs.path().join("out");
        built(inputs.path(), &out, "2");
        let rows = rows(inputs.path());
        let ours = predicted(&out, &rows);
        close(&ours, &reference(&out.join("model"), &rows, &[]));
        // Not a constant: the sentences get different logits.
        assert!(ours.iter().any(|v| (v - ours[0]).abs() > 1e-3), "{ours:?}");
    }
}

#[test]
fn lora_writes_a_peft_adapter_that_reproduces_the_merged_model() {
    let inputs = tiny_bert::inputs(
        "[model.lora]\nrank = 4\nalpha = 8\ntarget_modules = [\"query\", \"key\", \"value\"]",
    );
    let out = inputs.path().join("out");
    built(inputs.path(), &out, "2");
    let names: Vec<String> = model_digests(&out).into_iter().map(|(p, _)| p).collect();
    assert!(
        names.contains(&"adapter/adapter_config.json".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"adapter/adapter_model.safetensors".to_string()),
        "{names:?}"
    );
    let adapter = json(&out.join("model/adapter/adapter_config.json"));
    assert_eq!(adapter["peft_type"], "LORA");
    assert_eq!(adapter["r"], 4);
    assert_eq!(adapter["lora_alpha"], 8);
    // The encoder's own weights stayed as loaded: only LoRA and the head trained.
    let record = json(&out.join("build-record.json"));
    let trained = record["tokenization"]["trained_parameters"]
        .as_u64()
        .unwrap();
    let h = tiny_bert::HIDDEN as u64;
    assert_eq!(trained, 2 * 3 * (4 * h + h * 4) + (h + 1));
    let rows = rows(inputs.path());
    let merged = predicted(&out, &rows);
    close(&merged, &reference(&out.join("model"), &rows, &[]));
    close(
        &merged,
        &reference(&out.join("model"), &rows, &[&inputs.path().join("base")]),
    );
}

#[test]
fn freeze_encoder_trains_the_head_alone() {
    let inputs = tiny_bert::inputs("freeze_encoder = true");
    let out = inputs.path().join("out");
    built(inputs.path(), &out, "2");
    let record = json(&out.join("build-record.json"));
    let h = tiny_bert::HIDDEN as u64;
    assert_eq!(record["tokenization"]["trained_parameters"], h + 1);
    // The encoder's tensors are the base model's, bit for bit.
    let base = candle_core::safetensors::load(
        inputs.path().join("base/model.safetensors"),
        &candle_core::Device::Cpu,
    )
    .unwrap();
    let tuned = candle_core::safetensors::load(
        out.join("model/model.safetensors"),
        &candle_core::Device::Cpu,
    )
    .unwrap();
    for (name, t) in &base {
        let ours = &tuned[&format!("bert.{name}")];
        let diff = (ours - t)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert_eq!(diff, 0.0, "{name} changed");
    }
}

/// The build of `inputs` fails with exit `want`, saying `why`, leaving no output.
fn refused(inputs: &Path, want: i32, why: &str) {
    let out = inputs.join("out");
    let o = build(inputs, &out, "2");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), want, "{stderr}");
    assert!(stderr.contains(why), "wanted {why:?} in: {stderr}");
    assert!(!out.exists());
}

#[test]
fn bad_text_records_are_refused_naming_the_row_and_column() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"id,text,label\na,good day,positive\nb,  ,negative\n",
            "row 2 (line 3), column \"text\": the text is empty",
        ),
        (
            b"id,text,label\na,good day,positive\nb,bad day,meh\n",
            "row 2 (line 3), column \"label\": unknown label \"meh\"",
        ),
        (
            b"id,text,label\na,good \xff day,positive\n",
            "row 1 (line 2), column \"text\": not valid UTF-8",
        ),
        (
            b"id,label\na,positive\n",
            "the header has no column \"text\"",
        ),
        (
            b"id,text,label\na,good,positive\na,bad,negative\n",
            "duplicate record key \"a\"",
        ),
    ];
    for (csv, why) in cases {
        let inputs = tiny_bert::inputs("");
        std::fs::write(inputs.path().join("data.csv"), csv).unwrap();
        refused(inputs.path(), 3, why);
    }
    // Over the stated limit.
    let inputs = tiny_bert::inputs("");
    edit(
        &inputs.path().join("job.toml"),
        "max_length = 12",
        "max_length = 12\nmax_text_bytes = 8",
    );
    refused(
        inputs.path(),
        3,
        "over dataset.definition.text.max_text_bytes = 8",
    );
    // Too many tokens without truncation.
    let inputs = tiny_bert::inputs("");
    edit(
        &inputs.path().join("job.toml"),
        "max_length = 12",
        "max_length = 4\ntruncation = false",
    );
    refused(
        inputs.path(),
        3,
        "tokens, over the maximum of 4 (and truncation is off); see dataset.definition.text",
    );
}

#[test]
fn bad_json_lines_are_refused_naming_the_line() {
    let cases: [(&[u8], &str); 4] = [
        (b"{\"id\":\"a\",\"text\":\"good\",\"label\":\"positive\"}\n[1,2]\n", "row 2 (line 2): not a JSON object"),
        (b"{\"id\":\"a\",\"text\":\"good\",\"label\":\"positive\"}\n\n{\"id\":\"b\",\"label\":\"negative\"}\n", "row 2 (line 3): no field \"text\""),
        (b"{\"id\":\"a\",\"text\":7,\"label\":\"positive\"}\n", "column \"text\": not a string"),
        (b"{\"id\":\"a\",\"text\":\"\xff\",\"label\":\"positive\"}\n", "row 1 (line 1): not valid UTF-8"),
    ];
    for (lines, why) in cases {
        let inputs = tiny_bert::inputs("");
        std::fs::write(inputs.path().join("data.jsonl"), lines).unwrap();
        let job = inputs.path().join("job.toml");
        edit(&job, "format = \"csv\"", "format = \"jsonl\"");
        edit(&job, "path = \"data.csv\"", "path = \"data.jsonl\"");
        refused(inputs.path(), 3, why);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_text_data_is_refused_without_blocking() {
    let inputs = tiny_bert::inputs("");
    let data = inputs.path().join("data.csv");
    std::fs::remove_file(&data).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&data)
        .status()
        .unwrap();
    assert!(made.success());
    refused(inputs.path(), 3, "not a regular file");
}

#[test]
fn base_models_this_trainer_cannot_run_are_refused_by_name() {
    let inputs = tiny_bert::inputs("");
    let config = inputs.path().join("base/config.json");
    edit(
        &config,
        "\"model_type\": \"bert\"",
        "\"model_type\": \"rob\\u202eerta\"",
    );
    // The pin would catch the edit first: pin the new manifest.
    let job = inputs.path().join("job.toml");
    let text = std::fs::read_to_string(&job).unwrap();
    let old = text
        .lines()
        .find(|l| l.starts_with("manifest_sha256"))
        .unwrap()
        .to_string();
    let pin = tiny_bert::manifest_sha256(&inputs.path().join("base"));
    edit(&job, &old, &format!("manifest_sha256 = \"{pin}\""));
    let out = inputs.path().join("out");
    let o = build(inputs.path(), &out, "2");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 3, "{stderr}");
    assert!(
        stderr
            .contains("model_type \"rob\\u{202e}erta\" is not supported (this trainer runs: bert)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{202e}'),
        "caller text printed raw: {stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn text_job_keys_are_checked_before_any_data_is_read() {
    let cases = [
        (
            "freeze_encoder = true\n[model.lora]\nrank = 4\nalpha = 8",
            "two different modes",
        ),
        (
            "[model.lora]\nrank = 0\nalpha = 8",
            "model.lora.rank = 0 must be 1 to 256",
        ),
        (
            "[model.lora]\nrank = 2\nalpha = 8\ntarget_modules = [\"dense\"]",
            "\"dense\" is not one of query, key, value",
        ),
        (
            "hidden = [8]",
            "model.hidden is not used by architecture = \"bert\"",
        ),
    ];
    for (model, why) in cases {
        let inputs = tiny_bert::inputs(model);
        refused(inputs.path(), 2, why);
    }
}

#[test]
fn rebuild_reproduces_a_fine_tuned_model_and_refuses_a_changed_base() {
    let inputs = tiny_bert::inputs("");
    let out = inputs.path().join("out");
    built(inputs.path(), &out, "2");
    let rebuild = |to: &str| {
        cli(&[
            "rebuild".as_ref(),
            "--provenance".as_ref(),
            out.join("attestations/provenance.sigstore.json")
                .as_os_str(),
            "--key".as_ref(),
            out.join("key.pub").as_os_str(),
            "--inputs".as_ref(),
            inputs.path().as_os_str(),
            "--out".as_ref(),
            inputs.path().join(to).as_os_str(),
            "-q".as_ref(),
        ])
    };
    let o = rebuild("again");
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("rebuild matches: 4 file(s)"));
    edit(&inputs.path().join("base/vocab.txt"), "good", "goud");
    let o = rebuild("changed");
    assert_eq!(code(&o), 7, "{}", String::from_utf8_lossy(&o.stderr));
}
