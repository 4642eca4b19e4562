//! The environment report (`environment.json`): host, CPU, memory, GPU
//! adapters, the trainer binary and its locked dependencies, the compute
//! backend and, inside GitHub Actions, the runner.

mod energy;
mod gpu;
pub(crate) mod host;
pub mod nvml;
pub mod runner;
pub mod trainer;

pub use energy::{Meter, TrainingEnergy};
pub use gpu::GpuAdapter;
pub use nvml::{NvidiaGpu, NvmlReport};
pub use trainer::{LockedPackage, TrainerInfo};

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything recorded about where and how training ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// Operating system and kernel.
    pub os: host::Os,
    /// CPU model, features and core counts.
    pub cpu: host::Cpu,
    /// Physical memory in bytes, where the platform tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// GPU adapters found by wgpu (empty without GPUs or without the `wgpu` feature).
    pub gpu_adapters: Vec<GpuAdapter>,
    /// Whether adapter enumeration ran (`false` when built without `wgpu`).
    pub gpu_inventory: bool,
    /// The NVIDIA driver and GPUs as NVML reports them (absent without NVML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvml: Option<NvmlReport>,
    /// What training cost: CPU time, and GPU energy where NVML is present.
    /// Measured around the training loop, so absent until training ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_energy: Option<TrainingEnergy>,
    /// The compute backend and its settings.
    pub backend: Backend,
    /// The trainer binary and its dependencies.
    pub trainer: TrainerInfo,
    /// GitHub Actions runner variables (allow-listed), when present.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub runner: BTreeMap<String, String>,
}

/// The device training ran on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backend {
    /// `cpu` or `cuda`.
    pub device: String,
    /// CPU worker threads (`RAYON_NUM_THREADS`).
    pub threads: usize,
    /// The candle-core version.
    pub framework: String,
}

impl Environment {
    /// Read the environment of this process.
    pub fn capture(device: &str, threads: usize) -> Result<Self> {
        let trainer = TrainerInfo::capture()?;
        let framework = trainer
            .dependencies
            .iter()
            .find(|p| p.name == "candle-core")
            .map(|p| format!("candle-core {}", p.version))
            .unwrap_or_else(|| "candle-core".into());
        let (gpu_inventory, gpu_adapters) = gpu::adapters();
        Ok(Environment {
            os: host::Os::capture(),
            cpu: host::Cpu::capture(),
            memory_bytes: host::memory_bytes(),
            gpu_adapters,
            gpu_inventory,
            nvml: nvml::report(),
            training_energy: None,
            backend: Backend {
                device: device.to_string(),
                threads,
                framework,
            },
            trainer,
            runner: runner::capture(),
        })
    }
}
