//! Ed25519 keys for in-toto metadata, in the forms the Python reference
//! reads: the public key as SubjectPublicKeyInfo PEM, and a key ID computed
//! the way `securesystemslib` computes it (no `keyid_hash_algorithms`).

use crate::error::{Error, Result};
use in_toto::crypto::{PrivateKey, PublicKey, SignatureScheme};
use in_toto::models::{Metablock, MetablockBuilder, Metadata};

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the algorithm
/// identifier without parameters, then a 32-byte bit string.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A functionary: the Ed25519 key that signs a builder's links and layout.
pub struct Functionary {
    key: PrivateKey,
}

impl Functionary {
    /// A fresh key that lives only in memory (one per build: the signed
    /// ML-BOM vouches for the layout, and so for this key, by digest).
    pub fn generate() -> Result<Self> {
        let mut seed = [0u8; 32];
        aws_lc_rs::rand::fill(&mut seed).map_err(|_| Error::Sign("no randomness".into()))?;
        let pair = aws_lc_rs::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
            .map_err(|e| Error::Sign(format!("Ed25519 key: {e}")))?;
        let public = aws_lc_rs::signature::KeyPair::public_key(&pair);
        let mut both = seed.to_vec();
        both.extend_from_slice(public.as_ref());
        // `from_ed25519` computes the key ID without `keyid_hash_algorithms`,
        // as `securesystemslib` does for a PEM key.
        let key = PrivateKey::from_ed25519(&both).map_err(|e| Error::Sign(e.to_string()))?;
        Ok(Functionary { key })
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        self.key.public()
    }

    /// The public key as SubjectPublicKeyInfo PEM (what
    /// `in-toto-verify --verification-keys` reads).
    pub fn public_pem(&self) -> String {
        let mut der = ED25519_SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.key.public().as_bytes());
        pem::encode_config(
            &pem::Pem::new("PUBLIC KEY", der),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    }

    /// The first 8 hex digits of the key ID, as in link file names.
    pub fn key_id_prefix(&self) -> String {
        self.key.public().key_id().prefix()
    }

    /// Sign `metadata` (a link or a layout) into a pretty-printed metablock.
    pub fn sign(&self, metadata: Box<dyn Metadata>) -> Result<String> {
        let block: Metablock = MetablockBuilder::from_metadata(metadata)
            .sign(&[&self.key])
            .map_err(|e| Error::Sign(format!("in-toto signature: {e}")))?
            .build();
        let mut json =
            serde_json::to_string_pretty(&block).map_err(|e| Error::Sign(e.to_string()))?;
        json.push('\n');
        Ok(json)
    }
}

/// Read a public key PEM file for in-toto verification. Ed25519 keys get the
/// key ID the Python reference gives them; RSA (PSS, SHA-256) and ECDSA P-256
/// keys the `in-toto` crate's own.
pub fn public_key_from_pem(path: &std::path::Path) -> Result<PublicKey> {
    let text = crate::bounded_read::read_text(path, crate::bounded_read::SMALL_LIMIT, "key")?;
    let block =
        pem::parse(&text).map_err(|e| Error::Input(format!("{}: not PEM: {e}", path.display())))?;
    if block.tag() != "PUBLIC KEY" {
        return Err(Error::Input(format!(
            "{}: a {:?} PEM block; a \"PUBLIC KEY\" is needed",
            path.display(),
            block.tag()
        )));
    }
    let der = block.contents();
    let parsed = match der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
        Some(raw) if raw.len() == 32 => PublicKey::from_ed25519(raw.to_vec()),
        _ => PublicKey::from_spki(der, SignatureScheme::RsaSsaPssSha256).and_then(|k| {
            match k.typ() {
                in_toto::crypto::KeyType::Ecdsa => {
                    PublicKey::from_spki(der, SignatureScheme::EcdsaP256Sha256)
                }
                _ => Ok(k),
            }
        }),
    };
    parsed.map_err(|e| Error::Input(format!("{}: unusable public key: {e}", path.display())))
}

/// [`public_key_from_pem`] for each of `paths`.
pub(crate) fn public_keys(paths: &[std::path::PathBuf]) -> Result<Vec<PublicKey>> {
    paths.iter().map(|p| public_key_from_pem(p)).collect()
}
