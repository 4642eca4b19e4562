//! `detect`: the build definition, read from the caller's workflow inputs.

use clap::Args;
use slsa_aibom_builder::definition::BuildDefinition;
use slsa_aibom_builder::error::{BuildError, Result};
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct DetectArgs {
    /// The job file (TOML).
    #[arg(long)]
    pub(super) job: PathBuf,
    /// Expected input digests, in `sha256sum` format (`HEX  PATH` per line).
    #[arg(long)]
    pub(super) expected_digests: Option<PathBuf>,
    /// Where to write the definition.
    #[arg(long, default_value = "build-definition.json")]
    pub(super) out: PathBuf,
    /// The reusable workflow's inputs (`toJSON(inputs)`), recorded in the
    /// definition and, by `attest`, in the provenance's `externalParameters`.
    #[arg(long)]
    pub(super) inputs_json: Option<String>,
    /// The builder's own commit (`job.workflow_sha`): the signing
    /// certificate must name it.
    #[arg(long)]
    pub(super) builder_sha: Option<String>,
    /// Append `device=cpu` or `device=cuda` (the class of the device the
    /// train job will use) to this file, e.g. `$GITHUB_OUTPUT`.
    #[arg(long)]
    pub(super) device_output: Option<PathBuf>,
}
impl DetectArgs {
    /// Write the build definition.
    pub(super) fn run(self) -> Result<()> {
        let definition = BuildDefinition::detect_in_workflow(
            &self.job,
            self.expected_digests.as_deref(),
            self.inputs_json.as_deref(),
            self.builder_sha.as_deref(),
        )?;
        let mut bytes =
            serde_json::to_vec_pretty(&definition).map_err(|e| BuildError::Io(e.to_string()))?;
        bytes.push(b'\n');
        std::fs::write(&self.out, bytes).map_err(|e| BuildError::io(&self.out, e))?;
        if let Some(file) = &self.device_output {
            let job = slsa_aibom_builder::spec::Job::load(&self.job)?;
            let device = definition.effective_device(&job);
            let class = if device.starts_with("cuda") {
                "cuda"
            } else {
                "cpu"
            };
            let mut out = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(file)
                .map_err(|e| BuildError::io(file, e))?;
            std::io::Write::write_all(&mut out, format!("device={class}\n").as_bytes())
                .map_err(|e| BuildError::io(file, e))?;
        }
        Ok(())
    }
}
