//! Dataset commitments: an RFC 6962 Merkle tree over a split's records, sorted
//! by key, so that anyone holding the root can later check a proof that a
//! record was — or was not — in that split.
//!
//! Leaf input for a record is `len(key) as u32 big-endian || key || record`,
//! hashed as an RFC 6962 leaf (`sha256(0x00 || input)`); interior nodes are
//! `sha256(0x01 || left || right)` with the RFC 6962 split. Keys are unique and
//! leaves are ordered by key bytes, which is what makes absence provable: two
//! adjacent leaves whose keys bracket the missing key.

pub mod merkle;

use crate::error::{Error, Result};
use sigstore_merkle::{hash_leaf, verify_inclusion_proof};
use sigstore_types::Sha256Hash;

/// A split's records and the proofs, as the formats crate defines them.
pub use slsa_aibom_types::commitment::{InclusionProof, KeyProof, Record};

/// The RFC 6962 leaf hash of `record`.
fn leaf_hash(record: &Record) -> Sha256Hash {
    hash_leaf(&record.leaf_input())
}

/// The committed tree of one split.
#[derive(Debug, Clone)]
pub struct Commitment {
    records: Vec<Record>,
    leaves: Vec<Sha256Hash>,
}

impl Commitment {
    /// Build the tree. Records are sorted by key; a repeated key is an error.
    pub fn new(mut records: Vec<Record>) -> Result<Self> {
        records.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
        if let Some(w) = records.windows(2).find(|w| w[0].key == w[1].key) {
            return Err(Error::Input(format!(
                "record key {:?} appears more than once",
                w[0].key
            )));
        }
        let leaves = records.iter().map(leaf_hash).collect();
        Ok(Commitment { records, leaves })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the split is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The root, hex.
    pub fn root(&self) -> String {
        merkle::root(&self.leaves).to_hex()
    }

    fn inclusion(&self, i: usize) -> InclusionProof {
        InclusionProof {
            record: self.records[i].clone(),
            index: i as u64,
            tree_size: self.leaves.len() as u64,
            path: merkle::audit_path(i, &self.leaves)
                .iter()
                .map(|h| h.to_hex())
                .collect(),
        }
    }

    /// A proof that `key` is, or is not, in the split.
    pub fn prove(&self, key: &str) -> KeyProof {
        match self
            .records
            .binary_search_by(|r| r.key.as_bytes().cmp(key.as_bytes()))
        {
            Ok(i) => KeyProof::Present {
                proof: self.inclusion(i),
            },
            Err(i) => KeyProof::Absent {
                key: key.to_string(),
                before: i.checked_sub(1).map(|j| self.inclusion(j)),
                after: (i < self.records.len()).then(|| self.inclusion(i)),
            },
        }
    }
}

fn check_inclusion(p: &InclusionProof, root: &Sha256Hash) -> Result<()> {
    let path = p
        .path
        .iter()
        .map(|h| {
            Sha256Hash::from_hex(h).map_err(|e| Error::Input(format!("bad proof hash {h:?}: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    verify_inclusion_proof(&leaf_hash(&p.record), p.index, p.tree_size, &path, root).map_err(|e| {
        Error::Crypto(format!(
            "record {:?} is not leaf {} under the root: {e}",
            p.record.key, p.index
        ))
    })
}

/// Checking a [`KeyProof`] against a committed root.
pub trait VerifyKeyProof {
    /// Verify that the proof is about `key` and holds under a committed root
    /// (hex). Returns whether the key is present; a proof about another key,
    /// or any inconsistency, is an error.
    fn verify_key(&self, key: &str, root_hex: &str) -> Result<bool>;

    /// Verify the proof against a committed root (hex), whatever key it is
    /// about ([`VerifyKeyProof::verify_key`] binds it to one). Returns whether
    /// the proof's key is present; any inconsistency is an error.
    fn verify(&self, root_hex: &str) -> Result<bool>;
}

impl VerifyKeyProof for KeyProof {
    fn verify_key(&self, key: &str, root_hex: &str) -> Result<bool> {
        if self.key() != key {
            return Err(Error::Input(format!(
                "the proof is about record key {:?}, not {key:?}",
                self.key()
            )));
        }
        self.verify(root_hex)
    }

    fn verify(&self, root_hex: &str) -> Result<bool> {
        let root = Sha256Hash::from_hex(root_hex)
            .map_err(|e| Error::Input(format!("bad root {root_hex:?}: {e}")))?;
        match self {
            KeyProof::Present { proof } => check_inclusion(proof, &root).map(|_| true),
            KeyProof::Absent { key, before, after } => {
                for p in before.iter().chain(after) {
                    check_inclusion(p, &root)?;
                }
                let size = before.as_ref().or(after.as_ref()).map(|p| p.tree_size);
                let bad = |why: &str| {
                    Err(Error::Crypto(format!(
                        "absence proof for {key:?} is invalid: {why}"
                    )))
                };
                match (before, after) {
                    (None, None) => {
                        bad("no bracketing records (only an empty split proves nothing this way)")
                    }
                    (Some(b), _) if b.record.key.as_bytes() >= key.as_bytes() => {
                        bad("the record before is not smaller")
                    }
                    (_, Some(a)) if a.record.key.as_bytes() <= key.as_bytes() => {
                        bad("the record after is not larger")
                    }
                    (Some(b), Some(a)) if a.index != b.index + 1 || a.tree_size != b.tree_size => {
                        bad("records are not adjacent")
                    }
                    (None, Some(a)) if a.index != 0 => {
                        bad("the record after is not the first leaf")
                    }
                    (Some(b), None) if Some(b.index + 1) != size => {
                        bad("the record before is not the last leaf")
                    }
                    _ => Ok(false),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| Record {
                key: format!("k{:04}", i * 2),
                data: format!("row {i}").into_bytes(),
            })
            .collect()
    }

    #[test]
    fn proofs_verify_with_sigstore_merkle_for_every_size_and_index() {
        for n in 1..=33 {
            let c = Commitment::new(records(n)).unwrap();
            let root = c.root();
            for i in 0..n {
                let key = format!("k{:04}", i * 2);
                assert!(c.prove(&key).verify(&root).unwrap(), "n={n} i={i}");
                // Absent keys between, before and after every record.
                let odd = format!("k{:04}", i * 2 + 1);
                assert!(!c.prove(&odd).verify(&root).unwrap(), "n={n} absent {odd}");
            }
            assert!(!c.prove("a").verify(&root).unwrap());
            assert!(!c.prove("z").verify(&root).unwrap());
        }
    }

    #[test]
    fn known_roots() {
        // RFC 6962: the empty tree hashes to sha256("").
        assert_eq!(
            Commitment::new(vec![]).unwrap().root(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // One leaf: sha256(0x00 || 00000001 || "a" || "x").
        let one = Commitment::new(vec![Record {
            key: "a".into(),
            data: b"x".to_vec(),
        }])
        .unwrap();
        assert_eq!(
            one.root(),
            hex::encode(sigstore_crypto::sha256(b"\x00\x00\x00\x00\x01ax").as_bytes())
        );
    }

    #[test]
    fn forged_proofs_fail() {
        let c = Commitment::new(records(10)).unwrap();
        let root = c.root();
        // A present record with other data.
        let KeyProof::Present { mut proof } = c.prove("k0004") else {
            panic!()
        };
        proof.record.data = b"poisoned".to_vec();
        assert!(KeyProof::Present { proof }.verify(&root).is_err());
        // Absence claimed for a present key by skipping it.
        let fake = KeyProof::Absent {
            key: "k0004".into(),
            before: Some(c.inclusion(1)),
            after: Some(c.inclusion(3)),
        };
        assert!(fake.verify(&root).is_err());
        // Against another root.
        let other = Commitment::new(records(11)).unwrap().root();
        assert!(c.prove("k0002").verify(&other).is_err());
        // Duplicate keys are refused.
        let mut dup = records(3);
        dup.push(dup[0].clone());
        assert!(Commitment::new(dup).is_err());
    }
}
