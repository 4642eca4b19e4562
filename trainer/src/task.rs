//! What a model predicts, which decides its loss, its output activation and
//! its metrics.

use serde::{Deserialize, Serialize};

/// What the model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// One sigmoid output, labels 0/1 (or two classes).
    Binary,
    /// Softmax over `output_shape[0]` classes.
    Multiclass,
    /// One linear output per `output_shape` element, mean squared error.
    Regression,
}
