//! The names of the `slsa-aibom:*` properties the ML-BOM carries: the
//! builder writes them, the verifier and `docs/outputs.md` read them. The
//! names never change.

/// A dataset split's record count.
pub const RECORDS: &str = "slsa-aibom:records";
/// A dataset split's commitment (Merkle) root.
pub const RECORD_ROOT: &str = "slsa-aibom:record-root";
/// The model input's shape.
pub const INPUT_SHAPE: &str = "slsa-aibom:input-shape";
/// The model output's shape.
pub const OUTPUT_SHAPE: &str = "slsa-aibom:output-shape";
/// The preprocessing applied to the records (JSON).
pub const PREPROCESSING: &str = "slsa-aibom:preprocessing";
/// The device the trainer used (`cpu`, `cuda:0`).
pub const BACKEND: &str = "slsa-aibom:backend";
/// The machine's architecture.
pub const ARCH: &str = "slsa-aibom:arch";
/// The CPU's logical cores.
pub const LOGICAL_CORES: &str = "slsa-aibom:logical-cores";
/// The CPU features the trainer detected.
pub const CPU_FEATURES: &str = "slsa-aibom:cpu-features";
/// The threads the trainer used.
pub const THREADS: &str = "slsa-aibom:threads";
/// A device's memory, in bytes.
pub const MEMORY_BYTES: &str = "slsa-aibom:memory-bytes";
/// A GPU's device type, as the graphics API reports it.
pub const DEVICE_TYPE: &str = "slsa-aibom:device-type";
/// A GPU's driver (name or NVML's driver version).
pub const DRIVER: &str = "slsa-aibom:driver";
/// A GPU's PCI vendor and device ID.
pub const PCI_ID: &str = "slsa-aibom:pci-id";
/// An NVIDIA GPU's UUID (NVML).
pub const GPU_UUID: &str = "slsa-aibom:gpu-uuid";
/// An NVIDIA GPU's PCI bus ID (NVML).
pub const PCI_BUS_ID: &str = "slsa-aibom:pci-bus-id";
/// An NVIDIA GPU's compute capability (NVML).
pub const COMPUTE_CAPABILITY: &str = "slsa-aibom:compute-capability";
/// The CUDA version the driver supports (NVML).
pub const CUDA_VERSION: &str = "slsa-aibom:cuda-version";
/// Who reported a device's facts.
pub const SOURCE: &str = "slsa-aibom:source";
/// Whether an NVIDIA GPU has MIG enabled (NVML).
pub const MIG_ENABLED: &str = "slsa-aibom:mig-enabled";
/// How the training's energy was measured.
pub const ENERGY_MEASURED_BY: &str = "slsa-aibom:energy-measured-by";
/// The training's CPU time, in seconds.
pub const CPU_SECONDS: &str = "slsa-aibom:cpu-seconds";
/// The trainer's source reference.
pub const TRAINER_REF: &str = "slsa-aibom:trainer-ref";
/// The model's parameter count.
pub const PARAMETER_COUNT: &str = "slsa-aibom:parameter-count";
/// The model's type (`config.json`'s `model_type`).
pub const MODEL_TYPE: &str = "slsa-aibom:model-type";
/// A fine-tune's base model, by name.
pub const BASE_MODEL: &str = "slsa-aibom:base-model";
/// Where a fine-tune's base model came from.
pub const BASE_MODEL_SOURCE: &str = "slsa-aibom:base-model-source";
/// The base model directory, as the job names it.
pub const BASE_MODEL_PATH: &str = "slsa-aibom:base-model-path";
/// How the base model was verified before training.
pub const VERIFIED_BY: &str = "slsa-aibom:verified-by";
/// Who signed the base model.
pub const SIGNER: &str = "slsa-aibom:signer";
/// sha256 of the base model's signature that verified.
pub const SIGNATURE_SHA256: &str = "slsa-aibom:signature-sha256";

/// Who vouches for a model card's metrics (`training-script`: the command
/// tier's script asserted them; nothing re-derived them).
pub const METRICS_ASSERTED_BY: &str = "slsa-aibom:metrics-asserted-by";

/// Which tier trained a model: `rust` (our trainer) or `command` (the
/// caller's script).
pub const TRAINER_TIER: &str = "slsa-aibom:trainer-tier";
