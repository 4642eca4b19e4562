//! `train`: the unsigned outputs and the build record, without signing power.

use super::options::TrainArgs;
use slsa_aibom_builder::error::Result;
use slsa_aibom_builder::layout;
use slsa_aibom_builder::pipeline::train_only;

impl TrainArgs {
    /// Train into the output directory.
    pub(super) fn run(self) -> Result<()> {
        let (job, options) = self.load()?;
        let record = train_only(&job, &options)?;
        if !self.common.quiet {
            println!(
                "trained {} in {:.2} s; unsigned outputs and {} in {} (sign them with `attest`)",
                record.job.spec.metadata.name,
                record.metrics.timing.training_seconds,
                layout::RECORD,
                self.out.display()
            );
        }
        Ok(())
    }
}
