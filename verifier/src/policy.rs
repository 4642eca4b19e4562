//! What the caller requires of the evidence. Every field left `None`/empty
//! requires nothing; every field set is checked and reported, never skipped.

use crate::error::{Error, Result};
use crate::identity::SanMatcher;
use crate::keys::PublicKey;
use crate::repo_url::RepoUrl;
use crate::signing::GITHUB_ISSUER;
use crate::trust::TrustRoot;

/// The verification policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Trusted root for keyless evidence. Defaults to embedded public-good.
    pub trust_root: TrustRoot,
    /// Expected certificate SAN.
    pub identity: Option<SanMatcher>,
    /// Expected OIDC issuer (exact).
    pub issuer: Option<String>,
    /// Expected source repository (`https://HOST/o/r`, or `o/r` on GitHub),
    /// from `.1.12`; compared with scheme and host.
    pub source_repo: Option<String>,
    /// Expected source ref (e.g. `refs/tags/v1`), from `.1.14`.
    pub source_ref: Option<String>,
    /// Expected repository owner on GitHub (`NAME`, or `https://HOST/NAME`), from `.1.16`.
    pub owner: Option<String>,
    /// Expected repository as `owner/name` on GitHub, from `.1.12`.
    pub repo: Option<String>,
    /// Expected trigger event (e.g. `push`), from `.1.20`.
    pub trigger: Option<String>,
    /// Expected runner environment (`github-hosted`), from `.1.11`.
    pub runner_environment: Option<String>,
    /// Required in-toto predicate type.
    pub predicate_type: Option<String>,
    /// Required SLSA `builder.id`.
    pub builder_id: Option<String>,
    /// What the train runner recorded in the provenance must be.
    pub runner: crate::runner_policy::RunnerPolicy,
    /// Extra paths (relative to a model directory) to leave out of a model
    /// signature check, on top of those the signature records.
    pub ignore_paths: Vec<String>,
    /// Verify keyed evidence with this public key instead of a certificate.
    pub key: Option<PublicKey>,
    /// Verify certificate evidence against this private PKI (DER certificates)
    /// instead of Fulcio.
    pub certificate_chain: Vec<Vec<u8>>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            trust_root: TrustRoot::embedded(crate::trust::Instance::PublicGood),
            identity: None,
            issuer: None,
            source_repo: None,
            source_ref: None,
            owner: None,
            repo: None,
            trigger: None,
            runner_environment: None,
            predicate_type: None,
            builder_id: None,
            runner: Default::default(),
            ignore_paths: Vec::new(),
            key: None,
            certificate_chain: Vec::new(),
        }
    }
}

impl Policy {
    /// Whether any certificate-identity requirement is set.
    pub fn requires_certificate_identity(&self) -> bool {
        self.identity.is_some()
            || self.issuer.is_some()
            || self.source_repo.is_some()
            || self.source_ref.is_some()
            || self.owner.is_some()
            || self.repo.is_some()
            || self.trigger.is_some()
            || self.runner_environment.is_some()
    }

    /// Whether the policy names who the signer must be. Keyless evidence is
    /// never accepted without this: a valid signature by anyone proves nothing.
    pub fn names_signer(&self) -> bool {
        self.identity.is_some()
            || self.source_repo.is_some()
            || self.repo.is_some()
            || self.owner.is_some()
    }

    /// The OIDC issuer the certificate must name: the one set, else GitHub
    /// Actions' when a repository or owner on GitHub names the signer (a
    /// repository path means nothing without the issuer that vouches for
    /// it: a GitLab certificate can name the same `OWNER/NAME`).
    pub fn expected_issuer(&self) -> Option<&str> {
        if let Some(issuer) = &self.issuer {
            return Some(issuer);
        }
        let on_github = self.repo.is_some()
            || self.owner.is_some()
            || self
                .source_repo
                .as_deref()
                .is_some_and(|r| RepoUrl::repository(r).is_ok_and(|r| r.is_github()));
        on_github.then_some(GITHUB_ISSUER)
    }

    /// Reject contradictory combinations before any evidence is read.
    pub fn validate(&self) -> Result<()> {
        if let Some(repo) = &self.source_repo {
            let url = RepoUrl::repository(repo)?;
            if !url.is_github() && self.issuer.is_none() {
                return Err(Error::Input(format!(
                    "the source repository {url} is not on GitHub: name the OIDC issuer that vouches for {}",
                    url.host()
                )));
            }
        }
        let github_only = [
            self.repo.as_deref().map(RepoUrl::repository),
            self.owner.as_deref().map(RepoUrl::owner),
        ];
        for url in github_only.into_iter().flatten() {
            let url = url?;
            if !url.is_github() {
                return Err(Error::Input(format!(
                    "the expected repository or owner {url} is not on GitHub; name a repository on another host as the source repository, with its issuer"
                )));
            }
        }
        if self.key.is_some() && !self.certificate_chain.is_empty() {
            return Err(Error::Input(
                "--key and --certificate-chain are mutually exclusive".into(),
            ));
        }
        if self.key.is_some() && self.requires_certificate_identity() {
            return Err(Error::Input(
                "certificate identity options cannot be checked against a keyed signature; \
                 drop them or verify a keyless bundle"
                    .into(),
            ));
        }
        Ok(())
    }
}
