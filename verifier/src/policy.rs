//! What the caller requires of the evidence. Every field left `None`/empty
//! requires nothing; every field set is checked and reported, never skipped.

use crate::error::{Error, Result};
use crate::identity::SanMatcher;
use crate::keys::PublicKey;
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
    /// Expected source repository (`https://github.com/o/r` or `o/r`), from `.1.12`.
    pub source_repo: Option<String>,
    /// Expected source ref (e.g. `refs/tags/v1`), from `.1.14`.
    pub source_ref: Option<String>,
    /// Expected repository owner name, from `.1.16`.
    pub owner: Option<String>,
    /// Expected repository as `owner/name`, from `.1.12`.
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

    /// Reject contradictory combinations before any evidence is read.
    pub fn validate(&self) -> Result<()> {
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
