//! in-toto Statements (v0.1 and v1) and subject matching.

use crate::documents::digest::Digest;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The DSSE payload type of an in-toto statement.
pub use slsa_aibom_types::intoto::IN_TOTO_PAYLOAD_TYPE;
/// in-toto Statement v1.
pub use slsa_aibom_types::intoto::STATEMENT_V1;
/// in-toto Statement v0.1 (still written by older SLSA generators).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

/// One subject of a statement: a name and its digest set.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Subject {
    /// Artifact name (may be empty).
    #[serde(default)]
    pub name: String,
    /// Algorithm name to value.
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// Whether any of `digests` equals one of this subject's digests.
    pub fn matches(&self, digests: &[Digest]) -> bool {
        digests.iter().any(|d| {
            self.digest.get(&d.algorithm).is_some_and(|v| {
                if d.raw().is_some() {
                    v.eq_ignore_ascii_case(&d.value)
                } else {
                    *v == d.value
                }
            })
        })
    }
}

/// A parsed in-toto Statement.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Statement {
    /// `_type`: Statement v1 or v0.1.
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The subjects the statement is about.
    pub subject: Vec<Subject>,
    /// The predicate type URI.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The predicate, kept as JSON for predicate-specific parsers.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

impl Statement {
    /// Parse a statement from a DSSE payload, checking the payload type,
    /// `_type` and that there is at least one well-formed subject.
    pub fn from_payload(payload_type: &str, payload: &[u8]) -> Result<Self> {
        if payload_type != IN_TOTO_PAYLOAD_TYPE {
            return Err(Error::Input(format!(
                "DSSE payload type is {payload_type:?}, expected {IN_TOTO_PAYLOAD_TYPE:?}"
            )));
        }
        let st: Statement = serde_json::from_slice(payload)
            .map_err(|e| Error::Input(format!("DSSE payload is not an in-toto statement: {e}")))?;
        if st.statement_type != STATEMENT_V1 && st.statement_type != STATEMENT_V01 {
            return Err(Error::Input(format!(
                "unknown in-toto statement type {:?}",
                st.statement_type
            )));
        }
        if st.subject.is_empty() {
            return Err(Error::Input("in-toto statement has no subject".into()));
        }
        if let Some(s) = st.subject.iter().find(|s| s.digest.is_empty()) {
            return Err(Error::Input(format!(
                "subject {:?} has an empty digest set",
                s.name
            )));
        }
        Ok(st)
    }

    /// The first subject matching any of `digests`.
    pub fn subject_matching(&self, digests: &[Digest]) -> Option<&Subject> {
        self.subject.iter().find(|s| s.matches(digests))
    }

    /// Whether the predicate is SLSA provenance (any version).
    pub fn is_slsa_provenance(&self) -> bool {
        self.predicate_type
            .starts_with("https://slsa.dev/provenance/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(subject: &str) -> Vec<u8> {
        format!(r#"{{"_type":"{STATEMENT_V1}","subject":{subject},"predicateType":"p","predicate":{{}}}}"#).into_bytes()
    }

    #[test]
    fn matches_any_subject_and_algorithm() {
        let h = "ab".repeat(32);
        let st = Statement::from_payload(
            IN_TOTO_PAYLOAD_TYPE,
            &payload(&format!(r#"[{{"name":"a","digest":{{"sha512":"00"}}}},{{"name":"b","digest":{{"sha256":"{h}"}}}}]"#)),
        )
        .unwrap();
        let d = Digest::parse(&format!("sha256:{}", h.to_uppercase())).unwrap();
        assert_eq!(st.subject_matching(&[d]).unwrap().name, "b");
        let other = Digest::parse(&format!("sha256:{}", "cd".repeat(32))).unwrap();
        assert!(st.subject_matching(&[other]).is_none());
    }

    #[test]
    fn rejects_malformed_statements() {
        assert!(Statement::from_payload("text/plain", &payload("[]")).is_err());
        assert!(Statement::from_payload(IN_TOTO_PAYLOAD_TYPE, &payload("[]")).is_err());
        assert!(Statement::from_payload(
            IN_TOTO_PAYLOAD_TYPE,
            br#"{"_type":"x","subject":[{"digest":{"a":"b"}}],"predicateType":"p"}"#
        )
        .is_err());
        assert!(Statement::from_payload(IN_TOTO_PAYLOAD_TYPE, b"\xff").is_err());
    }
}
