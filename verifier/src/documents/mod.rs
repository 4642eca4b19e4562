//! The third layer: what the signed statements say. An in-toto statement
//! ([`crate::evidence::statement`]) holds SLSA [`provenance`] (checked against the certificate,
//! our build type's parameters and the [`runner_policy`]), an OpenSSF
//! [`model_signing`] manifest (the model directory walked and [`hashing`]
//! every file) or a CycloneDX ML-BOM ([`mlbom`]).

pub mod hashing;
pub mod mlbom;
pub(crate) mod model_dir;
pub use model_dir::regular_files;
pub mod model_signing;
pub mod provenance;
pub mod runner_policy;

pub use model_dir::MAX_DEPTH as MAX_MODEL_DIR_DEPTH;
