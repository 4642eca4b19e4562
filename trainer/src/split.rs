//! Deterministic train/validation/test splits from a seeded permutation.

use crate::rng::{streams, SeededRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

    /// A split column's value (`train`, `validation` or `test`, spaces
    /// around it ignored); the error names what was found.
    pub fn parse(value: &str) -> std::result::Result<Self, String> {
        match value.trim() {
            "train" => Ok(SplitName::Train),
            "validation" => Ok(SplitName::Validation),
            "test" => Ok(SplitName::Test),
            other => Err(format!("split {other:?} is not train, validation or test")),
        }
    }
}

/// How rows are split when the data does not assign them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitConfig {
    /// Fraction of rows held out for validation.
    pub validation: f64,
    /// Fraction of rows held out for the final test.
    pub test: f64,
    /// Draw the held-out splits per class (classification).
    pub stratify: bool,
    /// The seed whose split stream permutes the rows.
    pub seed: u64,
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

    /// The rows' predefined splits when the data assigns them; stratified
    /// by class when `c.stratify` is set (`targets` are the rows' class
    /// indices); else [`Split::new`].
    pub fn plan(c: &SplitConfig, targets: &[f32], assigned: Option<&[SplitName]>) -> Self {
        if let Some(assigned) = assigned {
            let rows = |name: SplitName| {
                (0..assigned.len())
                    .filter(|&r| assigned[r] == name)
                    .collect()
            };
            return Split {
                train: rows(SplitName::Train),
                validation: rows(SplitName::Validation),
                test: rows(SplitName::Test),
            };
        }
        if !c.stratify {
            return Split::new(targets.len(), c.validation, c.test, c.seed);
        }
        let mut by_class: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (row, &class) in targets.iter().enumerate() {
            by_class.entry(class as u32).or_default().push(row);
        }
        let mut rng = SeededRng::new(c.seed, streams::SPLIT);
        let mut split = Split {
            train: Vec::new(),
            validation: Vec::new(),
            test: Vec::new(),
        };
        for rows in by_class.values_mut() {
            rng.shuffle(rows);
            let n_test = (rows.len() as f64 * c.test).round() as usize;
            let n_val = (rows.len() as f64 * c.validation).round() as usize;
            split.test.extend(&rows[..n_test]);
            split.validation.extend(&rows[n_test..n_test + n_val]);
            split.train.extend(&rows[n_test + n_val..]);
        }
        for part in [&mut split.train, &mut split.validation, &mut split.test] {
            part.sort_unstable();
        }
        split
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each class keeps its share in every split, and the seed decides.
    #[test]
    fn stratified_splits_keep_class_proportions() {
        let mut t = SplitConfig {
            validation: 0.1,
            test: 0.2,
            stratify: true,
            seed: 42,
        };
        // 90 rows of class 0 and 10 of class 1, interleaved.
        let targets: Vec<f32> = (0..100).map(|i| f32::from(u8::from(i % 10 == 3))).collect();
        let s = Split::plan(&t, &targets, None);
        let ones = |rows: &[usize]| rows.iter().filter(|&&r| targets[r] == 1.0).count();
        assert_eq!((s.test.len(), ones(&s.test)), (20, 2));
        assert_eq!((s.validation.len(), ones(&s.validation)), (10, 1));
        assert_eq!((s.train.len(), ones(&s.train)), (70, 7));
        assert_eq!(s, Split::plan(&t, &targets, None));
        let assigned = [
            SplitName::Test,
            SplitName::Train,
            SplitName::Validation,
            SplitName::Train,
        ];
        let fixed = Split::plan(&t, &targets[..4], Some(&assigned));
        assert_eq!(
            (fixed.train, fixed.validation, fixed.test),
            (vec![1, 3], vec![2], vec![0])
        );
        t.seed += 1;
        assert_ne!(s.test, Split::plan(&t, &targets, None).test);
    }
}
