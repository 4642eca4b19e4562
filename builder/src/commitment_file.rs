//! `dataset-commitment.json`: one RFC 6962 root per split, and the proofs
//! that a record was, or was not, in a split.

use crate::attest::record::SplitCommitment;
use crate::error::{BuildError, Result};
use serde::{Deserialize, Serialize};
use slsa_aibom_trainer::split::{Split, SplitName};
use slsa_aibom_verify::commitment::{Commitment, KeyProof, Record};
use std::collections::BTreeMap;

/// The commitment document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentFile {
    /// Format version (1).
    pub version: u32,
    /// How leaves and nodes are hashed.
    pub hashing: String,
    /// The dataset's name.
    pub dataset: String,
    /// Split name to record count and root.
    pub splits: BTreeMap<SplitName, SplitCommitment>,
}

/// The committed trees of every non-empty split, built from `records` (one
/// per dataset row, moved into their split's tree).
pub fn trees(records: Vec<Record>, split: &Split) -> Result<BTreeMap<SplitName, Commitment>> {
    let mut rows: Vec<Option<Record>> = records.into_iter().map(Some).collect();
    split
        .named()
        .into_iter()
        .map(|(name, members)| {
            // Splits are disjoint, so every row is taken exactly once.
            let records = members.iter().filter_map(|&r| rows[r].take()).collect();
            let tree = Commitment::new(records).map_err(|e| {
                BuildError::Data(format!("{} split: {}", name.as_str(), e.detail()))
            })?;
            Ok((name, tree))
        })
        .collect()
}

/// The document for `trees`.
pub fn document(dataset: &str, trees: &BTreeMap<SplitName, Commitment>) -> CommitmentFile {
    CommitmentFile {
        version: 1,
        hashing: slsa_aibom_types::commitment::HASHING.into(),
        dataset: dataset.into(),
        splits: trees
            .iter()
            .map(|(n, t)| {
                (
                    *n,
                    SplitCommitment {
                        records: t.len(),
                        root: t.root(),
                    },
                )
            })
            .collect(),
    }
}

/// A proof that the record `key` of `job`'s data is, or is not, in the
/// split named `split` (`train`, `validation` or `test`): the data is
/// loaded and split as the build did, and the split's tree rebuilt.
pub fn prove_for_job(job: &crate::spec::Job, split: &str, key: &str) -> Result<KeyProof> {
    let split = match split {
        "train" => SplitName::Train,
        "validation" => SplitName::Validation,
        "test" => SplitName::Test,
        other => {
            return Err(BuildError::Spec(format!(
                "unknown split {other:?} (train, validation or test)"
            )))
        }
    };
    let data = crate::data::Dataset::load(job)?;
    let rows = Split::plan(
        &crate::trainer_config::split_config(&job.spec.training),
        &data.targets,
        data.assigned.as_deref(),
    );
    prove(&trees(data.records, &rows)?, split, key)
}

/// A proof that `key` is, or is not, in `split`.
pub fn prove(
    trees: &BTreeMap<SplitName, Commitment>,
    split: SplitName,
    key: &str,
) -> Result<KeyProof> {
    let tree = trees
        .get(&split)
        .ok_or_else(|| BuildError::Data(format!("the {} split is empty", split.as_str())))?;
    Ok(tree.prove(key))
}
