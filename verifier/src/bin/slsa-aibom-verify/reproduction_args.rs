//! `model --reproduction`: a second builder's provenance of the same
//! release, and who must have signed it.

use clap::Args;
use slsa_aibom_verify::release::Reproduction;
use slsa_aibom_verify::{Error, Policy, PublicKey, SanMatcher, TrustAnchor};
use std::path::PathBuf;

/// The reproduction, when one is given.
#[derive(Args)]
pub struct ReproductionArgs {
    /// A second builder's provenance of this release: the rebuild's
    /// attestations/provenance.sigstore.json (`slsa-aibom-build rebuild`
    /// writes one). It must name the same model files and inputs, and be
    /// signed by --reproducer-key or --reproducer-identity, not by the
    /// release's signer; a summary (--vsa-out) then states
    /// SLSA_BUILD_REPRODUCED.
    #[arg(long)]
    reproduction: Option<PathBuf>,
    /// PEM public key that signed --reproduction.
    #[arg(
        long,
        requires = "reproduction",
        conflicts_with = "reproducer_identity"
    )]
    reproducer_key: Option<PathBuf>,
    /// Certificate SAN, exact, that signed --reproduction keylessly
    /// (under the release's Sigstore trusted root).
    #[arg(long, requires_all = ["reproduction", "reproducer_oidc_issuer"])]
    reproducer_identity: Option<String>,
    /// OIDC issuer of --reproducer-identity, exact.
    #[arg(long, requires = "reproducer_identity")]
    reproducer_oidc_issuer: Option<String>,
}

impl ReproductionArgs {
    /// The reproduction to verify with a release verified under `release`.
    pub fn reproduction(&self, release: &Policy) -> Result<Option<Reproduction>, Error> {
        let Some(evidence) = &self.reproduction else {
            return Ok(None);
        };
        let mut signer = Policy {
            setting_names: crate::policy_args::FLAGS,
            ..Policy::default()
        };
        match (&self.reproducer_key, &self.reproducer_identity) {
            (Some(key), _) => signer.anchor = TrustAnchor::public_key(PublicKey::from_file(key)?),
            (None, Some(san)) => {
                if let TrustAnchor::Sigstore(_) = &release.anchor {
                    signer.anchor = release.anchor.clone();
                }
                signer.identity = Some(SanMatcher::Exact(san.clone()));
                signer.issuer.clone_from(&self.reproducer_oidc_issuer);
            }
            (None, None) => {
                return Err(Error::Input(
                    "--reproduction needs its signer: --reproducer-key PEM, or --reproducer-identity and --reproducer-oidc-issuer".into(),
                ))
            }
        }
        signer.validate()?;
        Ok(Some(Reproduction {
            evidence: evidence.clone(),
            signer,
        }))
    }
}
