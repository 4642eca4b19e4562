//! A fake Rekor v1 log for `dsse` 0.0.1 entries. It checks the envelope's
//! signature against the submitted certificate, stores the canonical entry
//! body as Rekor does, and answers with a signed entry timestamp and an
//! RFC 6962 inclusion proof under a signed checkpoint.

use crate::x509::Error;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sigstore_crypto::{KeyPair, SigningScheme};
use sigstore_merkle::hash_leaf;
use sigstore_types::{DerCertificate, Sha256Hash, SignatureBytes};
use slsa_aibom_verify::commitment::merkle::{audit_path, root};

const ORIGIN: &str = "fake-rekor - 1";
/// The signer name in checkpoint signature lines (no spaces). Verifiers
/// such as sigstore-js look the log up by it as a substring of the log's
/// base URL (real Rekor signs as `rekor.sigstore.dev`), and the fake's base
/// URL ends in `/rekor`.
const SIGNER: &str = "rekor";

/// The log: a key and the bodies it holds, in order.
pub struct Rekor {
    /// The log's signing key.
    pub key: KeyPair,
    leaves: Vec<Sha256Hash>,
}

fn error(e: impl std::fmt::Display) -> Error {
    e.to_string()
}

impl Rekor {
    /// An empty log with a fresh key.
    pub fn new() -> Result<Self, Error> {
        Ok(Rekor {
            key: KeyPair::generate_ecdsa_p256().map_err(error)?,
            leaves: Vec::new(),
        })
    }

    /// The log ID: SHA-256 of the key, DER.
    pub fn log_id(&self) -> Result<[u8; 32], Error> {
        Ok(Sha256::digest(self.key.public_key_der().map_err(error)?.as_bytes()).into())
    }

    /// Answer `POST /api/v1/log/entries` for a proposed `dsse` entry.
    pub fn add_dsse(&mut self, request: &[u8], now: i64) -> Result<Value, Error> {
        let request: Value = serde_json::from_slice(request).map_err(error)?;
        if request["kind"] != "dsse" || request["apiVersion"] != "0.0.1" {
            return Err(format!(
                "only dsse 0.0.1 entries are accepted, not {} {}",
                request["kind"], request["apiVersion"]
            ));
        }
        let proposed = &request["spec"]["proposedContent"];
        let envelope_text = proposed["envelope"].as_str().ok_or("envelope missing")?;
        let envelope: Value = serde_json::from_str(envelope_text).map_err(error)?;
        let verifier = proposed["verifiers"][0]
            .as_str()
            .ok_or("verifier missing")?;
        let cert_pem = String::from_utf8(B64.decode(verifier).map_err(error)?).map_err(error)?;
        let cert = DerCertificate::from_pem(&cert_pem).map_err(error)?;
        let key = crate::x509::certificate_key(&cert)?;
        // Rekor stores the verifier re-encoded in canonical PEM (64-column
        // lines, final newline), whatever the client sent.
        let verifier = B64.encode(crate::x509::certificate_pem(cert.as_bytes()));
        let payload = B64
            .decode(envelope["payload"].as_str().ok_or("payload missing")?)
            .map_err(error)?;
        let payload_type = envelope["payloadType"]
            .as_str()
            .ok_or("payloadType missing")?;
        let sig_b64 = envelope["signatures"][0]["sig"]
            .as_str()
            .ok_or("signature missing")?;
        let sig = SignatureBytes::from_base64(sig_b64).map_err(error)?;
        sigstore_crypto::verify_signature(
            &key,
            &sigstore_types::pae(payload_type, &payload),
            &sig,
            SigningScheme::EcdsaP256Sha256,
        )
        .map_err(|_| "the envelope signature does not verify with the certificate".to_string())?;

        let body = json!({
            "apiVersion": "0.0.1", "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256",
                    "value": hex::encode(Sha256::digest(envelope.to_string()))},
                "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&payload))},
                "signatures": [{"signature": sig_b64, "verifier": verifier}],
            }
        });
        let body_bytes = body.to_string().into_bytes();
        let leaf = hash_leaf(&body_bytes);
        let body = B64.encode(&body_bytes);
        self.leaves.push(leaf);
        let index = self.leaves.len() - 1;
        let size = self.leaves.len();
        let root = root(&self.leaves);
        let log_id = hex::encode(self.log_id()?);
        let set_input =
            json!({"body": body, "integratedTime": now, "logID": log_id, "logIndex": index});
        let set = self
            .key
            .sign(set_input.to_string().as_bytes())
            .map_err(error)?;
        let hashes: Vec<String> = audit_path(index, &self.leaves)
            .iter()
            .map(|h| h.to_hex())
            .collect();
        Ok(json!({ leaf.to_hex(): {
            "body": body, "integratedTime": now, "logID": log_id, "logIndex": index,
            "verification": {
                "signedEntryTimestamp": B64.encode(set.as_bytes()),
                "inclusionProof": {
                    "checkpoint": self.checkpoint(size, &root)?,
                    "hashes": hashes, "logIndex": index,
                    "rootHash": root.to_hex(), "treeSize": size,
                }
            }
        }}))
    }

    /// A signed note for the tree head.
    fn checkpoint(&self, size: usize, root: &Sha256Hash) -> Result<String, Error> {
        let note = format!("{ORIGIN}\n{size}\n{}\n", B64.encode(root.as_bytes()));
        let sig = self.key.sign(note.as_bytes()).map_err(error)?;
        let hint = &self.log_id()?[..4];
        let mut signature = hint.to_vec();
        signature.extend(sig.as_bytes());
        Ok(format!(
            "{note}\n\u{2014} {SIGNER} {}\n",
            B64.encode(signature)
        ))
    }
}
