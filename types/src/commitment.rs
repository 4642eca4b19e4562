//! The dataset commitment's formats: a split's records, and the proofs
//! that a record was, or was not, in a split.
//!
//! A split is committed as an RFC 6962 Merkle tree over its records sorted
//! by key. The leaf input of a record is [`Record::leaf_input`]:
//! `len(key) as u32 big-endian || key || record`. Hashing the tree and
//! checking proofs is cryptography, so it lives with the verifier
//! (`slsa_aibom_verify::commitment`, over `sigstore-merkle`).

use serde::{Deserialize, Serialize};

/// How a commitment's leaves and nodes are hashed, as the commitment file
/// states it.
pub const HASHING: &str =
    "RFC 6962 SHA-256; leaf = len(key) u32 BE || key || record; leaves sorted by key";

/// One record of a split: its unique key and its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The record's unique key (for example its row number or ID column).
    pub key: String,
    /// The canonical serialization of the record, hex-encoded in JSON.
    #[serde(with = "hex::serde")]
    pub data: Vec<u8>,
}

impl Record {
    /// The bytes hashed as the record's RFC 6962 leaf.
    pub fn leaf_input(&self) -> Vec<u8> {
        let mut input = Vec::with_capacity(4 + self.key.len() + self.data.len());
        input.extend_from_slice(&(self.key.len() as u32).to_be_bytes());
        input.extend_from_slice(self.key.as_bytes());
        input.extend_from_slice(&self.data);
        input
    }
}

/// Proof that a record is leaf `index` of a tree of `tree_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The record.
    pub record: Record,
    /// Its leaf index.
    pub index: u64,
    /// Number of leaves.
    pub tree_size: u64,
    /// Audit path, leaf to root, hex.
    pub path: Vec<String>,
}

/// Proof about a key: present (one inclusion proof) or absent (the adjacent
/// records that bracket it, each with an inclusion proof).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum KeyProof {
    /// The key is in the split.
    Present {
        /// The record's inclusion proof.
        proof: InclusionProof,
    },
    /// The key is not in the split.
    Absent {
        /// The key asked about.
        key: String,
        /// The last record before the key, if any.
        before: Option<InclusionProof>,
        /// The first record after the key, if any.
        after: Option<InclusionProof>,
    },
}

impl KeyProof {
    /// The record key the proof is about.
    pub fn key(&self) -> &str {
        match self {
            KeyProof::Present { proof } => &proof.record.key,
            KeyProof::Absent { key, .. } => key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leaf_input_prefixes_the_key_with_its_length() {
        let r = Record {
            key: "ab".into(),
            data: b"x".to_vec(),
        };
        assert_eq!(r.leaf_input(), b"\x00\x00\x00\x02abx");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"key":"ab","data":"78"}"#);
        let proof = KeyProof::Absent {
            key: "k".into(),
            before: None,
            after: None,
        };
        let text = serde_json::to_string(&proof).unwrap();
        assert_eq!(
            text,
            r#"{"kind":"absent","key":"k","before":null,"after":null}"#
        );
        assert_eq!(serde_json::from_str::<KeyProof>(&text).unwrap().key(), "k");
    }
}
