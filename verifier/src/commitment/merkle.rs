//! RFC 6962 Merkle trees (section 2.1): the tree hash of a list of leaf
//! hashes and the audit path of one leaf. Verification of such paths is
//! `sigstore_merkle::verify_inclusion_proof`.

use sigstore_merkle::hash_children;
use sigstore_types::Sha256Hash;

/// The Merkle tree hash of `leaves` (already leaf-hashed).
pub fn root(leaves: &[Sha256Hash]) -> Sha256Hash {
    match leaves.len() {
        0 => sigstore_crypto::sha256(b""),
        1 => leaves[0],
        n => {
            let k = split(n);
            hash_children(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The audit path of leaf `m` in the tree of `leaves`.
pub fn audit_path(m: usize, leaves: &[Sha256Hash]) -> Vec<Sha256Hash> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = audit_path(m, &leaves[..k]);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = audit_path(m - k, &leaves[k..]);
        p.push(root(&leaves[..k]));
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigstore_merkle::{hash_leaf, verify_inclusion_proof};

    #[test]
    fn every_audit_path_verifies_against_the_root() {
        let leaves: Vec<Sha256Hash> = (0u8..9).map(|i| hash_leaf(&[i])).collect();
        for n in 1..=leaves.len() {
            let r = root(&leaves[..n]);
            for m in 0..n {
                verify_inclusion_proof(
                    &leaves[m],
                    m as u64,
                    n as u64,
                    &audit_path(m, &leaves[..n]),
                    &r,
                )
                .unwrap_or_else(|e| panic!("leaf {m} of {n}: {e}"));
            }
        }
    }
}
