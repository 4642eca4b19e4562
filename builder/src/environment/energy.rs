//! What a training run cost: the process's CPU time and, where NVML can be
//! loaded, the energy the NVIDIA GPUs drew (their total-energy counters read
//! before and after). Asserted by the train runner, like the rest of the
//! environment report.

use super::nvml;
use serde::{Deserialize, Serialize};

/// Joules in a kilowatt-hour.
const JOULES_PER_KWH: f64 = 3.6e6;

/// The cost of one training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingEnergy {
    /// User plus system CPU time of the trainer during training, in seconds
    /// (absent where the platform has no `getrusage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
    /// Energy each NVIDIA GPU drew during training, in joules, by NVML
    /// index (absent without NVML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_joules: Option<Vec<f64>>,
    /// The sum over every GPU the driver sees, in kWh (absent without NVML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_kwh: Option<f64>,
}

/// Readings taken when training starts.
pub struct Meter {
    cpu_seconds: Option<f64>,
    gpu_mj: Option<Vec<u64>>,
}

impl Meter {
    /// Read the counters now.
    pub fn start() -> Self {
        Meter {
            cpu_seconds: cpu_seconds(),
            gpu_mj: nvml::energy_counters_mj(),
        }
    }

    /// Read the counters again and report the difference.
    pub fn stop(self) -> TrainingEnergy {
        let gpu_joules = match (self.gpu_mj, nvml::energy_counters_mj()) {
            (Some(before), Some(after)) if before.len() == after.len() => Some(
                before
                    .iter()
                    .zip(&after)
                    .map(|(b, a)| a.saturating_sub(*b) as f64 / 1000.0)
                    .collect::<Vec<f64>>(),
            ),
            _ => None,
        };
        TrainingEnergy {
            cpu_seconds: match (self.cpu_seconds, cpu_seconds()) {
                (Some(before), Some(after)) => Some(after - before),
                _ => None,
            },
            gpu_kwh: gpu_joules
                .as_ref()
                .map(|j| j.iter().sum::<f64>() / JOULES_PER_KWH),
            gpu_joules,
        }
    }
}

/// This process's user plus system CPU time, in seconds.
#[cfg(unix)]
fn cpu_seconds() -> Option<f64> {
    // SAFETY: getrusage writes one `rusage` into the zeroed value it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return None;
        }
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(secs(usage.ru_utime) + secs(usage.ru_stime))
}

/// This process's CPU time: not read on this platform.
#[cfg(not(unix))]
fn cpu_seconds() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work_and_gpu_energy_is_absent_without_nvml() {
        std::env::set_var(nvml::LIBRARY_ENV, "/nonexistent/libnvidia-ml.so.1");
        let meter = Meter::start();
        let mut x = 0u64;
        for i in 0..50_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(std::hint::black_box(i));
        }
        std::hint::black_box(x);
        let e = meter.stop();
        assert!(e.cpu_seconds.unwrap() > 0.0, "{e:?}");
        assert_eq!(e.gpu_joules, None);
        assert_eq!(e.gpu_kwh, None);
    }
}
