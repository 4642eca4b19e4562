//! The trainer's errors, by class. The builder maps each class onto its
//! own (and so onto its exit codes).

use thiserror::Error;

/// What went wrong, by class.
#[derive(Debug, Error)]
pub enum TrainError {
    /// A configuration the trainer cannot run (a model that does not fit
    /// its input, an option that does not apply).
    #[error("configuration: {0}")]
    Config(String),
    /// Input data or weights that cannot be used.
    #[error("data: {0}")]
    Data(String),
    /// Training itself failed (a tensor error, divergence).
    #[error("training: {0}")]
    Train(String),
    /// Writing a file failed.
    #[error("{0}")]
    Io(String),
}

impl TrainError {
    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        TrainError::Io(format!("{}: {e}", path.display()))
    }
}

impl From<candle_core::Error> for TrainError {
    fn from(e: candle_core::Error) -> Self {
        TrainError::Train(e.to_string())
    }
}

/// Result with [`TrainError`].
pub type Result<T> = std::result::Result<T, TrainError>;
