//! The builder's errors. Each class has its own exit code, and none of them
//! leaves a signed artifact behind: outputs are written to a staging
//! directory that only becomes the output directory once everything passed.

use thiserror::Error;

/// What went wrong, by class.
#[derive(Debug, Error)]
pub enum BuildError {
    /// The job spec is malformed (unknown key, wrong type, bad value).
    #[error("job spec: {0}")]
    Spec(String),
    /// The dataset is unreadable or invalid (bad row, NaN, unknown label...).
    #[error("dataset: {0}")]
    Data(String),
    /// Training failed (tensor error, divergence, device unavailable).
    #[error("training: {0}")]
    Train(String),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(String),
    /// The output directory exists, is not empty, and replacing it was not
    /// asked for (`TrainOptions::force`).
    #[error("{} exists and is not empty (set `force` to replace it)", .0.display())]
    OutputNotEmpty(std::path::PathBuf),
    /// Signing failed, or a key is unusable.
    #[error("signing: {0}")]
    Sign(String),
    /// Our own verifier rejected what we produced, or a base model's
    /// attestation did not verify.
    #[error("verification: {0}")]
    Verify(String),
    /// `rebuild` finished but the model digest differs.
    #[error("rebuild mismatch: {0}")]
    Mismatch(String),
}

impl BuildError {
    /// The process exit code for this class.
    pub fn exit_code(&self) -> i32 {
        match self {
            BuildError::Spec(_) => 2,
            BuildError::Data(_) => 3,
            BuildError::Train(_) => 4,
            BuildError::Io(_) | BuildError::OutputNotEmpty(_) => 5,
            BuildError::Sign(_) => 6,
            BuildError::Verify(_) => 7,
            BuildError::Mismatch(_) => 8,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        BuildError::Io(format!("{}: {e}", path.display()))
    }
}

/// The most a file the builder reads whole (a dataset, weights it wrote)
/// may hold.
pub const FILE_LIMIT: u64 = 16 << 30;

/// Read a whole regular file of at most `limit` bytes through the
/// verifier's bounded reader (never a FIFO, device or kernel interface
/// file): every file the builder reads goes through here or
/// [`crate::data::read_regular`] (`tests/architecture.rs` holds it).
pub fn read_file(path: &std::path::Path, limit: u64) -> Result<Vec<u8>> {
    slsa_aibom_verify::bounded_read::read(path, limit, "file")
        .map_err(|e| BuildError::Io(e.detail().into_owned()))
}

/// [`read_file`] as UTF-8 text.
pub fn read_text_file(path: &std::path::Path, limit: u64) -> Result<String> {
    String::from_utf8(read_file(path, limit)?)
        .map_err(|_| BuildError::Io(format!("{} is not UTF-8 text", path.display())))
}

/// Lower-case hex sha256 of a file, streamed.
pub fn sha256_hex(path: &std::path::Path) -> Result<String> {
    slsa_aibom_verify::documents::hashing::sha256_file(path)
        .map(hex::encode)
        .map_err(|e| BuildError::Io(e.to_string()))
}

impl From<candle_core::Error> for BuildError {
    fn from(e: candle_core::Error) -> Self {
        BuildError::Train(e.to_string())
    }
}

impl From<slsa_aibom_trainer::TrainError> for BuildError {
    /// Each class of the trainer's onto the builder's own: a configuration
    /// the trainer refuses is the job spec's fault.
    fn from(e: slsa_aibom_trainer::TrainError) -> Self {
        use slsa_aibom_trainer::TrainError as T;
        match e {
            T::Config(m) => BuildError::Spec(m),
            T::Data(m) => BuildError::Data(m),
            T::Train(m) => BuildError::Train(m),
            T::Io(m) => BuildError::Io(m),
        }
    }
}

impl From<slsa_aibom_verify::Error> for BuildError {
    /// Anything from the verifier is a verification failure.
    fn from(e: slsa_aibom_verify::Error) -> Self {
        BuildError::Verify(e.to_string())
    }
}

impl From<slsa_aibom_sign::SignError> for BuildError {
    fn from(e: slsa_aibom_sign::SignError) -> Self {
        BuildError::Sign(e.0)
    }
}

/// Result with [`BuildError`].
pub type Result<T> = std::result::Result<T, BuildError>;
