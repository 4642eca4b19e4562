//! # slsa-aibom-sign
//!
//! Signing in-toto statements into Sigstore bundles v0.3: with a local key
//! (the demo, tests, air-gapped use) or, with the `keyless` feature (on by
//! default), keylessly in GitHub Actions: the job's OIDC token buys a Fulcio
//! certificate for a fresh key, and the signature is logged in Rekor or
//! timestamped by an RFC 3161 authority. The builder signs its attestations
//! with this crate, and `slsa-aibom-verify model --vsa-out` its
//! verification summaries.
//!
//! Verification lives in `slsa-aibom-verify`, which does not depend on this
//! crate: an embedder of the verifier links no signer and no async runtime.

#![warn(missing_docs)]

mod key;
#[cfg(feature = "keyless")]
mod keyless;

pub use key::KeySigner;
#[cfg(feature = "keyless")]
pub use keyless::{KeylessConfig, KeylessSigner, Services, Transparency};

/// Why signing failed (the signing error class: nothing was signed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SignError(pub String);

/// A `Result` with [`SignError`].
pub type Result<T> = std::result::Result<T, SignError>;

/// A signer of either kind.
pub enum Signer {
    /// A local key.
    Key(KeySigner),
    /// A Fulcio certificate per signature.
    #[cfg(feature = "keyless")]
    Keyless(Box<KeylessSigner>),
}

impl Signer {
    /// A fresh in-memory key.
    pub fn ephemeral() -> Result<Self> {
        Ok(Signer::Key(KeySigner::ephemeral()?))
    }

    /// Sign an in-toto statement into a pretty-printed bundle v0.3.
    pub fn sign_statement(&self, statement: &[u8]) -> Result<String> {
        match self {
            Signer::Key(k) => k.sign_statement(statement),
            #[cfg(feature = "keyless")]
            Signer::Keyless(k) => k.sign_statement(statement),
        }
    }

    /// The public key to publish beside the outputs (keyed signing only).
    pub fn public_key_pem(&self) -> Option<&str> {
        match self {
            Signer::Key(k) => Some(k.public_key_pem()),
            #[cfg(feature = "keyless")]
            Signer::Keyless(_) => None,
        }
    }
}
