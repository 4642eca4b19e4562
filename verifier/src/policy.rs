//! What the caller requires of the evidence. Every field left `None`/empty
//! requires nothing; every field set is checked and reported, never skipped.

use crate::error::{Error, Result};
use crate::evidence::anchor::TrustAnchor;
use crate::identity::expectations::SignerExpectations;
use crate::identity::repo_url::RepoUrl;
use crate::identity::SanMatcher;
use slsa_aibom_types::GITHUB_ISSUER;

/// The verification policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// What signatures must chain to (default: the embedded public-good
    /// Sigstore root).
    pub anchor: TrustAnchor,
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
    pub runner: crate::documents::runner_policy::RunnerPolicy,
    /// Extra paths (relative to a model directory) to leave out of a model
    /// signature check, on top of those the signature records.
    pub ignore_paths: Vec<String>,
    /// How failure messages name a setting to change (default: the API's
    /// names; the CLI passes its flags).
    pub setting_names: crate::setting::SettingNames,
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

    /// What the certificate of keyless evidence must say: the identity
    /// layer's slice of this policy.
    pub(crate) fn signer_expectations(&self) -> SignerExpectations<'_> {
        SignerExpectations {
            san: self.identity.as_ref(),
            issuer: self.expected_issuer(),
            source_repo: self.source_repo.as_deref(),
            repo: self.repo.as_deref(),
            source_ref: self.source_ref.as_deref(),
            owner: self.owner.as_deref(),
            trigger: self.trigger.as_deref(),
            runner_environment: self.runner_environment.as_deref(),
        }
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
        // A keyed release's runner record is the key holder's word, judged
        // as such; a certificate's is our signing job's only when the
        // policy pins our builder.
        let pins_our_builder = self
            .identity
            .as_ref()
            .and_then(|m| m.pinned_workflow())
            .is_some_and(crate::identity::our_builder::is_our_workflow);
        if !self.runner.is_empty() && self.anchor.key().is_none() && !pins_our_builder {
            return Err(Error::Setting(
                crate::setting::SettingProblem::RunnerRulesNeedBuilderPin,
            ));
        }
        if self.anchor.key().is_some() && self.requires_certificate_identity() {
            return Err(Error::Input(
                "certificate identity options cannot be checked against a keyed signature; \
                 drop them or verify a keyless bundle"
                    .into(),
            ));
        }
        Ok(())
    }
}
