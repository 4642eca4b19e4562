//! # slsa-aibom-verify
//!
//! Offline verification of Sigstore bundles, SLSA provenance, OpenSSF model
//! signatures and CycloneDX ML-BOMs, one at a time or as one release under a
//! policy. Cryptography is delegated to the sigstore-rust crates
//! (`sigstore-verify`); this crate adds what a supply-chain gate needs on
//! top. It is verify-only: no signer, and without its optional features no
//! network and no async runtime (the `github` feature fetches bundles; the
//! `tuf` feature refreshes trusted roots, `evidence::trust_cache`).
//!
//! ## How a verification flows
//!
//! A [`Policy`] says what to require: a [`TrustAnchor`] (a Sigstore
//! [`TrustRoot`], a [`PublicKey`] or a private PKI), the expected signer
//! ([`SanMatcher`], issuer, repository) and the statement's predicate type
//! and builder. A [`Verifier`] built from it checks [`Inputs`] (an evidence
//! file and the [`Subject`]s it must cover) through the layers, in order:
//!
//! 1. [`evidence`]: the file, read within limits ([`bounded_read`]) and
//!    parsed; its signature, certificate chain, SCT and log entry or
//!    timestamp, under the policy's [`TrustAnchor`];
//! 2. [`identity`]: who signed, read from the certificate only
//!    ([`CertIdentity`]), held to the policy's signer expectations;
//! 3. [`documents`]: what the signed statement says: SLSA provenance held to
//!    the certificate, a model signature's manifest held to the files on disk;
//! 4. [`release`]: three documents bound into one release
//!    ([`release::verify_release`]) and judged by a release policy file
//!    ([`release::rules::ReleasePolicy`]), with a passport and, optionally, a
//!    signed verification summary ([`release::vsa`]).
//!
//! Beside them, [`intoto`] verifies in-toto layouts and links, [`inventory`]
//! answers blast-radius queries over many attestations, and [`commitment`]
//! checks dataset-membership proofs.
//!
//! Every check has a [`CheckId`]. The result is a [`Report`] of one
//! [`Verdict`] per subject (or a [`release::ReleaseReport`]): each [`Check`]
//! with its expected and actual values, and the [`Failure`] with its
//! [`ErrorClass`], which maps to the CLI's exit code. Verdicts are sealed:
//! only verification creates them.
//!
//! ## Example: a CI gate
//!
//! ```
//! use slsa_aibom_verify::{Inputs, Policy, SanMatcher, Subject, TrustAnchor, Verifier};
//! # fn main() -> Result<(), slsa_aibom_verify::Error> {
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed");
//! let policy = Policy {
//!     anchor: TrustAnchor::public_key(slsa_aibom_verify::PublicKey::from_file(&dir.join("key.pub"))?),
//!     builder_id: Some("https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1".into()),
//!     ..Policy::default()
//! };
//! let verifier = Verifier::new(policy)?;
//! let report = verifier.verify(&Inputs {
//!     evidence: dir.join("provenance.sigstore.json"),
//!     subjects: vec![Subject::File(dir.join("artifact.bin"))],
//! });
//! assert!(report.verified(), "{:?}", report.failure());
//! for check in report.results()[0].verdict().checks() {
//!     println!("{:?} {}: {}", check.status(), check.name(), check.detail());
//! }
//! // A keyless policy names the signer as the certificate states it:
//! let _keyless = Policy {
//!     identity: Some(SanMatcher::Exact("https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1".into())),
//!     issuer: Some("https://token.actions.githubusercontent.com".into()),
//!     source_repo: Some("acme/fraud-model".into()),
//!     ..Policy::default()
//! };
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

// The layers, in the order a verification flows (docs/architecture.md
// gives the order their imports follow, which a test holds).
#[cfg(feature = "cli-support")]
pub mod cli_support;
pub mod commitment;
pub mod documents;
pub mod evidence;
pub mod identity;
#[cfg(feature = "in-toto")]
pub mod intoto;
pub mod inventory;
pub mod release;

// The bottom layer, which every other may use: value types, the checks
// list, the bounded reader and the strict JSON parser.
pub mod bounded_read;
pub mod check_id;
mod checks;
pub mod digest;
pub mod display;
pub mod error;
mod error_class;
pub mod json;
pub mod setting;

// Above the documents: the policy, composed of each layer's slice; the
// verdict; the verification of one evidence file.
mod policy;
mod verdict;
mod verifier;

pub use check_id::CheckId;
pub use checks::{Check, CheckName, Checks, Failure, Status};
pub use digest::Digest;
pub use documents::runner_policy::RunnerPolicy;
pub use error::{Error, ErrorClass, Result};
pub use evidence::anchor::TrustAnchor;
pub use evidence::keys::PublicKey;
pub use evidence::trust::{Instance, TrustRoot};
pub use identity::our_builder::OUR_BUILDER_WORKFLOW;
pub use identity::{CertIdentity, SanMatcher};
pub use policy::Policy;
pub use setting::{Setting, SettingNames, SettingProblem};
/// The formats crate: names, the release layout, the CycloneDX model.
pub use slsa_aibom_types as types;
pub use slsa_aibom_types::GITHUB_ISSUER;
pub use verdict::Verdict;
pub use verifier::{Inputs, Report, Subject, SubjectVerdict, Verifier};
