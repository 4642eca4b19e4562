//! # slsa-aibom-builder
//!
//! A deterministic candle trainer for declarative jobs, and the attestation
//! builder that turns a training run into signed SLSA v1 provenance, a
//! CycloneDX 1.6 ML-BOM and an OpenSSF model signature.

#![warn(missing_docs)]

pub mod data;
pub mod definition;
pub mod determinism;
pub mod environment;
pub mod error;
pub mod runs_on;
pub mod spec;
pub mod trainer_config;
pub mod training;
pub mod transformer;

pub use error::{BuildError, Result};
pub mod attest;
pub mod attestations_upload;
pub mod commitment_file;
pub use slsa_aibom_types::cyclonedx;
pub mod demo;
pub mod github_api;
pub mod layout;
pub mod lineage;
pub mod output_check;
pub mod pipeline;
pub mod predict;
pub mod rebuild;
pub mod recorded;
pub mod signing;
pub mod snapshot;
pub mod written;
