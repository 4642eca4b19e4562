//! Reading evidence files: Sigstore bundles (JSON or JSONL, one bundle per
//! line) and bare DSSE envelopes (the legacy `.intoto.jsonl` format).
//!
//! The first layer of a verification: the evidence and its cryptography.
//! Files are read as regular files within size limits
//! ([`crate::bounded_read`]); the DSSE payload is the in-toto
//! [`statement`]; bundles are checked with `sigstore-verify` against a [`trust::TrustRoot`]
//! or a public key ([`keys`]), or against a private PKI; bare DSSE envelopes
//! are refused unless keyed.

pub mod anchor;
pub(crate) mod bare_dsse;
pub(crate) mod bundle_check;
mod ca_leaf_path;
#[cfg(feature = "github")]
pub mod github_attestations;
pub mod keys;
pub(crate) mod private_pki;
pub mod statement;
pub mod trust;
#[cfg(feature = "tuf")]
pub mod trust_cache;

use crate::error::{Error, Result};
use base64::Engine as _;
use serde::Deserialize;
use sigstore_types::Bundle;
use std::path::Path;

/// One piece of evidence found in a file.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// A Sigstore bundle (v0.1 to v0.3).
    Bundle(Box<Bundle>),
    /// A bare DSSE envelope with no verification material around it.
    BareDsse(Envelope),
}

/// A bare DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The payload type.
    pub payload_type: String,
    /// The decoded payload.
    pub payload: Vec<u8>,
    /// Its signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature, with the certificate some producers embed beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The key ID hint, if any.
    pub keyid: Option<String>,
    /// The raw signature bytes.
    pub sig: Vec<u8>,
    /// An embedded PEM certificate (slsa-github-generator v1 and v2.0).
    pub cert: Option<String>,
}

impl Evidence {
    /// The in-toto statement it carries (DSSE evidence), unverified; `None`
    /// for a bundle over a bare message signature.
    pub fn statement(&self) -> Option<Result<crate::evidence::statement::Statement>> {
        let (payload_type, payload) = match self {
            Evidence::BareDsse(env) => (env.payload_type.as_str(), env.payload.as_slice()),
            Evidence::Bundle(b) => match &b.content {
                sigstore_types::SignatureContent::DsseEnvelope(env) => {
                    (env.payload_type.as_str(), env.payload.as_bytes())
                }
                _ => return None,
            },
        };
        Some(crate::evidence::statement::from_payload(
            payload_type,
            payload,
        ))
    }
}

impl Envelope {
    /// Parse a DSSE envelope from its JSON serialization.
    pub fn from_json(text: &str) -> Result<Self> {
        let value = crate::json::from_str(text)
            .map_err(|e| Error::Input(format!("DSSE envelope is not JSON: {e}")))?;
        parse_envelope(value)
    }

    /// The DSSE pre-authentication encoding that the signatures cover.
    pub fn pae(&self) -> Vec<u8> {
        sigstore_types::dsse::pae(&self.payload_type, &self.payload)
    }
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    signatures: Vec<RawSignature>,
}

#[derive(Deserialize)]
struct RawSignature {
    #[serde(default)]
    keyid: Option<String>,
    sig: String,
    #[serde(default)]
    cert: Option<String>,
}

fn b64(field: &str, s: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(s))
        .map_err(|e| Error::Input(format!("DSSE {field} is not valid base64: {e}")))
}

fn parse_envelope(value: serde_json::Value) -> Result<Envelope> {
    let raw: RawEnvelope = serde_json::from_value(value)
        .map_err(|e| Error::Input(format!("malformed DSSE envelope: {e}")))?;
    if raw.signatures.is_empty() {
        return Err(Error::Input("DSSE envelope has no signatures".into()));
    }
    let signatures = raw
        .signatures
        .into_iter()
        .map(|s| {
            Ok(EnvelopeSignature {
                keyid: s.keyid.filter(|k| !k.is_empty()),
                sig: b64("signature", &s.sig)?,
                cert: s.cert.filter(|c| !c.is_empty()),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Envelope {
        payload_type: raw.payload_type,
        payload: b64("payload", &raw.payload)?,
        signatures,
    })
}

/// The bundle with `"keyid": null` left out of its DSSE signatures, if it
/// has any. model_signing 0.3.0 to 1.0.1 write them (DSSE makes the key ID
/// optional, and it is an unauthenticated hint), and `sigstore-types`
/// refuses a null where a string may be. `None` when there are none.
fn without_null_keyids(value: &serde_json::Value) -> Option<String> {
    let signatures = value["dsseEnvelope"]["signatures"].as_array()?;
    if !signatures
        .iter()
        .any(|s| s.get("keyid").is_some_and(|k| k.is_null()))
    {
        return None;
    }
    let mut fixed = value.clone();
    for s in fixed["dsseEnvelope"]["signatures"].as_array_mut()? {
        let null = |o: &&mut serde_json::Map<_, _>| o.get("keyid").is_some_and(|k| k.is_null());
        if let Some(o) = s.as_object_mut().filter(null) {
            o.remove("keyid");
        }
    }
    Some(fixed.to_string())
}

fn parse_value(text: &str, value: serde_json::Value) -> Result<Evidence> {
    let Some(obj) = value.as_object() else {
        return Err(Error::Input("evidence is not a JSON object".into()));
    };
    if obj.contains_key("mediaType") {
        let contents = ["dsseEnvelope", "messageSignature"]
            .iter()
            .filter(|k| obj.contains_key(**k))
            .count();
        if contents != 1 {
            return Err(Error::Input(format!(
                "a Sigstore bundle holds exactly one content (dsseEnvelope or messageSignature); this one holds {contents}"
            )));
        }
        let text = without_null_keyids(&value).unwrap_or_else(|| text.to_string());
        let bundle = Bundle::from_json(&text)
            .map_err(|e| Error::Input(format!("not a valid Sigstore bundle: {e}")))?;
        return Ok(Evidence::Bundle(Box::new(bundle)));
    }
    if obj.contains_key("payloadType") && obj.contains_key("signatures") {
        return parse_envelope(value).map(Evidence::BareDsse);
    }
    Err(Error::Input(
        "neither a Sigstore bundle (no mediaType) nor a DSSE envelope (no payloadType/signatures)"
            .into(),
    ))
}

/// Parse evidence text: one JSON document, or JSON Lines with one document a
/// line. Each element is that document's evidence or the reason it is not.
/// Fails only when nothing in the text is JSON at all.
pub fn parse(text: &str) -> Result<Vec<Result<Evidence>>> {
    match crate::json::from_str::<serde_json::Value>(text) {
        Ok(value) => return Ok(vec![parse_value(text, value)]),
        // Well-formed JSON that the strict parser refuses (a repeated key)
        // is that, not JSON Lines.
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            return Err(Error::Input(format!(
                "evidence is not acceptable JSON: {e}"
            )))
        }
        Err(_) => {}
    }
    let mut out = Vec::new();
    let mut first_error = None;
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match crate::json::from_str::<serde_json::Value>(line) {
            Ok(value) => out.push(parse_value(line, value)),
            Err(e) if e.classify() == serde_json::error::Category::Data => out.push(Err(
                Error::Input(format!("line {}: not acceptable JSON: {e}", n + 1)),
            )),
            Err(e) => {
                first_error.get_or_insert_with(|| format!("line {}: {e}", n + 1));
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Input(format!(
            "not JSON or JSON Lines ({})",
            first_error.unwrap_or_else(|| "empty file".into())
        )));
    }
    Ok(out)
}

/// Read and parse an evidence file; see [`parse`].
pub fn load(path: &Path) -> Result<Vec<Result<Evidence>>> {
    let text = crate::bounded_read::read_evidence_text(
        path,
        crate::bounded_read::EVIDENCE_LIMIT,
        "evidence",
    )?;
    parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_dsse_and_jsonl() {
        let env = r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AAAA","keyid":""}]}"#;
        let parsed = parse(&format!("{env}\n\n{env}\n")).unwrap();
        assert_eq!(parsed.len(), 2);
        match parsed[0].as_ref().unwrap() {
            Evidence::BareDsse(e) => {
                assert_eq!(e.payload, b"{}");
                assert_eq!(e.signatures[0].keyid, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_is_an_input_error() {
        assert!(matches!(parse("{\"mediaType\": 1"), Err(Error::Input(_))));
        assert!(matches!(parse(""), Err(Error::Input(_))));
        let r = parse("[1,2]").unwrap();
        assert!(matches!(r[0], Err(Error::Input(_))));
        let r = parse(r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#).unwrap();
        assert!(matches!(r[0], Err(Error::Input(_))));
    }

    #[test]
    fn only_null_key_ids_are_left_out_and_nothing_else_changes() {
        let with = |sigs: &str| -> serde_json::Value {
            serde_json::from_str(&format!(r#"{{"dsseEnvelope":{{"signatures":{sigs}}}}}"#)).unwrap()
        };
        assert_eq!(
            without_null_keyids(&with(r#"[{"sig":"AA","keyid":""}]"#)),
            None
        );
        assert_eq!(without_null_keyids(&with(r#"[{"sig":"AA"}]"#)), None);
        assert_eq!(
            without_null_keyids(&serde_json::json!({"messageSignature": {}})),
            None
        );
        let fixed = without_null_keyids(&with(r#"[{"sig":"AA","keyid":null},{"sig":"BB"}]"#));
        assert_eq!(
            fixed.as_deref(),
            Some(r#"{"dsseEnvelope":{"signatures":[{"sig":"AA"},{"sig":"BB"}]}}"#)
        );
    }
}
