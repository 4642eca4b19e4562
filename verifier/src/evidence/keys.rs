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
        Ok(PublicKey {
            der,
            scheme: alg.default_signing_scheme(),
        })
    }

    /// Read a PEM public key file.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let pem = crate::bounded_read::read_text(path, crate::bounded_read::SMALL_LIMIT, "key")?;
        Self::from_pem(&pem)
            .map_err(|e| Error::Input(format!("{}: {}", path.display(), e.detail())))
    }

    /// Verify `sig` over `message`. ECDSA signatures are accepted in ASN.1
    /// DER form and, as some DSSE producers write them, in the fixed-width
    /// `r || s` form (IEEE P1363).
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<()> {
        let der = sigstore_crypto::verify_signature(
            &self.der,
            message,
            &SignatureBytes::from_bytes(sig),
            self.scheme,
        );
        match (der, self.fixed_width_algorithm()) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(alg)) if self.verify_fixed(alg, message, sig) => Ok(()),
            (Err(e), _) => Err(Error::Crypto(format!(
                "signature does not verify with the {} key: {e}",
                self.scheme.name()
            ))),
        }
    }

    fn fixed_width_algorithm(
        &self,
    ) -> Option<&'static aws_lc_rs::signature::EcdsaVerificationAlgorithm> {
        match self.scheme {
            SigningScheme::EcdsaP256Sha256 => Some(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED),
            SigningScheme::EcdsaP384Sha384 => Some(&aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED),
            _ => None,
        }
    }

    fn verify_fixed(
        &self,
        alg: &'static aws_lc_rs::signature::EcdsaVerificationAlgorithm,
        message: &[u8],
        sig: &[u8],
    ) -> bool {
        use x509_cert::der::Decode as _;
        // The verifier takes the raw EC point, which is the SPKI's bit string.
        let Ok(spki) = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(self.der.as_bytes())
        else {
            return false;
        };
        let Some(point) = spki.subject_public_key.as_bytes() else {
            return false;
        };
        aws_lc_rs::signature::UnparsedPublicKey::new(alg, point)
            .verify(message, sig)
            .is_ok()
    }
}
