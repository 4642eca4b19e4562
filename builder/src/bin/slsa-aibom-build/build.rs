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
        let a = self;
        let job = a.train.job()?;
        let opts = BuildOptions {
            train: a.train.options()?,
            signer: a.signing.signer()?,
            builder_id: a.signing.builder_id,
        };
        let s = build(&job, &opts)?;
        if !a.train.common.quiet {
            report(&s, &a.train.out);
        }
        Ok(())
    }
}
