//! Keyed signing: ECDSA P-256 over the DSSE pre-authentication encoding,
//! packed as a Sigstore bundle v0.3 with a `publicKey` hint.

use crate::{Result, SignError};
use sha2::{Digest as _, Sha256};
use sigstore_crypto::KeyPair;
use sigstore_types::{
    Bundle, DsseEnvelope, DsseSignature, KeyId, MediaType, PayloadBytes, PublicKeyIdentifier,
    SignatureContent, VerificationMaterial, VerificationMaterialContent,
};
use slsa_aibom_types::intoto::IN_TOTO_PAYLOAD_TYPE;

/// A local signing key.
pub struct KeySigner {
    key: KeyPair,
    public_pem: String,
    hint: String,
}

impl KeySigner {
    fn wrap(key: KeyPair) -> Result<Self> {
        let der = key.public_key_der().map_err(|e| SignError(e.to_string()))?;
        // LF line endings and 64-column lines, as OpenSSL and Python's
        // cryptography write it: the hint is the sha256 of exactly this PEM,
        // which is what `model_signing verify key` compares.
        let public_pem = pem::encode_config(
            &pem::Pem::new("PUBLIC KEY", der.as_bytes().to_vec()),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        );
        let hint = hex::encode(Sha256::digest(public_pem.as_bytes()));
        Ok(KeySigner {
            public_pem,
            key,
            hint,
        })
    }

    /// A fresh ECDSA P-256 key that lives only in memory (the default: the
    /// private key is never written, only `key.pub`).
    pub fn ephemeral() -> Result<Self> {
        Self::wrap(KeyPair::generate_ecdsa_p256().map_err(|e| SignError(e.to_string()))?)
    }

    /// An unencrypted PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`);
    /// `origin` names where it came from in errors. The caller reads the
    /// file (this crate does no I/O).
    pub fn from_pem(text: &str, origin: &str) -> Result<Self> {
        let block = pem::parse(text).map_err(|e| SignError(format!("{origin}: not PEM: {e}")))?;
        if block.tag() != "PRIVATE KEY" {
            return Err(SignError(format!(
                "{origin}: a {:?} PEM block; an unencrypted PKCS#8 \"PRIVATE KEY\" is needed (openssl pkcs8 -topk8 -nocrypt)",
                block.tag()
            )));
        }
        let key = KeyPair::from_pkcs8_der(block.contents())
            .map_err(|e| SignError(format!("{origin}: unusable private key: {e}")))?;
        Self::wrap(key)
    }

    /// The public key, PEM.
    pub fn public_key_pem(&self) -> &str {
        &self.public_pem
    }

    /// Sign an in-toto statement into a pretty-printed bundle v0.3.
    pub fn sign_statement(&self, statement: &[u8]) -> Result<String> {
        let pae = sigstore_types::pae(IN_TOTO_PAYLOAD_TYPE, statement);
        let sig = self.key.sign(&pae).map_err(|e| SignError(e.to_string()))?;
        let envelope = DsseEnvelope::new(
            IN_TOTO_PAYLOAD_TYPE,
            PayloadBytes::from_bytes(statement),
            DsseSignature::new(sig, KeyId::new("")),
        );
        let material = VerificationMaterial::new(VerificationMaterialContent::PublicKey(
            PublicKeyIdentifier::new(self.hint.clone()),
        ));
        let bundle = Bundle::new(
            MediaType::Bundle0_3,
            material,
            SignatureContent::DsseEnvelope(envelope),
        );
        let mut json = bundle
            .to_json_pretty()
            .map_err(|e| SignError(e.to_string()))?;
        json.push('\n');
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_is_not_an_unencrypted_pkcs8_pem_is_refused_by_name() {
        let err = |text: &str| KeySigner::from_pem(text, "keys/a.pem").err().unwrap().0;
        assert!(err("not pem").starts_with("keys/a.pem: not PEM"));
        let public = KeySigner::ephemeral().unwrap().public_key_pem().to_string();
        assert!(err(&public).contains("a \"PUBLIC KEY\" PEM block"));
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(err(garbage).starts_with("keys/a.pem: unusable private key"));
    }

    #[test]
    fn a_bundle_names_its_key_by_the_sha256_of_the_public_pem() {
        let signer = KeySigner::ephemeral().unwrap();
        let bundle = signer.sign_statement(b"{}").unwrap();
        let hint = hex::encode(Sha256::digest(signer.public_key_pem().as_bytes()));
        assert!(bundle.contains(&hint), "{bundle}");
        assert!(bundle.contains(IN_TOTO_PAYLOAD_TYPE));
        assert!(bundle.ends_with('\n'));
    }
}
