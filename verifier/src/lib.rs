//! # slsa-aibom-verify
//!
//! Offline verification of Sigstore bundles, SLSA provenance, OpenSSF model
//! signatures and (later) AI-BOMs. Cryptography is delegated to the
//! sigstore-rust crates (`sigstore-verify`); this crate adds what a supply
//! chain gate needs on top: identity from the certificate's GitHub claims,
//! provenance-to-certificate consistency, model-directory checks, a downgrade
//! guard, typed verdicts with every check's expected and actual values, and
//! failure classes with distinct exit codes.
//!
//! ## Example: a CI gate
//!
//! ```
//! use slsa_aibom_verify::{Inputs, Policy, SanMatcher, Subject, Verifier};
//! # fn main() -> Result<(), slsa_aibom_verify::Error> {
//! # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed");
//! let policy = Policy {
//!     key: Some(slsa_aibom_verify::PublicKey::from_file(&dir.join("key.pub"))?),
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

mod bare_dsse;
pub mod bounded_read;
mod bundle_check;
pub mod check_id;
pub mod commitment;
pub mod digest;
pub mod display;
pub mod error;
pub mod evidence;
#[cfg(feature = "github")]
pub mod github_attestations;
pub mod hashing;
pub mod identity;
#[cfg(feature = "in-toto")]
pub mod intoto;
pub mod inventory;
pub mod keys;
pub mod merkle;
pub mod mlbom;
mod model_dir;
pub mod model_signing;
pub mod our_builder;
pub mod policy;
mod private_pki;
pub mod provenance;
pub mod release;
pub mod repo_url;
pub mod runner_policy;
mod signer_checks;
pub mod signing;
pub mod statement;
pub mod trust;
pub mod verdict;
mod verifier;
pub mod vsa;

pub use check_id::CheckId;
pub use digest::Digest;
pub use error::{Error, ErrorClass, Result};
pub use identity::{CertIdentity, SanMatcher};
pub use keys::PublicKey;
pub use our_builder::OUR_BUILDER_WORKFLOW;
pub use policy::Policy;
pub use runner_policy::RunnerPolicy;
pub use trust::{Instance, TrustRoot};
pub use verdict::{Check, CheckName, Checks, Failure, Status, Verdict};
pub use verifier::{Inputs, Report, Subject, SubjectVerdict, Verifier};
