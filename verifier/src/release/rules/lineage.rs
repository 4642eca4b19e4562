//! `[lineage]`: the base models a fine-tuned model may come from, judged on
//! the provenance's record of how its train job verified each before
//! training. A lineage rule is a requirement: a release that records no
//! base model fails it.

use super::sha256_problem;
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use serde::{Deserialize, Serialize};
use slsa_aibom_types::provenance::BaseModelAnnotations;

/// Base models a fine-tuned model may come from, judged on the provenance's
/// record of how its train job verified each before training.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineageRules {
    /// Every base model must have been verified with a model signature
    /// (pinned digests alone fail).
    #[serde(default)]
    pub require_signature: bool,
    /// Allowed base models by model-signing manifest digest (`sha256:HEX`).
    #[serde(default)]
    pub approved: Vec<String>,
    /// Allowed base-model signers: a certificate identity, or `key sha256:HEX`.
    #[serde(default)]
    pub signers: Vec<String>,
}

impl LineageRules {
    /// Each approved digest that is not `sha256:HEX`.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        problems.extend(
            self.approved
                .iter()
                .filter_map(|d| sha256_problem("lineage.approved", d, "base models are recorded")),
        );
    }

    /// Whether `sha256:HEX` is an approved digest.
    fn approves(&self, digest: &str) -> bool {
        self.approved
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&format!("sha256:{digest}")))
    }

    /// Why the base model `digest`, verified as `a` says, is refused.
    pub(super) fn refusal(&self, digest: &str, a: &BaseModelAnnotations) -> Option<String> {
        let signed = a.verification.verified_by.starts_with("model signature");
        if self.require_signature && !signed {
            return Some(format!(
                "base model sha256:{digest} was checked by {}, and the policy requires a model signature",
                crate::display::one_line(&a.verification.verified_by)
            ));
        }
        if self.approved.is_empty() && self.signers.is_empty() {
            return None;
        }
        let by_signer = signed
            && a.verification.signer.as_deref().is_some_and(|s| {
                self.signers
                    .iter()
                    .any(|want| s == want || s.starts_with(&format!("{want} (issuer ")))
            });
        (!self.approves(digest) && !by_signer).then(|| {
            format!(
                "base model sha256:{digest} (signer {}) is neither an approved digest nor from an allowed signer",
                crate::display::one_line(a.verification.signer.as_deref().unwrap_or("none"))
            )
        })
    }

    /// Every base model the provenance records is one the rules allow.
    pub(super) fn check(&self, provenance: &Statement, checks: &mut Checks) -> Result<()> {
        if !self.require_signature && self.approved.is_empty() && self.signers.is_empty() {
            return Ok(());
        }
        let bases = crate::documents::provenance::slsa_v1(provenance)
            .map(|p| {
                p.dependencies(slsa_aibom_types::provenance::BASE_MODEL)
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if bases.is_empty() {
            checks.record(
                CheckId::PolicyLineage,
                Some("a base model the policy allows".into()),
                Some("no base model recorded".into()),
                "the base model is one the policy allows".to_string(),
                Err(Error::Policy(
                    "the policy has [lineage] rules, and this release records no base model".into(),
                )),
            )?;
            return Ok(());
        }
        for d in &bases {
            let digest = d.sha256_hex().unwrap_or_default();
            let result = match d.base_model_annotations() {
                Some(a) => self
                    .refusal(&digest, &a)
                    .map_or(Ok(()), |why| Err(Error::Policy(why))),
                // Weights vouched for by a signed attestation (not a model
                // directory): signed, and allowed by digest only.
                None if self.approved.is_empty() && self.signers.is_empty() => Ok(()),
                None if self.approves(&digest) => Ok(()),
                None => Err(Error::Policy(format!(
                    "base weights sha256:{digest} are not an approved digest"
                ))),
            };
            checks.record(
                CheckId::PolicyLineage,
                None,
                Some(format!("sha256:{digest}")),
                "the base model is one the policy allows".to_string(),
                result,
            )?;
        }
        Ok(())
    }
}
