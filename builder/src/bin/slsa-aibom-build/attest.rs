//! `attest`: sign a train job's outputs, held to the build definition and the platform.

use super::options::SigningArgs;
use clap::Args;
use slsa_aibom_builder::attest::platform::Platform;
use slsa_aibom_builder::attest::train_runner::TrainJobQuery;
use slsa_aibom_builder::attestations_upload;
use slsa_aibom_builder::definition::BuildDefinition;
use slsa_aibom_builder::error::{BuildError, Result};
use slsa_aibom_builder::github_api::GitHubApi;
use slsa_aibom_builder::pipeline::attest_only;
use slsa_aibom_builder::runs_on::RunsOn;
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct AttestArgs {
    /// The directory `train` wrote.
    pub(super) dir: PathBuf,
    #[command(flatten)]
    pub(super) signing: SigningArgs,
    /// The build definition `detect` wrote: the record must match its job
    /// and expected digests, and its workflow inputs go into the
    /// provenance. Needed with --attest-job-id.
    #[arg(long, requires = "attest_job_id")]
    pub(super) definition: Option<PathBuf>,
    /// This signing job's own check-run ID (`job.check_run_id`). `attest`
    /// lists this run attempt's jobs through the GitHub Jobs API
    /// (GITHUB_API_URL, GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_RUN_ID,
    /// GITHUB_RUN_ATTEMPT), finds the workflow's train job by name, checks
    /// it against the definition's train-runs-on and the record against the
    /// platform, and records its runner in the provenance.
    #[arg(long, requires = "definition")]
    pub(super) attest_job_id: Option<u64>,
    /// The ID the train job reported for itself: only cross-checked against
    /// the job the Jobs API names.
    #[arg(long, requires = "attest_job_id")]
    pub(super) train_job_id: Option<u64>,
    /// The trainer binary the workflow built for the train job, when it is
    /// not this binary (the CUDA trainer): the record's trainer digest must
    /// be this file's.
    #[arg(long, requires = "attest_job_id")]
    pub(super) trainer_binary: Option<PathBuf>,
    /// After signing and self-verification, upload the provenance, ML-BOM
    /// and model-signature bundles to the GitHub attestations API
    /// (GITHUB_API_URL, GITHUB_TOKEN with `attestations: write`,
    /// GITHUB_REPOSITORY). A refused upload exits 6 and keeps the outputs.
    #[arg(long)]
    pub(super) upload_attestations: bool,
    /// No summary.
    #[arg(long, short)]
    pub(super) quiet: bool,
}
impl AttestArgs {
    /// Sign, verify and optionally upload.
    pub(super) fn run(self) -> Result<()> {
        // Fail on a missing token or repository before anything is signed.
        let upload_to = self
            .upload_attestations
            .then(GitHubApi::from_env)
            .transpose()?;
        if self.signing.keyless.keyless {
            slsa_aibom_builder::environment::runner::require_github_hosted("attest")?;
        }
        let platform = match (&self.definition, self.attest_job_id) {
            (Some(path), Some(attest_job)) => {
                let definition = BuildDefinition::load(path)?;
                let runs_on = definition.train_runs_on().ok_or_else(|| {
                    BuildError::Spec(format!(
                        "{}: records no train-runs-on input (detect --inputs-json)",
                        path.display()
                    ))
                })?;
                let query = TrainJobQuery::from_env(
                    attest_job,
                    self.train_job_id,
                    RunsOn::parse(&runs_on)?,
                )?;
                Some(Platform::from_env(
                    definition,
                    query.fetch()?,
                    self.trainer_binary.as_deref(),
                )?)
            }
            _ => None,
        };
        let record = attest_only(
            &self.dir,
            &self.signing.signer()?,
            &self.signing.builder_id,
            platform.as_ref(),
        )?;
        if !self.quiet {
            println!(
                "signed and verified provenance, ML-BOM and model signature for {} in {}",
                record.job.spec.metadata.name,
                self.dir.display()
            );
        }
        if let Some(api) = upload_to {
            for u in attestations_upload::upload(&api, &self.dir)? {
                if !self.quiet {
                    println!(
                        "uploaded {} to the GitHub attestations API of {} (id {})",
                        u.file, api.repository, u.id
                    );
                }
            }
        }
        Ok(())
    }
}
