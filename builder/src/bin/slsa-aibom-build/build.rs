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
        #[cfg(target_os = "linux")]
        if let Some(job) = self.train.command_job()? {
            return self.run_command(&job);
        }
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

    /// Run a command-tier job and sign its release.
    #[cfg(target_os = "linux")]
    fn run_command(&self, job: &slsa_aibom_builder::training::command::CommandJob) -> Result<()> {
        use slsa_aibom_builder::pipeline::TrainOptions;
        let started = std::time::Instant::now();
        let opts = BuildOptions {
            train: TrainOptions {
                out: self.train.out.clone(),
                force: self.train.force,
                threads: 1,
                device: None,
                quiet: self.train.common.quiet,
                job_name: self.train.job.as_ref().map(|p| p.display().to_string()),
            },
            signer: self.signing.signer()?,
            builder_id: self.signing.builder_id.clone(),
        };
        let record = slsa_aibom_builder::training::command::build(job, &opts)?;
        if !self.train.common.quiet {
            let (setup, teardown) = record
                .python_environment
                .as_ref()
                .map_or((0.0, 0.0), |e| (e.setup_seconds, e.teardown_seconds));
            let around =
                started.elapsed().as_secs_f64() - record.command_seconds - setup - teardown;
            let setup = if setup > 0.0 {
                format!(
                    " after a {setup:.2} s setup phase (pip; {teardown:.2} s to remove it after)"
                )
            } else {
                String::new()
            };
            println!(
                "ran {} in {:.2} s{setup}; our binary added {:.3} s ({:.2}% of the command): inputs and outputs hashed, provenance, ML-BOM and model signature signed and verified",
                slsa_aibom_verify::display::one_line(&job.spec.metadata.name),
                record.command_seconds,
                around,
                100.0 * around / record.command_seconds.max(1e-9)
            );
            println!("outputs in {}", self.train.out.display());
        }
        Ok(())
    }
}
