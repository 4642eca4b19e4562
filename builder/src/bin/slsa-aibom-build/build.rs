//! `build`: train and attest in one step (local, keyed or keyless).

use super::options::{SigningArgs, TrainArgs};
use super::report;
use clap::Args;
use slsa_aibom_builder::error::Result;
use slsa_aibom_builder::pipeline::{build, BuildOptions};

#[derive(Args)]
pub(super) struct BuildArgs {
    #[command(flatten)]
    pub(super) train: TrainArgs,
    #[command(flatten)]
    pub(super) signing: SigningArgs,
}
impl BuildArgs {
    /// Train, sign and verify.
    pub(super) fn run(self) -> Result<()> {
        let (job, train) = self.train.load()?;
        let opts = BuildOptions {
            train,
            signer: self.signing.signer()?,
            builder_id: self.signing.builder_id,
        };
        let s = build(&job, &opts)?;
        if !self.train.common.quiet {
            report(&s, &self.train.out);
        }
        Ok(())
    }
}
