//! Deterministic train/validation/test splits from a seeded permutation.

use crate::rng::{streams, SeededRng};
use serde::{Deserialize, Serialize};

/// The name of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitName {
    /// Used to fit weights.
    Train,
    /// Used for per-epoch validation.
    Validation,
    /// Held out for the final evaluation.
    Test,
}

impl SplitName {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SplitName::Train => "train",
            SplitName::Validation => "validation",
            SplitName::Test => "test",
        }
    }
}

/// Row indices of each split, each list in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Validation rows.
    pub validation: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

impl Split {
    /// Permute `0..rows` with the seed's split stream; the first
    /// `round(rows * test)` rows are the test split, the next
    /// `round(rows * validation)` the validation split, the rest training.
    pub fn new(rows: usize, validation: f64, test: f64, seed: u64) -> Self {
        let mut order: Vec<usize> = (0..rows).collect();
        SeededRng::new(seed, streams::SPLIT).shuffle(&mut order);
        let n_test = (rows as f64 * test).round() as usize;
        let n_val = (rows as f64 * validation).round() as usize;
        let sorted = |s: &[usize]| {
            let mut v = s.to_vec();
            v.sort_unstable();
            v
        };
        Split {
            test: sorted(&order[..n_test]),
            validation: sorted(&order[n_test..n_test + n_val]),
            train: sorted(&order[n_test + n_val..]),
        }
    }

    /// The splits that have rows, with their names.
    pub fn named(&self) -> Vec<(SplitName, &[usize])> {
        [
            (SplitName::Train, self.train.as_slice()),
            (SplitName::Validation, self.validation.as_slice()),
            (SplitName::Test, self.test.as_slice()),
        ]
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
    }
}
