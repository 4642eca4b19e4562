//! # slsa-aibom-types
//!
//! What both sides of slsa-aibom agree on: the builder writes these, the
//! verifier reads them. No cryptography and no I/O: names, constants and
//! serde models.
//!
//! - [`intoto`]: the in-toto Statement and DSSE payload type, and the
//!   predicate types of the three signed documents;
//! - [`GITHUB_ISSUER`]: the only OIDC issuer our keyless builds have;
//! - [`statement`]: the in-toto Statement, generic over its predicate;
//! - [`provenance`]: SLSA provenance v1, and our build type's parameters;
//! - [`layout`]: the file names of a release, in one place;
//! - [`property`]: the names of the ML-BOM's `slsa-aibom:*` properties;
//! - [`commitment`]: a dataset split's records and the proofs of a record's
//!   presence or absence;
//! - [`cyclonedx`]: the typed CycloneDX 1.6 ML-BOM the builder writes.

#![warn(missing_docs)]

pub mod command_provenance;
pub mod commitment;
pub mod cyclonedx;
pub mod intoto;
pub mod layout;
pub mod property;
pub mod provenance;
pub mod statement;

/// The GitHub Actions OIDC issuer: the only one keyless builds accept.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
