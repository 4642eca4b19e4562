//! `model --vsa-out`: sign a verification summary of a verified release.

use clap::Args;
use slsa_aibom_sign::{KeySigner, KeylessConfig, Signer, Transparency};
use slsa_aibom_verify::release::vsa::{summary, SummaryInputs};
use slsa_aibom_verify::release::{Release, ReleaseReport};
use slsa_aibom_verify::Error;
use slsa_aibom_verify::Policy;
use std::path::{Path, PathBuf};

/// Where and how to sign a verification summary.
#[derive(Args)]
pub struct SummaryArgs {
    /// On success, write a signed SLSA verification summary (VSA v1
    /// bundle) here. Needs --policy, whose digest it records.
    #[arg(long)]
    vsa_out: Option<PathBuf>,
    /// Sign the summary with this unencrypted PKCS#8 PEM private key.
    #[arg(long, requires = "vsa_out", conflicts_with = "vsa_keyless")]
    vsa_key: Option<PathBuf>,
    /// Sign the summary keylessly with the GitHub Actions OIDC token
    /// (Fulcio certificate, Rekor entry).
    #[arg(long, requires = "vsa_out")]
    vsa_keyless: bool,
    /// With --vsa-keyless: an RFC 3161 timestamp instead of a Rekor entry
    /// (GitHub's private instance).
    #[arg(long, requires = "vsa_keyless")]
    vsa_tsa: bool,
    /// The summary's resourceUri [default: the model's purl, else the ML-BOM serial number].
    #[arg(long, requires = "vsa_out")]
    vsa_resource_uri: Option<String>,
    /// With --vsa-keyless: Fulcio's URL.
    #[arg(long, env = "SLSA_AIBOM_FULCIO_URL", hide_env_values = true)]
    fulcio_url: Option<String>,
    /// With --vsa-keyless: Rekor's URL.
    #[arg(long, env = "SLSA_AIBOM_REKOR_URL", hide_env_values = true)]
    rekor_url: Option<String>,
    /// With --vsa-keyless --vsa-tsa: the timestamp endpoint.
    #[arg(long, env = "SLSA_AIBOM_TSA_URL", hide_env_values = true)]
    tsa_url: Option<String>,
    /// With --vsa-keyless: the trusted root the signing services chain to.
    #[arg(long, env = "SLSA_AIBOM_SIGNING_TRUSTED_ROOT", hide_env_values = true)]
    signing_trusted_root: Option<PathBuf>,
}

impl SummaryArgs {
    /// Whether a summary was asked for.
    pub fn wanted(&self) -> bool {
        self.vsa_out.is_some()
    }

    /// Refuse, before verifying anything, a request that cannot be met.
    pub fn check(&self, policy_file: Option<&Path>, rule_flags: &[&str]) -> Result<(), Error> {
        if !self.wanted() {
            return Ok(());
        }
        if policy_file.is_none() {
            return Err(Error::Input(
                "--vsa-out records the policy's digest: give the policy as --policy FILE".into(),
            ));
        }
        if !rule_flags.is_empty() {
            return Err(Error::Input(format!(
                "with --vsa-out the policy file is the whole policy; put {} in it",
                rule_flags.join(", ")
            )));
        }
        if self.vsa_key.is_none() && !self.vsa_keyless {
            return Err(Error::Input(
                "--vsa-out needs a signer: --vsa-key PEM or --vsa-keyless".into(),
            ));
        }
        Ok(())
    }

    fn signer(&self) -> Result<Signer, Error> {
        let sign_error = |e: slsa_aibom_sign::SignError| Error::Sign(e.0);
        if let Some(key) = &self.vsa_key {
            let text = slsa_aibom_verify::bounded_read::read_text(
                key,
                slsa_aibom_verify::bounded_read::SMALL_LIMIT,
                "key",
            )
            .map_err(|e| Error::Sign(e.detail().to_string()))?;
            let signer = KeySigner::from_pem(&text, &key.display().to_string());
            return signer.map(Signer::Key).map_err(sign_error);
        }
        if let Some(root) = &self.signing_trusted_root {
            slsa_aibom_verify::TrustRoot::from_file(root)
                .map_err(|e| Error::Sign(e.to_string()))?;
        }
        let config = KeylessConfig {
            transparency: if self.vsa_tsa {
                Transparency::Timestamp
            } else {
                Transparency::Rekor
            },
            fulcio: self.fulcio_url.clone(),
            rekor: self.rekor_url.clone(),
            tsa: self.tsa_url.clone(),
            trusted_root: self.signing_trusted_root.clone(),
        };
        Ok(Signer::Keyless(Box::new(
            config.signer().map_err(sign_error)?,
        )))
    }

    /// Sign the summary of the verified `report` and write it; returns
    /// where. Nothing is written unless signing succeeded.
    pub fn write(
        &self,
        report: &ReleaseReport,
        release: &Release,
        policy: &Policy,
        policy_file: &Path,
    ) -> Result<Option<PathBuf>, Error> {
        let Some(out) = &self.vsa_out else {
            return Ok(None);
        };
        let statement = summary(
            report,
            release,
            policy,
            &SummaryInputs {
                resource_uri: self.vsa_resource_uri.clone(),
                policy_uri: policy_file.display().to_string(),
                time: jiff::Timestamp::now()
                    .round(jiff::Unit::Second)
                    .map_err(|e| Error::Input(format!("clock: {e}")))?,
            },
        )?;
        let bytes = serde_json::to_vec(&statement)
            .map_err(|e| Error::Input(format!("cannot serialise the summary: {e}")))?;
        let bundle = self
            .signer()?
            .sign_statement(&bytes)
            .map_err(|e| Error::Sign(e.0))?;
        std::fs::write(out, bundle)
            .map_err(|e| Error::Input(format!("cannot write {}: {e}", out.display())))?;
        Ok(Some(out.clone()))
    }
}
