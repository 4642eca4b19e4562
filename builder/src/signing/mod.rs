//! Signing: the signers of `slsa-aibom-sign` (keyed and keyless), and what
//! a consumer must verify this builder's outputs against.

mod anchor;

pub use anchor::Anchor;
pub use slsa_aibom_sign::{
    KeySigner, KeylessConfig, KeylessSigner, Services, Signer, Transparency,
};

use crate::error::{BuildError, Result};
use slsa_aibom_verify::bounded_read::{read_text, SMALL_LIMIT};
use slsa_aibom_verify::{Instance, PublicKey, SanMatcher, TrustRoot, GITHUB_ISSUER};
use std::path::Path;

/// A keyed signer from an unencrypted PKCS#8 PEM private key file (read as
/// a regular file of bounded size).
pub fn key_file(path: &Path) -> Result<Signer> {
    let text = read_text(path, SMALL_LIMIT, "key")
        .map_err(|e| BuildError::Sign(e.detail().to_string()))?;
    Ok(Signer::Key(KeySigner::from_pem(
        &text,
        &path.display().to_string(),
    )?))
}

/// The trusted root a keyless signer's bundles verify against.
fn trust_root(signer: &KeylessSigner) -> Result<TrustRoot> {
    match signer.trusted_root() {
        Some(path) => TrustRoot::from_file(path).map_err(|e| BuildError::Sign(e.to_string())),
        None => Ok(TrustRoot::embedded(match signer.transparency() {
            Transparency::Rekor => Instance::PublicGood,
            Transparency::Timestamp => Instance::GitHub,
        })),
    }
}

/// What a consumer verifies `signer`'s outputs against: the key, or a
/// certificate for exactly `builder_id` from GitHub Actions.
pub fn anchor(signer: &Signer, builder_id: &str) -> Result<Anchor> {
    match signer {
        Signer::Key(k) => Ok(Anchor::Key(
            PublicKey::from_pem(k.public_key_pem()).map_err(|e| BuildError::Sign(e.to_string()))?,
        )),
        Signer::Keyless(k) => Ok(Anchor::Certificate {
            trust_root: Box::new(trust_root(k)?),
            identity: SanMatcher::Exact(builder_id.to_string()),
            issuer: GITHUB_ISSUER.into(),
        }),
    }
}
