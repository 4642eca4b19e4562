//! What the caller requires of the evidence. Every field left `None`/empty
//! requires nothing; every field set is checked and reported, never skipped.

use crate::error::{Error, Result};
use crate::evidence::keys::PublicKey;
use crate::evidence::trust::TrustRoot;
use crate::identity::repo_url::RepoUrl;
use crate::identity::SanMatcher;
use slsa_aibom_types::GITHUB_ISSUER;

/// What signatures must chain to. One of three; no other combination can
/// be written.
#[derive(Debug, Clone)]
pub enum TrustAnchor {
    /// Fulcio certificates, with Rekor entries or RFC 3161 timestamps, of a
    /// Sigstore trusted root (the default: the embedded public-good root).
    Sigstore(TrustRoot),
    /// A public key. Log entries that a keyed bundle carries are checked
    /// against `log_root`.
    Key {
        /// The key.
        key: PublicKey,
        /// The trusted root of the logs a keyed bundle may name.
        log_root: TrustRoot,
    },
    /// Certificates that chain to a private PKI: DER certificates, the
    /// intermediates first and the root last.
    CertificateChain(Vec<Vec<u8>>),
}

impl TrustAnchor {
    /// The Sigstore trusted root in force: the root itself, or the one a
    /// key's log entries are checked against (`None` for a private PKI).
    pub fn trust_root(&self) -> Option<&TrustRoot> {
        match self {
            TrustAnchor::Sigstore(root) => Some(root),
            TrustAnchor::Key { log_root, .. } => Some(log_root),
            TrustAnchor::CertificateChain(_) => None,
        }
    }

    /// The supplied public key, if that is the anchor.
    pub fn key(&self) -> Option<&PublicKey> {
        match self {
            TrustAnchor::Key { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The private PKI's certificates, if that is the anchor.
    pub fn certificate_chain(&self) -> Option<&[Vec<u8>]> {
        match self {
            TrustAnchor::CertificateChain(chain) => Some(chain),
            _ => None,
        }
    }

    /// Where trust comes from, for reports.
    pub fn describe(&self) -> String {
        match self {
            TrustAnchor::Sigstore(root) => root.origin.clone(),
            TrustAnchor::Key { log_root, .. } => format!(
                "supplied public key (log entries against {})",
                log_root.origin
            ),
            TrustAnchor::CertificateChain(chain) => {
                format!("private PKI: {} supplied certificate(s)", chain.len())
            }
        }
    }

    /// A public key, with the embedded public-good root for any log entries.
    pub fn public_key(key: PublicKey) -> TrustAnchor {
        TrustAnchor::default().with_key(key)
    }

    /// This anchor's key trusted instead, keeping the trusted root for
    /// the logs a keyed bundle may name.
    pub fn with_key(&self, key: PublicKey) -> TrustAnchor {
        TrustAnchor::Key {
            key,
            log_root: self.trust_root().cloned().unwrap_or_else(|| {
                TrustRoot::embedded(crate::evidence::trust::Instance::PublicGood)
            }),
        }
    }
}

impl Default for TrustAnchor {
    fn default() -> Self {
        TrustAnchor::Sigstore(TrustRoot::embedded(
            crate::evidence::trust::Instance::PublicGood,
        ))
    }
}

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

    /// The Sigstore trusted root of a Sigstore or key anchor (a private PKI
    /// has none: its evidence never reaches the Sigstore checks).
    pub(crate) fn sigstore_root(&self) -> Result<&TrustRoot> {
        self.anchor.trust_root().ok_or_else(|| {
            Error::Input(
                "the policy trusts a private PKI, which has no Sigstore trusted root".into(),
            )
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_anchor_says_what_it_trusts() {
        let root = TrustRoot::embedded(crate::evidence::trust::Instance::GitHub);
        let key = PublicKey::from_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed/key.pub"),
        )
        .unwrap();
        let sigstore = TrustAnchor::Sigstore(root.clone());
        assert_eq!(sigstore.trust_root().unwrap().origin, root.origin);
        assert!(sigstore.key().is_none() && sigstore.certificate_chain().is_none());
        // A key keeps the root its bundles' log entries are checked against.
        let keyed = sigstore.with_key(key);
        assert!(keyed.key().is_some());
        assert_eq!(keyed.trust_root().unwrap().origin, root.origin);
        assert!(keyed
            .describe()
            .starts_with("supplied public key (log entries against"));
        let pki = TrustAnchor::CertificateChain(vec![vec![0x30]]);
        assert!(pki.trust_root().is_none() && pki.key().is_none());
        assert_eq!(pki.describe(), "private PKI: 1 supplied certificate(s)");
        let policy = Policy {
            anchor: pki,
            ..Policy::default()
        };
        assert!(policy.sigstore_root().is_err());
    }
}
