//! Our ML-BOM is valid against the official CycloneDX 1.6 JSON schema
//! (../shared/vectors/formats/cyclonedx-schema, resolved offline).

use crate::common::*;
use serde_json::Value;

pub(crate) fn validator() -> jsonschema::Validator {
    let dir = vectors().join("formats/cyclonedx-schema");
    let load = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    struct Local(std::path::PathBuf);
    impl jsonschema::Retrieve for Local {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri
                .path()
                .as_str()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            Ok(serde_json::from_slice(&std::fs::read(self.0.join(&name))?)?)
        }
    }
    jsonschema::options()
        .with_retriever(Local(dir.clone()))
        .should_validate_formats(true)
        .build(&load("bom-1.6.schema.json"))
        .unwrap()
}

/// Every schema error in `bom`, with where it is.
pub(crate) fn schema_errors(v: &jsonschema::Validator, bom: &Value) -> Vec<String> {
    v.iter_errors(bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn vectors_our_ml_bom_is_valid_cyclonedx_1_6() {
    let v = validator();
    // The schema really rejects things: the official example passes, a
    // broken copy fails.
    let official: Value = serde_json::from_slice(
        &std::fs::read(vectors().join("formats/cyclonedx/valid-machine-learning-1.6.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(v.is_valid(&official));
    let inputs = example(1);
    let out = inputs.path().join("out");
    build_into(inputs.path(), &out);
    let bom: Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let errors = schema_errors(&v, &bom);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let mut broken = bom.clone();
    broken["components"][0]["type"] = "model".into();
    assert!(
        !v.is_valid(&broken),
        "the schema accepted an unknown component type"
    );
}

/// A run on NVIDIA GPUs: the NVML devices become device components and the
/// energy `modelCard.considerations.environmentalConsiderations`, valid
/// against the schema; without NVML neither appears.
#[test]
fn vectors_gpu_devices_and_training_energy_are_valid_cyclonedx_1_6() {
    use slsa_aibom_builder::attest::{aibom, record::BuildRecord};
    use slsa_aibom_builder::environment::{NvidiaGpu, NvmlReport, TrainingEnergy};
    let v = validator();
    let inputs = example(1);
    let out = inputs.path().join("out");
    build_into(inputs.path(), &out);
    let mut record: BuildRecord =
        serde_json::from_slice(&std::fs::read(out.join("build-record.json")).unwrap()).unwrap();
    let cpu_only = serde_json::to_value(aibom::bom(&record, Vec::new())).unwrap();
    let model = |bom: &Value| {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "machine-learning-model")
            .unwrap()
            .clone()
    };
    assert!(model(&cpu_only)["modelCard"]["considerations"]
        .get("environmentalConsiderations")
        .is_none());
    record.environment.nvml = Some(NvmlReport {
        driver_version: "580.95.05".into(),
        cuda_version: "13.0".into(),
        gpus: vec![NvidiaGpu {
            index: 0,
            name: "NVIDIA H100 80GB HBM3".into(),
            uuid: "GPU-8f6c1b2e-0000-4000-8000-000000000000".into(),
            pci_bus_id: "00000000:0F:00.0".into(),
            memory_bytes: 85_520_809_984,
            compute_capability: "9.0".into(),
            mig_enabled: Some(false),
        }],
    });
    record.environment.training_energy = Some(TrainingEnergy {
        cpu_seconds: Some(12.5),
        gpu_joules: Some(vec![3600.0]),
        gpu_kwh: Some(0.001),
    });
    let bom = serde_json::to_value(aibom::bom(&record, Vec::new())).unwrap();
    let errors = schema_errors(&v, &bom);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let energy = &model(&bom)["modelCard"]["considerations"]["environmentalConsiderations"]
        ["energyConsumptions"][0];
    assert_eq!(energy["activity"], "training");
    assert_eq!(energy["activityEnergyCost"]["unit"], "kWh");
    assert_eq!(energy["activityEnergyCost"]["value"], 0.001);
    let gpu = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == "device-nvidia-0")
        .expect("the NVML GPU is a device component");
    assert_eq!(gpu["type"], "device");
    assert_eq!(gpu["name"], "NVIDIA H100 80GB HBM3");
}
