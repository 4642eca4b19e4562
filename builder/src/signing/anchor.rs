//! What a build's outputs must be verified against: the key that signed
//! them, or the certificate identity a keyless signer was issued.

use crate::error::{BuildError, Result};
use slsa_aibom_verify::{Policy, PublicKey, SanMatcher, TrustAnchor, TrustRoot};
use std::path::Path;

/// What the outputs' signatures must chain to.
#[derive(Debug, Clone)]
pub enum Anchor {
    /// A public key (keyed builds).
    Key(PublicKey),
    /// A Fulcio certificate under `trust_root` for `identity`, issued to a
    /// token from `issuer` (keyless builds).
    Certificate {
        /// The Sigstore instance.
        trust_root: Box<TrustRoot>,
        /// The expected certificate SAN.
        identity: SanMatcher,
        /// The expected OIDC issuer.
        issuer: String,
    },
}

impl Anchor {
    /// A PEM public key file.
    pub fn key_file(path: &Path) -> Result<Self> {
        PublicKey::from_file(path)
            .map(Anchor::Key)
            .map_err(|e| BuildError::Verify(e.to_string()))
    }

    /// The verifier policy that trusts exactly this anchor.
    pub(crate) fn policy(&self) -> Policy {
        match self {
            Anchor::Key(key) => Policy {
                anchor: TrustAnchor::public_key(key.clone()),
                ..Policy::default()
            },
            Anchor::Certificate {
                trust_root,
                identity,
                issuer,
            } => Policy {
                anchor: TrustAnchor::Sigstore((**trust_root).clone()),
                identity: Some(identity.clone()),
                issuer: Some(issuer.clone()),
                ..Policy::default()
            },
        }
    }
}
