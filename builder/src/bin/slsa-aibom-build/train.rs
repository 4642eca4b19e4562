//! `train`: the unsigned outputs and the build record, without signing power.

use super::options::TrainArgs;
#[cfg(target_os = "linux")]
use slsa_aibom_builder::error::BuildError;
use slsa_aibom_builder::error::Result;
use slsa_aibom_builder::layout;
use slsa_aibom_builder::pipeline::train_only;
#[cfg(target_os = "linux")]
use slsa_aibom_builder::training::command::{self, spec::is_command_job, CommandJob};

impl TrainArgs {
    /// Train into the output directory.
    pub(super) fn run(self) -> Result<()> {
        #[cfg(target_os = "linux")]
        if let Some(job) = self.command_job()? {
            return self.run_command(&job);
        }
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

    /// The job file, when it asks for the command tier (Linux only).
    #[cfg(target_os = "linux")]
    pub(super) fn command_job(&self) -> Result<Option<CommandJob>> {
        let Some(path) = self.job.as_deref().filter(|_| self.definition.is_none()) else {
            return Ok(None);
        };
        let bytes = slsa_aibom_builder::error::read_file(
            path,
            slsa_aibom_verify::bounded_read::SMALL_LIMIT,
        )?;
        if !is_command_job(&bytes) {
            return Ok(None);
        }
        if self.common.device.is_some() {
            return Err(BuildError::Spec(
                "--device applies to the Rust trainer; a command job's script picks its own device"
                    .into(),
            ));
        }
        CommandJob::from_bytes(path, bytes).map(Some)
    }

    /// Run a command-tier job.
    #[cfg(target_os = "linux")]
    fn run_command(&self, job: &CommandJob) -> Result<()> {
        let name = self.job.as_deref().map(|p| p.display().to_string());
        let record = command::train(job, &self.out, self.force, name.as_deref())?;
        if !self.common.quiet {
            println!(
                "ran {} in {:.2} s ({:.3} s around it); unsigned outputs and {} in {}",
                slsa_aibom_verify::display::one_line(&job.spec.metadata.name),
                record.command_seconds,
                record.overhead_seconds,
                layout::COMMAND_RECORD,
                self.out.display()
            );
        }
        Ok(())
    }
}
