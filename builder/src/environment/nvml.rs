//! NVIDIA GPUs as NVML reports them (`nvml-wrapper`, which loads the
//! driver's `libnvidia-ml` at run time): each GPU's identity and the energy
//! a training run drew. Where NVML cannot be loaded (no NVIDIA driver, or
//! not Linux/Windows) every field is absent, never guessed.

use nvml_wrapper::Nvml;
use serde::{Deserialize, Serialize};

/// Environment variable naming the NVML library to load instead of the
/// driver's default (`libnvidia-ml.so.1`); the tests point it at nothing.
pub const LIBRARY_ENV: &str = "SLSA_AIBOM_NVML_LIBRARY";

/// One NVIDIA GPU, as the driver reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NvidiaGpu {
    /// NVML's index of the device.
    pub index: u32,
    /// Product name, e.g. `NVIDIA H100 80GB HBM3`.
    pub name: String,
    /// The device's UUID (`GPU-…`).
    pub uuid: String,
    /// PCI bus ID (`00000000:0F:00.0`).
    pub pci_bus_id: String,
    /// Total device memory in bytes.
    pub memory_bytes: u64,
    /// Compute capability, e.g. `9.0`.
    pub compute_capability: String,
    /// Whether MIG mode is on (`None` where the device has no MIG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mig_enabled: Option<bool>,
}

/// The driver and the GPUs it sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NvmlReport {
    /// The driver version, e.g. `580.95.05`.
    pub driver_version: String,
    /// The CUDA version the driver supports, e.g. `13.0`.
    pub cuda_version: String,
    /// Every GPU, in NVML's order.
    pub gpus: Vec<NvidiaGpu>,
}

fn open() -> Option<Nvml> {
    match std::env::var_os(LIBRARY_ENV) {
        Some(path) => Nvml::builder().lib_path(&path).init().ok(),
        None => Nvml::init().ok(),
    }
}

/// The driver and its GPUs, or `None` when NVML cannot be loaded.
pub fn report() -> Option<NvmlReport> {
    let nvml = open()?;
    let cuda = nvml.sys_cuda_driver_version().ok()?;
    let count = nvml.device_count().ok()?;
    let mut gpus = Vec::new();
    for index in 0..count {
        let d = nvml.device_by_index(index).ok()?;
        let cc = d.cuda_compute_capability().ok()?;
        gpus.push(NvidiaGpu {
            index,
            name: d.name().ok()?,
            uuid: d.uuid().ok()?,
            pci_bus_id: d.pci_info().ok()?.bus_id,
            memory_bytes: d.memory_info().ok()?.total,
            compute_capability: format!("{}.{}", cc.major, cc.minor),
            mig_enabled: d.mig_mode().ok().map(|m| m.current != 0),
        });
    }
    Some(NvmlReport {
        driver_version: nvml.sys_driver_version().ok()?,
        cuda_version: cuda_version(cuda),
        gpus,
    })
}

/// NVML's CUDA version number (`13000`) as people write it (`13.0`).
fn cuda_version(raw: i32) -> String {
    format!("{}.{}", raw / 1000, (raw % 1000) / 10)
}

/// Each GPU's total-energy counter (millijoules since the driver loaded),
/// or `None` when NVML cannot be loaded or a device has no counter.
pub fn energy_counters_mj() -> Option<Vec<u64>> {
    let nvml = open()?;
    (0..nvml.device_count().ok()?)
        .map(|i| {
            nvml.device_by_index(i)
                .ok()?
                .total_energy_consumption()
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cuda_version_is_written_as_major_dot_minor() {
        for (raw, text) in [(13000, "13.0"), (12090, "12.9"), (11080, "11.8")] {
            assert_eq!(cuda_version(raw), text);
        }
    }

    #[test]
    fn without_nvml_there_is_no_report_and_no_energy() {
        std::env::set_var(LIBRARY_ENV, "/nonexistent/libnvidia-ml.so.1");
        assert_eq!(report(), None);
        assert_eq!(energy_counters_mj(), None);
    }
}
