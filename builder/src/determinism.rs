//! Which runs of a job can be expected to give the same model bytes. The
//! provenance records the class of the device that trained (its device
//! class) and what is established about run-to-run identity on it; `rebuild`
//! compares digests only within one device class.

use crate::environment::Environment;
use serde::{Deserialize, Serialize};

/// Runs on the same device class give identical model bytes.
pub const BIT_IDENTICAL: &str = "bit-identical-on-device-class";
/// Run-to-run identity on this device class has not been measured.
pub const NOT_ESTABLISHED: &str = "not-established";

/// The determinism record of a training run (asserted by the train runner:
/// it is derived from the environment report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Determinism {
    /// The device class, e.g. `cpu x86_64 avx2-fma` or
    /// `cuda NVIDIA H100 80GB HBM3 sm_90`.
    pub device_class: String,
    /// [`BIT_IDENTICAL`] or [`NOT_ESTABLISHED`].
    pub class: String,
    /// Why the class is what it is.
    pub basis: String,
}

impl Determinism {
    /// The record for a run in `env`.
    pub fn of(env: &Environment) -> Self {
        if env.backend.device.starts_with("cuda") {
            Determinism {
                device_class: cuda_class(env),
                class: NOT_ESTABLISHED.into(),
                basis: "no two CUDA runs of this trainer have been compared on a GPU yet; \
                        scripts/gpu-check.sh measures it"
                    .into(),
            }
        } else {
            Determinism {
                device_class: format!("cpu {} {}", env.os.arch, simd_level(&env.cpu.features)),
                class: BIT_IDENTICAL.into(),
                basis: "seeded data order, initialisation, dropout and augmentation, and a fixed \
                        reduction order at every thread count; the test suite holds model bytes \
                        identical across runs and at 1 and 2 threads"
                    .into(),
            }
        }
    }

    /// Whether two runs recorded as `self` and `other` should give the same
    /// bytes.
    pub fn comparable_bytes(&self, other: &Determinism) -> bool {
        self.device_class == other.device_class && self.class == BIT_IDENTICAL
    }
}

/// The widest vector instructions the CPU kernels (gemm) choose from: runs
/// with different levels may round differently.
fn simd_level(features: &[String]) -> &'static str {
    let has = |f: &str| features.iter().any(|x| x == f);
    if has("avx512f") {
        "avx512f"
    } else if has("avx2") && has("fma") {
        "avx2-fma"
    } else if has("neon") {
        "neon"
    } else {
        "baseline"
    }
}

/// The GPU model and compute capability, from NVML; `unidentified` without
/// NVML or when the GPUs differ (NVML's order need not be CUDA's).
fn cuda_class(env: &Environment) -> String {
    let kinds: std::collections::BTreeSet<(String, String)> = env
        .nvml
        .iter()
        .flat_map(|n| &n.gpus)
        .map(|g| (g.name.clone(), g.compute_capability.replace('.', "")))
        .collect();
    match kinds.into_iter().collect::<Vec<_>>().as_slice() {
        [(name, cc)] => format!("cuda {name} sm_{cc}"),
        _ => "cuda unidentified".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simd_level_names_the_widest_kernels() {
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(simd_level(&f(&["avx2", "fma", "avx512f"])), "avx512f");
        assert_eq!(simd_level(&f(&["avx2", "fma"])), "avx2-fma");
        assert_eq!(simd_level(&f(&["avx2"])), "baseline");
        assert_eq!(simd_level(&f(&["neon"])), "neon");
    }

    #[test]
    fn only_a_bit_identical_class_on_the_same_device_class_compares_bytes() {
        let d = |device_class: &str, class: &str| Determinism {
            device_class: device_class.into(),
            class: class.into(),
            basis: String::new(),
        };
        let cpu = d("cpu x86_64 avx2-fma", BIT_IDENTICAL);
        assert!(cpu.comparable_bytes(&cpu.clone()));
        assert!(!cpu.comparable_bytes(&d("cpu x86_64 avx512f", BIT_IDENTICAL)));
        let gpu = d("cuda NVIDIA H100 sm_90", NOT_ESTABLISHED);
        assert!(!gpu.comparable_bytes(&gpu.clone()));
    }
}
