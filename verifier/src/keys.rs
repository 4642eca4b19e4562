//! Public keys given by the caller (`--key`) and raw signature checks with them.

use crate::error::{Error, Result};
use sigstore_crypto::{KeyAlgorithm, SigningScheme};
use sigstore_types::{DerPublicKey, SignatureBytes};

/// A PEM `PUBLIC KEY` with its algorithm.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// The SPKI DER key.
    pub der: DerPublicKey,
    /// The signing scheme implied by the key (ECDSA P-256 → SHA-256, P-384 → SHA-384, ...).
    pub scheme: SigningScheme,
}

impl PublicKey {
    /// Parse a PEM public key.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let der = DerPublicKey::from_pem(pem)
            .map_err(|e| Error::Input(format!("not a PEM public key: {e}")))?;
        Self::from_der(der)
    }

    /// Wrap a DER SPKI public key.
    pub fn from_der(der: DerPublicKey) -> Result<Self> {
        let alg = KeyAlgorithm::from_spki(&der)
            .map_err(|e| Error::Input(format!("unsupported public key: {e}")))?;
        Ok(PublicKey { der, scheme: alg.default_signing_scheme() })
    }

    /// Read a PEM public key file.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| Error::Input(format!("cannot read key {}: {e}", path.display())))?;
        Self::from_pem(&pem).map_err(|e| Error::Input(format!("{}: {}", path.display(), e.detail())))
    }

    /// Verify `sig` over `message`.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<()> {
        sigstore_crypto::verify_signature(&self.der, message, &SignatureBytes::from_bytes(sig), self.scheme)
            .map_err(|e| Error::Crypto(format!("signature does not verify with the {} key: {e}", self.scheme.name())))
    }
}
