//! The NVML path, without a GPU: a fake `libnvidia-ml` (fixtures/fake_nvml.c,
//! compiled here) reports one GPU and an energy counter that advances by
//! exactly 1 Wh a read. A build with `SLSA_AIBOM_NVML_LIBRARY` pointing at
//! it records that GPU in `environment.json`, lists it as a device in the
//! ML-BOM, and states the training's GPU energy (1 Wh: read once before
//! training and once after); a build with a library that is not NVML
//! records none of it.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fake library, built into `dir`.
fn fake_nvml(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake_nvml.c");
    let lib = dir.join("libnvidia-ml-fake.so");
    let o = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-Wl,-z,nodelete", "-o"])
        .arg(&lib)
        .arg(&source)
        .output()
        .expect("a C compiler (cc) builds the fake NVML library");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    lib
}

fn build_with_nvml(library: &Path, out: &Path) -> serde_json::Value {
    let inputs = example(1);
    let o = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .arg("build")
        .arg(inputs.path().join(JOB))
        .arg("--out")
        .arg(out)
        .arg("-q")
        .env("SLSA_AIBOM_NVML_LIBRARY", library)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&std::fs::read(out.join("environment.json")).unwrap()).unwrap()
}

#[test]
fn the_nvml_record_the_device_components_and_the_energy_come_from_nvml() {
    let dir = tempfile::tempdir().unwrap();
    let lib = fake_nvml(dir.path());
    let out = dir.path().join("out");
    let env = build_with_nvml(&lib, &out);
    let nvml = &env["nvml"];
    assert_eq!(nvml["driver_version"], "580.95.05", "{env}");
    assert_eq!(nvml["cuda_version"], "13.0");
    let gpu = &nvml["gpus"][0];
    assert_eq!(gpu["name"], "Fake NVIDIA H200 (test library)");
    assert_eq!(gpu["uuid"], "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
    assert_eq!(gpu["pci_bus_id"], "00000000:0F:00.0");
    assert_eq!(gpu["memory_bytes"], 150754820096u64);
    assert_eq!(gpu["compute_capability"], "9.0");
    assert_eq!(gpu["mig_enabled"], false);
    // One read before training and one after: exactly 1 Wh.
    let energy = &env["training_energy"];
    assert_eq!(
        energy["gpu_joules"],
        serde_json::json!([3600.0]),
        "{energy}"
    );
    assert_eq!(energy["gpu_kwh"].as_f64(), Some(0.001));

    let bom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let components = bom["components"].as_array().unwrap();
    let device = components
        .iter()
        .find(|c| c["type"] == "device" && c["bom-ref"] == "device-nvidia-0")
        .expect("the GPU as a device component");
    assert_eq!(device["name"], "Fake NVIDIA H200 (test library)");
    let property = |name: &str| {
        device["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(
        property("slsa-aibom:gpu-uuid"),
        Some("GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9".into())
    );
    assert_eq!(
        property("slsa-aibom:compute-capability"),
        Some("9.0".into())
    );
    let bom_text = serde_json::to_string(&bom).unwrap();
    assert!(
        bom_text.contains("\"kWh\""),
        "the ML-BOM states the energy in kWh"
    );

    // Any library that is not NVML: nothing recorded, nothing guessed.
    let none = dir.path().join("none");
    let env = build_with_nvml(Path::new("/nonexistent/libnvidia-ml.so.1"), &none);
    assert!(env["nvml"].is_null(), "{env}");
    assert!(env["training_energy"]["gpu_kwh"].is_null(), "{env}");
}
