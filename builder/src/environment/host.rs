//! Operating system, CPU and memory facts.

use serde::{Deserialize, Serialize};

/// The operating system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Os {
    /// `linux`, `macos`, `windows`, ...
    pub family: String,
    /// The distribution's pretty name, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kernel release, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// CPU architecture.
    pub arch: String,
}

impl Os {
    /// This machine's OS.
    pub fn capture() -> Self {
        let name = host_file("/etc/os-release").ok().and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        });
        let kernel = host_file("/proc/sys/kernel/osrelease")
            .ok()
            .map(|s| s.trim().to_string());
        Os {
            family: std::env::consts::OS.into(),
            name,
            kernel,
            arch: std::env::consts::ARCH.into(),
        }
    }
}

/// The CPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpu {
    /// Model name, where the platform tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Logical CPUs available to this process.
    pub logical_cores: usize,
    /// Instruction-set features that change numerical kernels.
    pub features: Vec<String>,
}

impl Cpu {
    /// This machine's CPU.
    pub fn capture() -> Self {
        let model = host_file("/proc/cpuinfo").ok().and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name") || l.starts_with("Model"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        });
        Cpu {
            model,
            logical_cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            features: features(),
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn features() -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! probe {
        ($($f:tt),*) => { $( if std::is_x86_feature_detected!($f) { out.push($f.to_string()); } )* };
    }
    probe!("sse4.2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "sha");
    out
}

#[cfg(target_arch = "aarch64")]
fn features() -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! probe {
        ($($f:tt),*) => { $( if std::arch::is_aarch64_feature_detected!($f) { out.push($f.to_string()); } )* };
    }
    probe!("neon", "fp16", "sha2", "sve");
    out
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn features() -> Vec<String> {
    Vec::new()
}

/// Physical memory from `/proc/meminfo`, where it exists.
pub fn memory_bytes() -> Option<u64> {
    let info = host_file("/proc/meminfo").ok()?;
    let kb: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// A file describing this host, through the bounded reader.
fn host_file(path: &str) -> slsa_aibom_verify::Result<String> {
    slsa_aibom_verify::bounded_read::read_host_file(std::path::Path::new(path))
}
