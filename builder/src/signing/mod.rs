//! Signing in-toto statements into Sigstore bundles: with a local key
//! (demo, tests, air-gapped use) or keylessly in GitHub Actions.

mod key;
mod keyless;

pub use key::KeySigner;
pub use keyless::{KeylessSigner, Services, Transparency};

use crate::error::{BuildError, Result};
use crate::output_check::Anchor;
use slsa_aibom_verify::{PublicKey, SanMatcher};

/// The GitHub Actions OIDC issuer: the only one keyless builds accept.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// A signer of either kind.
pub enum Signer {
    /// A local key.
    Key(KeySigner),
    /// A Fulcio certificate per signature.
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
            Signer::Keyless(k) => k.sign_statement(statement),
        }
    }

    /// The public key to publish beside the outputs (keyed signing only).
    pub fn public_key_pem(&self) -> Option<&str> {
        match self {
            Signer::Key(k) => Some(k.public_key_pem()),
            Signer::Keyless(_) => None,
        }
    }

    /// What a consumer verifies the outputs against: the key, or a
    /// certificate for exactly `builder_id` from GitHub Actions.
    pub fn anchor(&self, builder_id: &str) -> Result<Anchor> {
        match self {
            Signer::Key(k) => Ok(Anchor::Key(
                PublicKey::from_pem(k.public_key_pem())
                    .map_err(|e| BuildError::Sign(e.to_string()))?,
            )),
            Signer::Keyless(k) => Ok(Anchor::Certificate {
                trust_root: Box::new(k.trust_root().clone()),
                identity: SanMatcher::Exact(builder_id.to_string()),
                issuer: GITHUB_ISSUER.into(),
            }),
        }
    }
}
