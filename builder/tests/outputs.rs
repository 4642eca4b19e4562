//! One build, then: the ML-BOM binds to the provenance, every single output
//! file and every single statement field is tamper-evident.

use crate::common::*;
use base64::Engine as _;
use serde_json::Value;
use sha2::Digest as _;
use slsa_aibom_builder::output_check::{verify_outputs, Anchor};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shared build: (inputs, output root).
fn built() -> &'static (tempfile::TempDir, PathBuf) {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let inputs = example(2);
        let out = inputs.path().join("out");
        build_into(inputs.path(), &out);
        (inputs, out)
    })
}

fn out() -> &'static Path {
    &built().1
}

fn statement(bundle: &Path) -> Value {
    let b: Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    let p = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&p).unwrap()
}

fn files(dir: &Path, rel: &str, acc: &mut Vec<String>) {
    for e in std::fs::read_dir(dir.join(rel)).unwrap() {
        let e = e.unwrap();
        let name = format!("{rel}{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            files(dir, &format!("{name}/"), acc);
        } else {
            acc.push(name);
        }
    }
}

/// The key ID prefix in `intoto/train.<prefix>.link`.
fn link_key_id(files: &[String]) -> String {
    let link = files
        .iter()
        .find(|f| f.starts_with("intoto/train.") && f.ends_with(".link"))
        .expect("a train link");
    let id = &link["intoto/train.".len()..link.len() - ".link".len()];
    assert!(
        id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{link}"
    );
    id.to_string()
}

#[test]
fn the_output_layout_is_the_documented_one_and_verifies() {
    let mut found = Vec::new();
    files(out(), "", &mut found);
    // Link names carry the functionary key ID's first 8 hex digits.
    let key_id = link_key_id(&found);
    let mut found: Vec<String> = found.iter().map(|f| f.replace(&key_id, "KEYID8")).collect();
    found.sort();
    assert_eq!(
        found,
        [
            "aibom.cdx.json",
            "attestations/aibom.sigstore.json",
            "attestations/provenance.sigstore.json",
            "build-record.json",
            "dataset-commitment.json",
            "environment.json",
            "intoto/attest.KEYID8.link",
            "intoto/functionary.pub",
            "intoto/root.layout",
            "intoto/train.KEYID8.link",
            "key.pub",
            "metrics.json",
            "model.sig",
            "model/config.json",
            "model/model.safetensors",
            "training.log",
        ]
    );
    verify_outputs(
        out(),
        &key(&out().join("key.pub")),
        Some(slsa_aibom_builder::attest::provenance::LOCAL_BUILDER_ID),
    )
    .unwrap();
    // A builder ID other than the recorded one is refused.
    assert!(verify_outputs(
        out(),
        &key(&out().join("key.pub")),
        Some("https://example.com/other@v1")
    )
    .is_err());
}

#[test]
fn every_aibom_hash_is_a_provenance_subject_or_dependency() {
    let prov = statement(&out().join("attestations/provenance.sigstore.json"));
    let mut known = BTreeSet::new();
    for s in prov["subject"].as_array().unwrap() {
        known.insert(s["digest"]["sha256"].as_str().unwrap().to_string());
    }
    for d in prov["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap()
    {
        known.insert(d["digest"]["sha256"].as_str().unwrap().to_string());
    }
    // The in-toto layout and training link the ML-BOM references.
    let mut found = Vec::new();
    files(out(), "", &mut found);
    for f in found
        .iter()
        .filter(|f| f.ends_with(".layout") || f.starts_with("intoto/train."))
    {
        let bytes = std::fs::read(out().join(f)).unwrap();
        known.insert(hex::encode(sha2::Sha256::digest(&bytes)));
    }
    let bom: Value =
        serde_json::from_slice(&std::fs::read(out().join("aibom.cdx.json")).unwrap()).unwrap();
    let mut hashes = Vec::new();
    fn collect(v: &Value, acc: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(hs)) = m.get("hashes") {
                    acc.extend(
                        hs.iter()
                            .map(|h| h["content"].as_str().unwrap().to_string()),
                    );
                }
                m.values().for_each(|x| collect(x, acc));
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, acc)),
            _ => {}
        }
    }
    collect(&bom, &mut hashes);
    assert!(hashes.len() >= 3, "too few hashes: {hashes:?}");
    for h in &hashes {
        assert!(
            known.contains(h),
            "ML-BOM hash {h} is neither a subject nor a dependency"
        );
    }
    // The model card carries the metrics and the metadata.
    let model = &bom["components"][0];
    assert_eq!(model["type"], "machine-learning-model");
    let metrics = model["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]
        .as_array()
        .unwrap();
    assert!(metrics
        .iter()
        .any(|m| m["type"] == "accuracy" && m["slice"] == "test"));
    assert!(
        model["modelCard"]["considerations"]["technicalLimitations"][0]
            .as_str()
            .unwrap()
            .contains("Out of scope")
    );
    // The provenance's byproducts bind the ML-BOM file.
    let aibom_sha = sha256(&out().join("aibom.cdx.json"));
    let byproducts = prov["predicate"]["runDetails"]["byproducts"]
        .as_array()
        .unwrap();
    assert!(byproducts
        .iter()
        .any(|b| b["name"] == "aibom.cdx.json" && b["digest"]["sha256"] == aibom_sha.as_str()));
}

/// A copy of the outputs with `rel` changed by `f`.
fn tampered(rel: &str, f: impl FnOnce(&mut Vec<u8>)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(out(), dir.path());
    let p = dir.path().join(rel);
    let mut bytes = std::fs::read(&p).unwrap();
    f(&mut bytes);
    std::fs::write(&p, bytes).unwrap();
    dir
}

#[test]
fn changing_any_single_output_file_is_caught() {
    let mut all = Vec::new();
    files(out(), "", &mut all);
    let mut checked = 0;
    for rel in all.iter().filter(|r| *r != "key.pub") {
        let dir = tampered(rel, |b| {
            let i = b.len() / 2;
            b[i] ^= 0x01;
        });
        let r = verify_outputs(dir.path(), &key(&out().join("key.pub")), None);
        assert!(r.is_err(), "flipping a bit of {rel} went unnoticed");
        checked += 1;
    }
    assert_eq!(checked, 15);
    // An extra file in the model directory is caught too.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(out(), dir.path());
    std::fs::write(dir.path().join("model/extra.bin"), b"x").unwrap();
    let err = verify_outputs(dir.path(), &key(&out().join("key.pub")), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("extra.bin"), "{err}");
    // Another key is refused.
    std::fs::write(
        dir.path().join("other.pub"),
        slsa_aibom_builder::signing::KeySigner::ephemeral()
            .unwrap()
            .public_key_pem(),
    )
    .unwrap();
    assert!(verify_outputs(out(), &key(&dir.path().join("other.pub")), None).is_err());
}

/// The public key at `path` as a verification anchor.
fn key(path: &Path) -> Anchor {
    Anchor::key_file(path).unwrap()
}

/// Every leaf of `v`, as JSON pointers.
fn leaves(v: &Value, at: String, acc: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            leaves(
                x,
                format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                acc,
            )
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| leaves(x, format!("{at}/{i}"), acc)),
        _ => acc.push(at),
    }
}

fn mutate(v: &mut Value) {
    *v = match v.take() {
        Value::String(s) => Value::String(format!("{s}x")),
        Value::Number(n) => Value::from(n.as_f64().unwrap_or(0.0) + 1.0),
        Value::Bool(b) => Value::Bool(!b),
        Value::Null => Value::String("x".into()),
        other => other,
    };
}

#[test]
fn changing_any_single_statement_field_is_caught() {
    let bundles = [
        "attestations/provenance.sigstore.json",
        "attestations/aibom.sigstore.json",
        "model.sig",
    ];
    let mut total = 0;
    for rel in bundles {
        let original: Value =
            serde_json::from_slice(&std::fs::read(out().join(rel)).unwrap()).unwrap();
        let st = statement(&out().join(rel));
        let mut fields = Vec::new();
        leaves(&st, String::new(), &mut fields);
        // Sample evenly so the test stays quick on the large ML-BOM.
        let step = (fields.len() / 150).max(1);
        for ptr in fields.iter().step_by(step) {
            let mut changed = st.clone();
            mutate(changed.pointer_mut(ptr).unwrap());
            let mut bundle = original.clone();
            bundle["dsseEnvelope"]["payload"] = base64::engine::general_purpose::STANDARD
                .encode(serde_json::to_vec(&changed).unwrap())
                .into();
            let dir = tempfile::tempdir().unwrap();
            copy_tree(out(), dir.path());
            std::fs::write(dir.path().join(rel), serde_json::to_vec(&bundle).unwrap()).unwrap();
            assert!(
                verify_outputs(dir.path(), &key(&out().join("key.pub")), None).is_err(),
                "{rel}: changing {ptr} went unnoticed"
            );
            total += 1;
        }
        // And the envelope's own fields: signature and payload type.
        for (ptr, val) in [
            ("/dsseEnvelope/signatures/0/sig", Value::from("MEUCIQ==")),
            ("/dsseEnvelope/payloadType", Value::from("text/plain")),
        ] {
            let mut bundle = original.clone();
            *bundle.pointer_mut(ptr).unwrap() = val;
            let dir = tempfile::tempdir().unwrap();
            copy_tree(out(), dir.path());
            std::fs::write(dir.path().join(rel), serde_json::to_vec(&bundle).unwrap()).unwrap();
            assert!(
                verify_outputs(dir.path(), &key(&out().join("key.pub")), None).is_err(),
                "{rel}: {ptr}"
            );
        }
    }
    assert!(total > 200, "only {total} fields tried");
}

#[test]
fn safetensors_file_holds_the_named_parameters() {
    let bytes = std::fs::read(out().join("model/model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = st.names().into_iter().map(str::to_string).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "dense.00.bias",
            "dense.00.weight",
            "dense.01.bias",
            "dense.01.weight"
        ]
    );
    assert_eq!(st.tensor("dense.00.weight").unwrap().shape(), [64, 13]);
}

/// Without NVML the record has no GPU fields and no GPU energy, only the
/// CPU time; the provenance states the CPU determinism class.
#[test]
fn without_nvml_no_gpu_fields_are_recorded_and_the_determinism_class_is_stated() {
    let inputs = example(1);
    let out = inputs.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .env("SLSA_AIBOM_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1")
        .args(["build", &inputs.path().join(JOB).display().to_string()])
        .args(["--out", &out.display().to_string(), "-q"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let env: Value =
        serde_json::from_slice(&std::fs::read(out.join("environment.json")).unwrap()).unwrap();
    assert!(env.get("nvml").is_none(), "{env}");
    let energy = &env["training_energy"];
    assert!(energy["cpu_seconds"].as_f64().unwrap() > 0.0, "{energy}");
    assert!(energy.get("gpu_joules").is_none() && energy.get("gpu_kwh").is_none());
    let st = statement(&out.join("attestations/provenance.sigstore.json"));
    let internal = &st["predicate"]["buildDefinition"]["internalParameters"];
    assert!(internal.get("nvidia").is_none(), "{internal}");
    assert_eq!(
        internal["determinism"]["class"],
        "bit-identical-on-device-class"
    );
    assert!(internal["determinism"]["deviceClass"]
        .as_str()
        .unwrap()
        .starts_with("cpu "));
    let bom = std::fs::read_to_string(out.join("aibom.cdx.json")).unwrap();
    assert!(!bom.contains("environmentalConsiderations") && !bom.contains("device-nvidia"));
}

/// The ML-BOM the builder writes reads back through the formats crate's
/// typed model unchanged; the verifier reads a release's ML-BOM through that
/// model, and its lenient reading (for ML-BOMs other tools wrote) gives the
/// same view.
#[test]
fn the_ml_bom_round_trips_through_the_formats_crate_and_the_verifier_reads_it_alike() {
    use slsa_aibom_verify::documents::mlbom::MlBom;
    use slsa_aibom_verify::types::cyclonedx::Bom;
    let text = std::fs::read_to_string(out().join("aibom.cdx.json")).unwrap();
    let typed: Bom = serde_json::from_str(&text).unwrap();
    let as_written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), as_written);
    let view = MlBom::from_release(&as_written).unwrap();
    assert_eq!(view, MlBom::from_bom(&typed));
    assert_eq!(view, MlBom::from_json(&as_written));
    assert_eq!(view.model.name, typed.metadata.component.name);
    assert!(!view.datasets.is_empty() && !view.frameworks.is_empty());
    assert!(!view.applications.is_empty() && !view.workflow_uids.is_empty());
    assert!(!view.metrics.is_empty() && !view.model.sha256.is_empty());
    // A release's ML-BOM that does not fit the typed model is refused.
    let mut crafted = as_written.clone();
    crafted["metadata"]["component"]["hashes"] = serde_json::json!("not a list");
    assert!(MlBom::from_release(&crafted).is_err());
}

/// The provenance the builder writes reads back through the formats crate's
/// typed model unchanged, as the verifier reads it: our build type, the job,
/// every dataset's split commitments, the trainer and the byproducts.
#[test]
fn the_provenance_round_trips_through_the_formats_crate_as_the_verifier_reads_it() {
    use slsa_aibom_verify::documents::provenance::{ours, OurProvenance};
    use slsa_aibom_verify::evidence::statement::Statement;
    let written = statement(&out().join("attestations/provenance.sigstore.json"));
    let st: Statement = serde_json::from_value(written.clone()).unwrap();
    let typed: OurProvenance = ours(&st).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), written["predicate"]);
    let definition = &typed.build_definition;
    let record: Value =
        serde_json::from_slice(&std::fs::read(out().join("build-record.json")).unwrap()).unwrap();
    assert_eq!(
        definition.external_parameters.job.path,
        record["job"]["path"]
    );
    let datasets: Vec<_> = typed.dependencies("dataset:").collect();
    assert!(!datasets.is_empty());
    for d in datasets {
        let roots = d
            .dataset_annotations()
            .expect("typed split commitments")
            .record_roots;
        for (split, root) in roots {
            assert_eq!(root.records, record["splits"][&split]["records"], "{split}");
            assert_eq!(root.root, record["splits"][&split]["root"], "{split}");
        }
    }
    assert_eq!(typed.dependencies("trainer").count(), 1);
    let aibom = typed
        .byproduct("aibom.cdx.json")
        .and_then(|b| b.sha256_hex());
    let file = std::fs::read(out().join("aibom.cdx.json")).unwrap();
    use sha2::Digest as _;
    assert_eq!(aibom, Some(hex::encode(sha2::Sha256::digest(file))));
}
