//! `vsa`: check a verification summary, so a gate can trust one small
//! document instead of re-verifying the whole release.

use crate::policy_args::PolicyArgs;
use crate::Format;
use clap::Args;
use slsa_aibom_verify::release::vsa::{verify_summary, Expectations, VsaSubject, VERIFIER_ID};
use slsa_aibom_verify::{Digest, Error, Policy, Report};
use std::path::PathBuf;

#[derive(Args)]
pub struct VerifySummary {
    /// The summary bundle (`model --vsa-out` writes one).
    #[arg(long)]
    bundle: PathBuf,
    /// The model directory: its files must be exactly the summary's subjects.
    #[arg(long, conflicts_with = "digests", required_unless_present = "digests")]
    model_dir: Option<PathBuf>,
    /// `sha256:HEX` digests that must each be a subject (instead of --model-dir).
    digests: Vec<String>,
    /// The policy file the release must have been verified under (its sha256 is compared).
    #[arg(
        long,
        conflicts_with = "policy_digest",
        required_unless_present = "policy_digest"
    )]
    policy: Option<PathBuf>,
    /// The policy's digest, `sha256:HEX`, instead of the file.
    #[arg(long)]
    policy_digest: Option<String>,
    /// The verifier that must have written the summary.
    #[arg(long, default_value = VERIFIER_ID)]
    verifier_id: String,
    /// The least SLSA build level the summary must state (1 to 3).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=3))]
    min_build_level: u8,
    /// The summary must state SLSA_BUILD_REPRODUCED: a second builder's
    /// reproduction verified with the release.
    #[arg(long)]
    require_reproduced: bool,
    /// Paths inside --model-dir to leave out (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',', requires = "model_dir")]
    ignore: Vec<String>,
    /// Who must have signed the summary.
    #[command(flatten)]
    pub signer: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

impl VerifySummary {
    /// Verify, or fail on bad options before any evidence is read.
    pub fn run(&self) -> Result<Report, Error> {
        let policy = self.signer.apply(Policy::default())?;
        let policy_sha256 = match (&self.policy, &self.policy_digest) {
            (Some(path), _) => {
                slsa_aibom_verify::documents::hashing::sha256_file(path).map(hex::encode)?
            }
            (None, Some(d)) => {
                let d = Digest::parse(d)?;
                if d.algorithm != "sha256" {
                    return Err(Error::Input(format!(
                        "--policy-digest must be sha256:HEX, not {d}"
                    )));
                }
                d.value
            }
            (None, None) => {
                return Err(Error::Input(
                    "give --policy FILE or --policy-digest sha256:HEX".into(),
                ))
            }
        };
        let subject = match &self.model_dir {
            Some(dir) => VsaSubject::ModelDir {
                dir: dir.clone(),
                ignore: self.ignore.clone(),
            },
            None => VsaSubject::Digests(
                self.digests
                    .iter()
                    .map(|d| Digest::parse(d))
                    .collect::<Result<_, _>>()?,
            ),
        };
        let expect = Expectations {
            subject,
            policy_sha256,
            verifier_id: self.verifier_id.clone(),
            min_build_level: self.min_build_level,
            require_reproduced: self.require_reproduced,
        };
        Ok(verify_summary(&policy, &expect, &self.bundle))
    }
}
