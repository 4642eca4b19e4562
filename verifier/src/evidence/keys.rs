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
    pub scheme: Scheme,
}

/// How a key signs: a scheme sigstore-rust knows, or ECDSA P-521 with
/// SHA-512, which sigstore-crypto 0.15.1 does not ("unsupported or invalid
/// EC curve parameters") and this verifier checks with aws-lc-rs itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// A scheme of sigstore-crypto.
    Sigstore(SigningScheme),
    /// ECDSA on P-521 with SHA-512 (signatures in DER or fixed width).
    EcdsaP521Sha512,
}

impl Scheme {
    /// The scheme's name, as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Sigstore(s) => s.name(),
            Scheme::EcdsaP521Sha512 => "ECDSA_P521_SHA512",
        }
    }
}

/// An RSA key's default scheme is PKCS#1 v1.5; the same key may sign with
/// PSS and the same hash (openssl's `rsa_padding_mode:pss`, Python's
/// `padding.PSS`), which is tried next.
fn pss_variant(scheme: SigningScheme) -> Option<SigningScheme> {
    match scheme {
        SigningScheme::RsaPkcs1Sha256 => Some(SigningScheme::RsaPssSha256),
        SigningScheme::RsaPkcs1Sha384 => Some(SigningScheme::RsaPssSha384),
        SigningScheme::RsaPkcs1Sha512 => Some(SigningScheme::RsaPssSha512),
        _ => None,
    }
}

/// id-ecPublicKey and secp521r1, as an SPKI names them.
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const SECP521R1: &str = "1.3.132.0.35";

/// Whether `der` is an SPKI of an EC key on P-521.
fn is_p521(der: &[u8]) -> bool {
    use x509_cert::der::Decode as _;
    let Ok(spki) = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(der) else {
        return false;
    };
    let curve = spki
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<x509_cert::der::oid::ObjectIdentifier>().ok());
    spki.algorithm.oid.to_string() == EC_PUBLIC_KEY
        && curve.is_some_and(|c| c.to_string() == SECP521R1)
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
        let scheme = match KeyAlgorithm::from_spki(&der) {
            Ok(alg) => Scheme::Sigstore(alg.default_signing_scheme()),
            Err(_) if is_p521(der.as_bytes()) => Scheme::EcdsaP521Sha512,
            Err(e) => return Err(Error::Input(format!("unsupported public key: {e}"))),
        };
        Ok(PublicKey { der, scheme })
    }

    /// Read a PEM public key file.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let pem = crate::bounded_read::read_text(path, crate::bounded_read::SMALL_LIMIT, "key")?;
        Self::from_pem(&pem)
            .map_err(|e| Error::Input(format!("{}: {}", path.display(), e.detail())))
    }

    /// Verify `sig` over `message`. ECDSA signatures are accepted in ASN.1
    /// DER form and, as some DSSE producers write them, in the fixed-width
    /// `r || s` form (IEEE P1363), on P-256, P-384 and P-521.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> Result<()> {
        use aws_lc_rs::signature as s;
        let (der, fixed) = match self.scheme {
            Scheme::Sigstore(scheme) => (
                std::iter::once(scheme)
                    .chain(pss_variant(scheme))
                    .map(|scheme| {
                        sigstore_crypto::verify_signature(
                            &self.der,
                            message,
                            &SignatureBytes::from_bytes(sig),
                            scheme,
                        )
                        .map_err(|e| e.to_string())
                    })
                    .find(|r| r.is_ok())
                    .unwrap_or_else(|| Err("signature mismatch".into())),
                match scheme {
                    SigningScheme::EcdsaP256Sha256 => Some(&s::ECDSA_P256_SHA256_FIXED),
                    SigningScheme::EcdsaP384Sha384 => Some(&s::ECDSA_P384_SHA384_FIXED),
                    _ => None,
                },
            ),
            Scheme::EcdsaP521Sha512 => (
                self.verify_ec(&s::ECDSA_P521_SHA512_ASN1, message, sig)
                    .then_some(())
                    .ok_or_else(|| "ECDSA signature mismatch".to_string()),
                Some(&s::ECDSA_P521_SHA512_FIXED),
            ),
        };
        match (der, fixed) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(alg)) if self.verify_ec(alg, message, sig) => Ok(()),
            (Err(e), _) => Err(Error::Crypto(format!(
                "signature does not verify with the {} key: {e}",
                self.scheme.name()
            ))),
        }
    }

    /// Verify with an aws-lc-rs ECDSA algorithm over the SPKI's EC point.
    fn verify_ec(
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
