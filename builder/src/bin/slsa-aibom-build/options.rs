//! Option groups several subcommands share: training, signing, keyless signing.

use super::threads;
use clap::Args;
use slsa_aibom_builder::attest::provenance::LOCAL_BUILDER_ID;
use slsa_aibom_builder::definition::BuildDefinition;
use slsa_aibom_builder::error::{BuildError, Result};
use slsa_aibom_builder::pipeline::TrainOptions;
use slsa_aibom_builder::signing::{KeylessConfig, Signer, Transparency};
use slsa_aibom_builder::spec::Job;
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct Common {
    /// CPU threads for training (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub(super) threads: Option<usize>,
    /// Compute device: cpu, cuda or cuda:N (cuda needs the `cuda` feature)
    /// [default: the job's training.device, else cpu].
    #[arg(long)]
    pub(super) device: Option<String>,
    /// No progress bar or summary.
    #[arg(long, short)]
    pub(super) quiet: bool,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["job", "definition"])))]
pub(super) struct TrainArgs {
    /// The job file (TOML).
    pub(super) job: Option<PathBuf>,
    /// Train the job a build definition fixed (from `detect`), refusing a job
    /// file or input whose sha256 differs from it.
    #[arg(long)]
    pub(super) definition: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "out")]
    pub(super) out: PathBuf,
    /// Replace a non-empty output directory.
    #[arg(long)]
    pub(super) force: bool,
    #[command(flatten)]
    pub(super) common: Common,
}

impl TrainArgs {
    /// The job (from the file, or the one a build definition fixed) and
    /// the run's options. The device is `--device`, else the definition's
    /// `device` input (the workflow's), else the job's.
    pub(super) fn load(&self) -> Result<(Job, TrainOptions)> {
        let (job, definition_device) = match (&self.job, &self.definition) {
            (_, Some(d)) => {
                let definition = BuildDefinition::load(d)?;
                (definition.job()?, definition.device())
            }
            (Some(j), None) => (Job::load(j)?, None),
            (None, None) => return Err(BuildError::Spec("give a job file or --definition".into())),
        };
        let options = TrainOptions {
            out: self.out.clone(),
            force: self.force,
            threads: threads(self.common.threads),
            device: self.common.device.clone().or(definition_device),
            quiet: self.common.quiet,
            job_name: None,
        };
        Ok((job, options))
    }
}

#[derive(Args)]
pub(super) struct SigningArgs {
    /// Signing key (PKCS#8 PEM). Default: a fresh in-memory key; only key.pub is written.
    #[arg(long, conflicts_with = "keyless")]
    pub(super) key: Option<PathBuf>,
    /// The builder ID to record in the provenance. With --keyless, the
    /// certificate's SAN must equal it.
    #[arg(long, default_value = LOCAL_BUILDER_ID)]
    pub(super) builder_id: String,
    #[command(flatten)]
    pub(super) keyless: KeylessArgs,
}

#[derive(Args)]
pub(super) struct KeylessArgs {
    /// Sign keylessly: the GitHub Actions OIDC token (audience `sigstore`)
    /// gets a Fulcio certificate for each signature.
    #[arg(long)]
    pub(super) keyless: bool,
    /// With --keyless: log each signature in Rekor (public-good instance; the default).
    #[arg(long, requires = "keyless", conflicts_with = "tsa")]
    pub(super) rekor: bool,
    /// With --keyless: timestamp each signature with an RFC 3161 authority
    /// instead of logging it (GitHub's private instance: nothing public).
    #[arg(long, requires = "keyless")]
    pub(super) tsa: bool,
    /// With --keyless: Fulcio's URL [default: public-good, or GitHub's with --tsa].
    #[arg(long, env = "SLSA_AIBOM_FULCIO_URL")]
    pub(super) fulcio_url: Option<String>,
    /// With --keyless: Rekor's URL [default: https://rekor.sigstore.dev].
    #[arg(long, env = "SLSA_AIBOM_REKOR_URL")]
    pub(super) rekor_url: Option<String>,
    /// With --keyless --tsa: the timestamp endpoint [default: GitHub's].
    #[arg(long, env = "SLSA_AIBOM_TSA_URL")]
    pub(super) tsa_url: Option<String>,
    /// With --keyless: the trusted root to verify the new bundles against
    /// [default: the embedded public-good root, or GitHub's with --tsa].
    #[arg(long, env = "SLSA_AIBOM_TRUSTED_ROOT")]
    pub(super) trusted_root: Option<PathBuf>,
}

impl KeylessArgs {
    pub(super) fn signer(&self) -> Result<Signer> {
        let transparency = if self.tsa {
            Transparency::Timestamp
        } else {
            Transparency::Rekor
        };
        let config = KeylessConfig {
            transparency,
            fulcio: self.fulcio_url.clone(),
            rekor: self.rekor_url.clone(),
            tsa: self.tsa_url.clone(),
            trusted_root: self.trusted_root.clone(),
        };
        Ok(Signer::Keyless(Box::new(config.signer()?)))
    }
}

impl SigningArgs {
    pub(super) fn signer(&self) -> Result<Signer> {
        if self.keyless.keyless {
            return self.keyless.signer();
        }
        match &self.key {
            Some(k) => slsa_aibom_builder::signing::key_file(k),
            None => Ok(Signer::ephemeral()?),
        }
    }
}
