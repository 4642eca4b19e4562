//! Typed in-toto Statement v1 for writing.

use serde::Serialize;
use std::collections::BTreeMap;

/// A subject or resource descriptor: a name and its digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    /// Name.
    pub name: String,
    /// Algorithm to hex value.
    pub digest: BTreeMap<String, String>,
}

impl Descriptor {
    /// A descriptor with one sha256.
    pub fn sha256(name: impl Into<String>, hex: impl Into<String>) -> Self {
        Descriptor {
            name: name.into(),
            digest: BTreeMap::from([("sha256".to_string(), hex.into())]),
        }
    }
}

/// An in-toto Statement v1.
#[derive(Debug, Clone, Serialize)]
pub struct Statement<P: Serialize> {
    #[serde(rename = "_type")]
    statement_type: &'static str,
    subject: Vec<Descriptor>,
    #[serde(rename = "predicateType")]
    predicate_type: &'static str,
    predicate: P,
}

impl<P: Serialize> Statement<P> {
    /// A statement about `subject`.
    pub fn new(subject: Vec<Descriptor>, predicate_type: &'static str, predicate: P) -> Self {
        Statement {
            statement_type: slsa_aibom_verify::documents::statement::STATEMENT_V1,
            subject,
            predicate_type,
            predicate,
        }
    }

    /// Compact JSON bytes (what gets signed).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("statement types serialize infallibly")
    }
}
