//! `rebuild`: train again from a provenance and compare.

use super::options::Common;
use super::threads;
use clap::Args;
use slsa_aibom_builder::error::Result;
use slsa_aibom_builder::rebuild;
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct RebuildArgs {
    /// The provenance bundle of the build to reproduce.
    #[arg(long)]
    pub(super) provenance: PathBuf,
    /// The public key that signed it (PEM).
    #[arg(long)]
    pub(super) key: PathBuf,
    /// Directory the recorded job path is relative to.
    #[arg(long, default_value = ".")]
    pub(super) inputs: PathBuf,
    /// Where to write the rebuilt outputs.
    #[arg(long, default_value = "rebuild-out")]
    pub(super) out: PathBuf,
    #[command(flatten)]
    pub(super) common: Common,
}
impl RebuildArgs {
    /// Rebuild and report.
    pub(super) fn run(self) -> Result<()> {
        let threads = threads(self.common.threads);
        let outcome = rebuild::run(
            &self.provenance,
            &self.key,
            &self.inputs,
            &self.out,
            threads,
            self.common.device.as_deref(),
            self.common.quiet,
        )?;
        println!("{outcome}");
        Ok(())
    }
}
