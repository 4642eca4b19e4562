//! The in-toto Statement: subjects (a name and its digests) and a predicate.
//! The builder writes `Statement<TypedPredicate>`; the verifier reads
//! `Statement` (the predicate as JSON) and then the predicate it expects.

use crate::intoto::{STATEMENT_V01, STATEMENT_V1};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A subject of a statement: a name and its digest set (algorithm → hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Artifact name (may be empty).
    #[serde(default)]
    pub name: String,
    /// Algorithm name to value.
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject with one sha256.
    pub fn sha256(name: impl Into<String>, hex: impl Into<String>) -> Self {
        Subject {
            name: name.into(),
            digest: BTreeMap::from([("sha256".to_string(), hex.into())]),
        }
    }
}

/// An in-toto Statement (v1 when written; v1 or v0.1 when read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement<P = serde_json::Value> {
    /// `_type`: Statement v1 or v0.1.
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The subjects the statement is about.
    pub subject: Vec<Subject>,
    /// The predicate type URI.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The predicate.
    #[serde(default)]
    pub predicate: P,
}

impl<P: Serialize> Statement<P> {
    /// A Statement v1 about `subject`.
    pub fn new(subject: Vec<Subject>, predicate_type: &str, predicate: P) -> Self {
        Statement {
            statement_type: STATEMENT_V1.to_string(),
            subject,
            predicate_type: predicate_type.to_string(),
            predicate,
        }
    }

    /// Compact JSON bytes (what gets signed).
    pub fn to_bytes(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }
}

impl<P> Statement<P> {
    /// Whether `_type` is a Statement version this project reads.
    pub fn has_known_type(&self) -> bool {
        self.statement_type == STATEMENT_V1 || self.statement_type == STATEMENT_V01
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

    #[test]
    fn a_written_statement_reads_back_equal() {
        let st = Statement::new(
            vec![Subject::sha256("model.safetensors", "ab".repeat(32))],
            "https://example.com/p",
            serde_json::json!({"k": [1, 2]}),
        );
        let bytes = st.to_bytes().unwrap();
        let back: Statement = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, st);
        assert!(back.has_known_type());
        assert!(!back.is_slsa_provenance());
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(r#"{"_type":"https://in-toto.io/Statement/v1","subject":"#));
    }
}
