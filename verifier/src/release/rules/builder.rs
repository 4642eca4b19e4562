//! `[builder]`: which builder workflow may have signed, at which tags or
//! commits, under which OIDC issuer. It becomes the certificate identity
//! every document is verified under.

use crate::identity::SanMatcher;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use slsa_aibom_types::GITHUB_ISSUER;

/// Which builder workflow may have signed, at which tags or commits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuilderRules {
    /// The workflow, `https://github.com/ORG/REPO/.github/workflows/F.yml` (no `@`).
    pub workflow: Option<String>,
    /// Allowed tags (`v1`, `v1.2.0`): the certificate SAN ends in `@refs/tags/TAG`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Allowed commits (40 hex): the SAN ends in `@SHA`, or the signer commit is it.
    #[serde(default)]
    pub commits: Vec<String>,
    /// The OIDC issuer [default: GitHub Actions'].
    pub issuer: Option<String>,
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl BuilderRules {
    /// The issuer that vouches for the certificate's claims: the one named,
    /// or GitHub Actions'.
    pub(super) fn issuer(&self) -> &str {
        self.issuer.as_deref().unwrap_or(GITHUB_ISSUER)
    }

    /// Each malformed value, by name.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        match &self.workflow {
            Some(w) if w.contains('@') => problems.push(format!(
                "builder.workflow {w:?} must not contain '@': put refs in tags or commits"
            )),
            Some(_) if self.tags.is_empty() && self.commits.is_empty() => {
                problems.push("builder.workflow needs at least one allowed tag or commit".into())
            }
            None if !self.tags.is_empty() || !self.commits.is_empty() || self.issuer.is_some() => {
                problems.push(
                    "builder.tags, builder.commits and builder.issuer apply to builder.workflow, which is not set".into(),
                )
            }
            _ => {}
        }
        for c in self.commits.iter().filter(|c| !is_sha(c)) {
            problems.push(format!("builder.commits: {c:?} is not a 40-hex commit SHA"));
        }
    }

    /// Pin `policy`'s identity to the workflow at its tags and commits,
    /// under its issuer; without a workflow, leave it as the flags set it.
    pub(super) fn apply(&self, policy: &mut Policy) {
        let Some(w) = &self.workflow else {
            return;
        };
        policy.identity = Some(SanMatcher::Workflow {
            workflow: w.clone(),
            refs: self.tags.iter().map(|t| format!("refs/tags/{t}")).collect(),
            commits: self
                .commits
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect(),
        });
        policy.issuer = Some(self.issuer().to_string());
    }
}
