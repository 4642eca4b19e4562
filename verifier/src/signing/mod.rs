//! Signing in-toto statements into Sigstore bundles: with a local key
//! (demo, tests, air-gapped use) or, with the `keyless` feature, keylessly
//! in GitHub Actions. The builder signs its attestations with these; the
//! CLI signs verification summaries.

mod key;
#[cfg(feature = "keyless")]
mod keyless;

pub use key::KeySigner;
#[cfg(feature = "keyless")]
pub use keyless::{KeylessConfig, KeylessSigner, Services, Transparency};

use crate::error::Result;

/// The GitHub Actions OIDC issuer: the only one keyless builds accept.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

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

    /// A PKCS#8 PEM private key file.
    pub fn from_pem_file(path: &std::path::Path) -> Result<Self> {
        Ok(Signer::Key(KeySigner::from_pem_file(path)?))
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
