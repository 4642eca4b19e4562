//! `prove`: a dataset-membership proof for one record.

use clap::Args;
use slsa_aibom_builder::commitment_file;
use slsa_aibom_builder::error::{BuildError, Result};
use slsa_aibom_builder::spec::Job;
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct ProveArgs {
    /// The job file whose dataset was committed.
    pub(super) job: PathBuf,
    /// The split: train, validation or test.
    #[arg(long, default_value = "train")]
    pub(super) split: String,
    /// The record key to prove.
    #[arg(long)]
    pub(super) key: String,
    /// Write the proof here (default: stdout).
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
}
impl ProveArgs {
    /// Write the proof.
    pub(super) fn run(self) -> Result<()> {
        let proof = commitment_file::prove_for_job(&Job::load(&self.job)?, &self.split, &self.key)?;
        let mut text =
            serde_json::to_string_pretty(&proof).map_err(|e| BuildError::Io(e.to_string()))?;
        text.push('\n');
        match &self.out {
            Some(p) => std::fs::write(p, text).map_err(|e| BuildError::io(p, e))?,
            None => print!("{text}"),
        }
        Ok(())
    }
}
