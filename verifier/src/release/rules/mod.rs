//! A release policy: the versioned TOML file of `verify model --policy`
//! (template: `slsa-aibom-verify policy init`). The signer parts (builder,
//! source, runner) become the [`Policy`] each document is verified under;
//! the rest are checked against the verified documents. Every rule that is
//! set is checked and reported; a rule that cannot be checked fails.
//!
//! One module per family of rules, each with its part of the file, what
//! makes it malformed, and its check: `builder`, `source`,
//! `licenses`, `datasets`, `lineage`, `metrics`, `versions`.

mod builder;
mod datasets;
mod licenses;
mod lineage;
mod metrics;
mod source;
mod training;
mod versions;

pub use builder::BuilderRules;
pub use datasets::DatasetRules;
pub use licenses::LicenseRules;
pub use lineage::LineageRules;
pub use metrics::MetricRule;
pub use source::SourceRules;
pub use versions::{version_in, DeniedVersion};

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::MlBom;
use crate::documents::runner_policy::RunnerPolicy;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use crate::identity::CertIdentity;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};

/// The commented template `slsa-aibom-verify policy init` writes.
pub const TEMPLATE: &str = concat!(
    include_str!("template/head.toml"),
    include_str!("template/builder.toml"),
    include_str!("template/rules.toml")
);

/// The template for key-signed releases (`policy init --keyed`): the same
/// without `[builder]`, which only a certificate can satisfy.
pub const KEYED_TEMPLATE: &str = concat!(
    include_str!("template/head.toml"),
    include_str!("template/builder-keyed.toml"),
    include_str!("template/rules.toml")
);

/// The only policy file version this verifier reads.
pub const POLICY_VERSION: u32 = 1;

/// The whole policy file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleasePolicy {
    /// Must be [`POLICY_VERSION`].
    pub version: u32,
    /// Trusted builders.
    #[serde(default)]
    pub builder: BuilderRules,
    /// Source repositories, owners, refs and triggers.
    #[serde(default)]
    pub source: SourceRules,
    /// The train runner, as recorded in the provenance.
    #[serde(default)]
    pub runner: RunnerRules,
    /// Licences.
    #[serde(default)]
    pub licenses: LicenseRules,
    /// Datasets.
    #[serde(default)]
    pub datasets: DatasetRules,
    /// Base models.
    #[serde(default)]
    pub lineage: LineageRules,
    /// Minimum (or maximum) metrics.
    #[serde(default)]
    pub metrics: Vec<MetricRule>,
    /// Denied trainer or framework versions.
    #[serde(default)]
    pub denied_versions: Vec<DeniedVersion>,
    /// What of the release must be at hand.
    #[serde(default)]
    pub release: ReleaseRules,
    /// `[training]`: the tiers a release may come from.
    #[serde(default)]
    pub training: training::TrainingRules,
}

/// What of a release must be at hand beside its three signed documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRules {
    /// Accept a release without some of the files its signed documents
    /// reference (the provenance's byproducts, the ML-BOM's in-toto layout
    /// and link). Each absence is then reported as a warning or `n/a`; a
    /// file that is at hand is always checked. Default: every referenced
    /// file must be there.
    #[serde(default)]
    pub allow_partial: bool,
}

/// [`RunnerPolicy`] as the file spells it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerRules {
    /// Refuse self-hosted train runners.
    #[serde(default)]
    pub deny_self_hosted: bool,
    /// Allowed runner groups.
    #[serde(default)]
    pub allowed_groups: Vec<String>,
    /// Required runner labels.
    #[serde(default)]
    pub required_labels: Vec<String>,
}

/// What is wrong with `d` as a `sha256:HEX` digest in `field`, whose
/// documents are `recorded` by sha256.
fn sha256_problem(field: &str, d: &str, recorded: &str) -> Option<String> {
    match crate::Digest::parse(d) {
        Err(e) => Some(format!("{field}: {d:?}: {}", e.detail())),
        Ok(digest) if digest.algorithm != "sha256" => Some(format!(
            "{field}: {d:?}: {recorded} by sha256; give sha256:HEX"
        )),
        Ok(_) => None,
    }
}

/// A release policy that passed [`ReleasePolicy::validate`]: the only kind
/// a release is verified under. It is made by validation alone (or is
/// [`ValidReleasePolicy::none`]), so every rule it holds is well formed.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReleasePolicy(ReleasePolicy);

impl ValidReleasePolicy {
    /// No rules: what a verification without a policy file holds a release
    /// to (the checks every release gets, and nothing more).
    pub fn none() -> Self {
        ValidReleasePolicy(ReleasePolicy {
            version: POLICY_VERSION,
            ..ReleasePolicy::default()
        })
    }

    /// The rules, to read.
    pub fn rules(&self) -> &ReleasePolicy {
        &self.0
    }

    /// Read a policy file (a regular file within the small-file limit,
    /// UTF-8), parse and check it. Also returns the sha256 of its bytes,
    /// which a verification summary names. Both CLIs load policies here.
    #[cfg(feature = "policy-file")]
    pub fn load(path: &std::path::Path) -> Result<(Self, String)> {
        use sha2::Digest as _;
        let bytes =
            crate::bounded_read::read(path, crate::bounded_read::SMALL_LIMIT, "policy file")?;
        let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Input(format!("{} is not UTF-8", path.display())))?;
        Ok((Self::from_toml(&text)?, sha256))
    }

    /// Parse and check a policy file's text.
    #[cfg(feature = "policy-file")]
    pub fn from_toml(text: &str) -> Result<Self> {
        let p: ReleasePolicy =
            toml::from_str(text).map_err(|e| Error::Input(format!("policy file: {e}")))?;
        p.validate()
    }

    /// Refuse a policy whose `[builder]` names a certificate identity for a
    /// release verified with a key, naming the policy's lines: a
    /// key-signed release states no identity to hold them to.
    pub fn check_keyed(&self) -> Result<()> {
        match &self.0.builder.workflow {
            Some(workflow) => Err(Error::Input(format!(
                "the policy's [builder] names a certificate identity (workflow = {:?}), which a key-signed release cannot state; remove the [builder] section (workflow, tags, commits, issuer) from a policy for keyed releases",
                crate::display::one_line(workflow)
            ))),
            None => Ok(()),
        }
    }

    /// Fold the signer rules into `policy` (which command-line flags may
    /// then override).
    pub fn apply(&self, policy: &mut Policy) {
        let rules = &self.0;
        rules.builder.apply(policy);
        policy.runner = RunnerPolicy {
            deny_self_hosted: rules.runner.deny_self_hosted,
            allowed_groups: rules.runner.allowed_groups.clone(),
            required_labels: rules.runner.required_labels.clone(),
        };
    }

    /// Hold the release to `[training] require_reproduced`; `reproducer`
    /// is who signed a reproduction that verified and bound, if any.
    pub(crate) fn check_reproduced(
        &self,
        reproducer: Option<&str>,
        checks: &mut Checks,
    ) -> Result<()> {
        self.0.training.check_reproduced(reproducer, checks)
    }

    /// Check the rules that apply to the verified documents. `signer` is
    /// the provenance's certificate identity (`None` for keyed releases).
    pub(crate) fn check(
        &self,
        signer: Option<&CertIdentity>,
        provenance: &Statement,
        bom: &MlBom,
        checks: &mut Checks,
    ) -> Result<()> {
        let rules = &self.0;
        if rules.source.is_set() {
            let Some(id) = signer else {
                return checks.record(
                    CheckId::PolicySource,
                    None,
                    None,
                    "",
                    Err(Error::Policy(
                        "the policy names source repositories, owners, refs or triggers, which only a certificate can state; this release is signed with a key".into(),
                    )),
                );
            };
            rules.source.check(rules.builder.issuer(), id, checks)?;
        }
        rules.licenses.check(bom, checks)?;
        rules.datasets.check(provenance, checks)?;
        rules.lineage.check(provenance, checks)?;
        rules.training.check(provenance, checks)?;
        metrics::check(&rules.metrics, provenance, bom, checks)?;
        versions::check(&rules.denied_versions, bom, checks)
    }
}

impl ReleasePolicy {
    /// Reject versions this verifier does not know and malformed values,
    /// before any evidence is read: one error that names every problem.
    /// What passes is the [`ValidReleasePolicy`] verification takes.
    pub fn validate(self) -> Result<ValidReleasePolicy> {
        if self.version != POLICY_VERSION {
            return Err(Error::Input(format!(
                "policy version {} is not supported (this verifier reads version {POLICY_VERSION})",
                self.version
            )));
        }
        let mut problems = Vec::new();
        self.builder.problems(&mut problems);
        self.source
            .problems(self.builder.issuer.is_some(), &mut problems);
        self.licenses.problems(&mut problems);
        self.datasets.problems(&mut problems);
        self.lineage.problems(&mut problems);
        self.training.problems(&mut problems);
        for m in &self.metrics {
            m.problems(&mut problems);
        }
        for v in &self.denied_versions {
            v.problems(&mut problems);
        }
        match problems.as_slice() {
            [] => Ok(ValidReleasePolicy(self)),
            [one] => Err(Error::Input(one.clone())),
            many => Err(Error::Input(format!(
                "{} problems in the policy:\n  - {}",
                many.len(),
                many.join("\n  - ")
            ))),
        }
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
