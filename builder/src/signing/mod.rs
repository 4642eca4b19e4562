//! Signing: the verifier crate's signers (keyed and keyless), and what a
//! consumer must verify this builder's outputs against.

mod anchor;

pub use anchor::Anchor;
pub use slsa_aibom_verify::signing::{
    KeySigner, KeylessConfig, KeylessSigner, Services, Signer, Transparency, GITHUB_ISSUER,
};

use crate::error::{BuildError, Result};
use slsa_aibom_verify::{PublicKey, SanMatcher};

/// What a consumer verifies `signer`'s outputs against: the key, or a
/// certificate for exactly `builder_id` from GitHub Actions.
pub fn anchor(signer: &Signer, builder_id: &str) -> Result<Anchor> {
    match signer {
        Signer::Key(k) => Ok(Anchor::Key(
            PublicKey::from_pem(k.public_key_pem()).map_err(|e| BuildError::Sign(e.to_string()))?,
        )),
        Signer::Keyless(k) => Ok(Anchor::Certificate {
            trust_root: Box::new(k.trust_root().clone()),
            identity: SanMatcher::Exact(builder_id.to_string()),
            issuer: GITHUB_ISSUER.into(),
        }),
    }
}
