//! `[source]`: where the caller's source must come from, per the signer's
//! certificate (repository, owner ID, ref, trigger). Only a certificate
//! states these: a keyed release fails any of them.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::identity::repo_url::RepoUrl;
use crate::identity::CertIdentity;
use serde::{Deserialize, Serialize};

/// Where the caller's source must come from, per the certificate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRules {
    /// Allowed repositories, `OWNER/NAME` or `https://github.com/OWNER/NAME`.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// Allowed owner IDs (numeric, immutable across renames).
    #[serde(default)]
    pub owner_ids: Vec<String>,
    /// Allowed refs (`refs/heads/main`, `refs/tags/v2`).
    #[serde(default)]
    pub refs: Vec<String>,
    /// Allowed trigger events (`push`, `workflow_dispatch`, `release`).
    #[serde(default)]
    pub triggers: Vec<String>,
}

impl SourceRules {
    /// Whether any rule is set (each needs the signer's certificate).
    pub(super) fn is_set(&self) -> bool {
        !(self.repositories.is_empty()
            && self.owner_ids.is_empty()
            && self.refs.is_empty()
            && self.triggers.is_empty())
    }

    /// Each malformed repository, and each one off GitHub when the policy
    /// names no issuer to vouch for it (`issuer_named`).
    pub(super) fn problems(&self, issuer_named: bool, problems: &mut Vec<String>) {
        for r in &self.repositories {
            match RepoUrl::repository(r) {
                Err(e) => problems.push(format!("source.repositories: {}", e.detail())),
                Ok(r) if !r.is_github() && !issuer_named => problems.push(format!(
                    "source.repositories: {r} is not on GitHub; set builder.issuer to the OIDC issuer that vouches for it"
                )),
                Ok(_) => {}
            }
        }
    }

    /// `repositories` in normal form (scheme, host, lower-case path).
    fn allowed_repositories(&self) -> Result<Vec<RepoUrl>> {
        self.repositories
            .iter()
            .map(|r| {
                RepoUrl::repository(r)
                    .map_err(|e| Error::Input(format!("source.repositories: {}", e.detail())))
            })
            .collect()
    }

    /// Hold the signer's claims to the rules; the claims mean what they say
    /// only under `issuer`, the one that vouches for them.
    pub(super) fn check(&self, issuer: &str, id: &CertIdentity, checks: &mut Checks) -> Result<()> {
        checks.compare(
            CheckId::PolicySourceIssuer,
            issuer,
            id.issuer.as_deref(),
            id.issuer.as_deref() == Some(issuer),
            Error::Policy,
        )?;
        let c = &id.claims;
        if !self.repositories.is_empty() {
            let allowed = self.allowed_repositories()?;
            let actual = c.repository();
            let ok = actual.as_ref().is_some_and(|a| allowed.contains(a));
            let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
            checks.compare(
                CheckId::PolicySourceRepository,
                &allowed.join(" | "),
                actual.map(|a| a.to_string()).as_deref(),
                ok,
                Error::Policy,
            )?;
        }
        let rules: [(CheckId, &[String], Option<String>); 3] = [
            (
                CheckId::PolicySourceOwnerId,
                &self.owner_ids,
                c.source_repository_owner_identifier.clone(),
            ),
            (
                CheckId::PolicySourceRef,
                &self.refs,
                c.source_repository_ref.clone(),
            ),
            (
                CheckId::PolicySourceTrigger,
                &self.triggers,
                c.build_trigger.clone(),
            ),
        ];
        for (name, allowed, actual) in rules {
            if allowed.is_empty() {
                continue;
            }
            let ok = actual
                .as_deref()
                .is_some_and(|a| allowed.iter().any(|x| x == a));
            checks.compare(
                name,
                &allowed.join(" | "),
                actual.as_deref(),
                ok,
                Error::Policy,
            )?;
        }
        Ok(())
    }
}
