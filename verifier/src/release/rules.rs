//! A release policy: the versioned TOML file of `verify model --policy`
//! (template: `slsa-aibom-verify policy init`). The signer parts (builder,
//! source, runner) become the [`Policy`] each document is verified under;
//! the rest are checked against the verified documents. Every rule that is
//! set is checked and reported; a rule that cannot be checked fails.

use crate::check_id::CheckId;
use crate::documents::mlbom::MlBom;
use crate::documents::runner_policy::RunnerPolicy;
use crate::documents::statement::Statement;
use crate::error::{Error, Result};
use crate::identity::repo_url::RepoUrl;
use crate::identity::{CertIdentity, SanMatcher};
use crate::policy::Policy;
use crate::verdict::Checks;
use serde::{Deserialize, Serialize};
use slsa_aibom_types::GITHUB_ISSUER;

/// The commented template `slsa-aibom-verify policy init` writes.
pub const TEMPLATE: &str = include_str!("policy-template.toml");

/// The only policy file version this verifier reads.
pub const POLICY_VERSION: u32 = 1;

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

/// Allowed licences, as SPDX identifiers; a document's SPDX expression
/// must be satisfiable with them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseRules {
    /// For the model.
    #[serde(default)]
    pub model: Vec<String>,
    /// For every dataset.
    #[serde(default)]
    pub dataset: Vec<String>,
}

/// Dataset digests (`sha256:HEX`) that are approved or denied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetRules {
    /// When non-empty, every dataset must be one of these.
    #[serde(default)]
    pub approved: Vec<String>,
    /// No dataset may be one of these.
    #[serde(default)]
    pub denied: Vec<String>,
}

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
    /// Why the base model `digest`, verified as `a` says, is refused.
    fn refusal(
        &self,
        digest: &str,
        a: &slsa_aibom_types::provenance::BaseModelAnnotations,
    ) -> Option<String> {
        let signed = a.verified_by.starts_with("model signature");
        if self.require_signature && !signed {
            return Some(format!(
                "base model sha256:{digest} was checked by {}, and the policy requires a model signature",
                crate::display::one_line(&a.verified_by)
            ));
        }
        if self.approved.is_empty() && self.signers.is_empty() {
            return None;
        }
        let by_digest = self
            .approved
            .iter()
            .any(|d| d.to_ascii_lowercase() == format!("sha256:{digest}"));
        let by_signer = signed
            && a.signer.as_deref().is_some_and(|s| {
                self.signers
                    .iter()
                    .any(|want| s == want || s.starts_with(&format!("{want} (issuer ")))
            });
        (!by_digest && !by_signer).then(|| {
            format!(
                "base model sha256:{digest} (signer {}) is neither an approved digest nor from an allowed signer",
                crate::display::one_line(a.signer.as_deref().unwrap_or("none"))
            )
        })
    }
}

/// A bound on one model-card metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRule {
    /// Metric type in the ML-BOM (`accuracy`, `f1`, `loss`, ...).
    pub name: String,
    /// Data slice (`test`, `validation`).
    #[serde(default = "test_slice")]
    pub slice: String,
    /// The value must be at least this.
    pub min: Option<f64>,
    /// The value must be at most this.
    pub max: Option<f64>,
    /// The slice must hold at least this many rows, per the provenance's
    /// split record counts [default: 1]: a metric on a handful of rows
    /// proves nothing.
    #[serde(default = "one_row")]
    pub min_rows: u64,
}

fn test_slice() -> String {
    "test".into()
}

fn one_row() -> u64 {
    1
}

/// Versions of a trainer or framework component that must not have been used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeniedVersion {
    /// Component name in the ML-BOM (`candle-core`, `slsa-aibom-build`).
    pub name: String,
    /// A semver requirement, e.g. `>=0.9.0, <0.9.2`.
    pub versions: String,
    /// Why (shown in the failure).
    pub reason: Option<String>,
    /// Fail when the ML-BOM lists no component of that name (otherwise the
    /// rule is reported as not applicable).
    #[serde(default)]
    pub require: bool,
}

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

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl ReleasePolicy {
    /// No rules: what a verification without a policy file holds a release
    /// to (the checks every release gets, and nothing more).
    pub fn none() -> Self {
        ReleasePolicy {
            version: POLICY_VERSION,
            ..ReleasePolicy::default()
        }
    }

    /// Read a policy file (a regular file within the small-file limit,
    /// UTF-8), parse and check it. Also returns the sha256 of its bytes,
    /// which a verification summary names. Both CLIs load policies here.
    #[cfg(feature = "policy-file")]
    pub fn load(path: &std::path::Path) -> Result<(Self, String)> {
        use sha2::Digest as _;
        let bytes = crate::evidence::bounded_read::read(
            path,
            crate::evidence::bounded_read::SMALL_LIMIT,
            "policy file",
        )?;
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
        p.validate()?;
        Ok(p)
    }

    /// Reject versions this verifier does not know and malformed values,
    /// before any evidence is read.
    pub fn validate(&self) -> Result<()> {
        if self.version != POLICY_VERSION {
            return Err(Error::Input(format!(
                "policy version {} is not supported (this verifier reads version {POLICY_VERSION})",
                self.version
            )));
        }
        let b = &self.builder;
        match &b.workflow {
            Some(w) if w.contains('@') => {
                return Err(Error::Input(format!(
                    "builder.workflow {w:?} must not contain '@': put refs in tags or commits"
                )))
            }
            Some(_) if b.tags.is_empty() && b.commits.is_empty() => {
                return Err(Error::Input(
                    "builder.workflow needs at least one allowed tag or commit".into(),
                ))
            }
            None if !b.tags.is_empty() || !b.commits.is_empty() || b.issuer.is_some() => {
                return Err(Error::Input(
                    "builder.tags, builder.commits and builder.issuer apply to builder.workflow, which is not set".into(),
                ))
            }
            _ => {}
        }
        if let Some(c) = b.commits.iter().find(|c| !is_sha(c)) {
            return Err(Error::Input(format!(
                "builder.commits: {c:?} is not a 40-hex commit SHA"
            )));
        }
        for d in self.datasets.approved.iter().chain(&self.datasets.denied) {
            let digest = crate::Digest::parse(d)
                .map_err(|e| Error::Input(format!("datasets: {d:?}: {}", e.detail())))?;
            if digest.algorithm != "sha256" {
                return Err(Error::Input(format!(
                    "datasets: {d:?}: the provenance records datasets by sha256; give sha256:HEX"
                )));
            }
        }
        for d in &self.lineage.approved {
            let digest = crate::Digest::parse(d)
                .map_err(|e| Error::Input(format!("lineage.approved: {d:?}: {}", e.detail())))?;
            if digest.algorithm != "sha256" {
                return Err(Error::Input(format!(
                    "lineage.approved: {d:?}: base models are recorded by sha256; give sha256:HEX"
                )));
            }
        }
        for r in self.allowed_repositories()? {
            if !r.is_github() && b.issuer.is_none() {
                return Err(Error::Input(format!(
                    "source.repositories: {r} is not on GitHub; set builder.issuer to the OIDC issuer that vouches for it"
                )));
            }
        }
        for l in self.licenses.model.iter().chain(&self.licenses.dataset) {
            if spdx::license_id(l).is_none() {
                return Err(Error::Input(format!(
                    "licenses: {l:?} is not an SPDX license identifier"
                )));
            }
        }
        for m in &self.metrics {
            if m.min.is_none() && m.max.is_none() {
                return Err(Error::Input(format!(
                    "metrics: {} on {} has neither min nor max",
                    m.name, m.slice
                )));
            }
            if let Some(v) = m.min.into_iter().chain(m.max).find(|v| !v.is_finite()) {
                return Err(Error::Input(format!(
                    "metrics: {} on {} has the bound {v}; bounds must be finite numbers",
                    m.name, m.slice
                )));
            }
        }
        for v in &self.denied_versions {
            semver::VersionReq::parse(&v.versions).map_err(|e| {
                Error::Input(format!("denied_versions: {} {:?}: {e}", v.name, v.versions))
            })?;
        }
        Ok(())
    }

    /// Fold the signer rules into `policy` (which command-line flags may
    /// then override).
    pub fn apply(&self, policy: &mut Policy) -> Result<()> {
        if let Some(w) = &self.builder.workflow {
            policy.identity = Some(SanMatcher::Workflow {
                workflow: w.clone(),
                refs: self
                    .builder
                    .tags
                    .iter()
                    .map(|t| format!("refs/tags/{t}"))
                    .collect(),
                commits: self
                    .builder
                    .commits
                    .iter()
                    .map(|c| c.to_ascii_lowercase())
                    .collect(),
            });
            policy.issuer = Some(
                self.builder
                    .issuer
                    .clone()
                    .unwrap_or_else(|| "https://token.actions.githubusercontent.com".into()),
            );
        }
        policy.runner = RunnerPolicy {
            deny_self_hosted: self.runner.deny_self_hosted,
            allowed_groups: self.runner.allowed_groups.clone(),
            required_labels: self.runner.required_labels.clone(),
        };
        Ok(())
    }

    /// Whether any rule needs the signer's certificate.
    fn needs_certificate(&self) -> bool {
        let s = &self.source;
        !(s.repositories.is_empty()
            && s.owner_ids.is_empty()
            && s.refs.is_empty()
            && s.triggers.is_empty())
    }

    /// Check the rules that apply to the verified documents. `signer` is
    /// the provenance's certificate identity (`None` for keyed releases).
    pub fn check(
        &self,
        signer: Option<&CertIdentity>,
        provenance: &Statement,
        bom: &MlBom,
        checks: &mut Checks,
    ) -> Result<()> {
        if self.needs_certificate() {
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
            self.check_source(id, checks)?;
        }
        self.check_licenses(bom, checks)?;
        self.check_datasets(provenance, checks)?;
        self.check_lineage(provenance, checks)?;
        self.check_metrics(provenance, bom, checks)?;
        self.check_versions(bom, checks)
    }

    fn check_source(&self, id: &CertIdentity, checks: &mut Checks) -> Result<()> {
        // The claims below mean what they say only under the issuer that
        // vouches for them: GitHub Actions', unless the policy names another.
        let issuer = self.builder.issuer.as_deref().unwrap_or(GITHUB_ISSUER);
        checks.compare(
            CheckId::PolicySourceIssuer,
            issuer,
            id.issuer.as_deref(),
            id.issuer.as_deref() == Some(issuer),
            Error::Policy,
        )?;
        let c = &id.claims;
        if !self.source.repositories.is_empty() {
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
                &self.source.owner_ids,
                c.source_repository_owner_identifier.clone(),
            ),
            (
                CheckId::PolicySourceRef,
                &self.source.refs,
                c.source_repository_ref.clone(),
            ),
            (
                CheckId::PolicySourceTrigger,
                &self.source.triggers,
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

    /// `[source] repositories` in normal form (scheme, host, lower-case path).
    fn allowed_repositories(&self) -> Result<Vec<RepoUrl>> {
        self.source
            .repositories
            .iter()
            .map(|r| {
                RepoUrl::repository(r)
                    .map_err(|e| Error::Input(format!("source.repositories: {}", e.detail())))
            })
            .collect()
    }

    fn check_licenses(&self, bom: &MlBom, checks: &mut Checks) -> Result<()> {
        let mut targets: Vec<(CheckId, &[String], String, &[String])> = Vec::new();
        if !self.licenses.model.is_empty() {
            targets.push((
                CheckId::PolicyLicenseModel,
                &self.licenses.model,
                bom.model.name.clone(),
                &bom.model.licenses,
            ));
        }
        if !self.licenses.dataset.is_empty() {
            for d in &bom.datasets {
                targets.push((
                    CheckId::PolicyLicenseDataset,
                    &self.licenses.dataset,
                    d.name.clone(),
                    &d.licenses,
                ));
            }
        }
        for (name, allowed, what, expressions) in targets {
            let verdict = license_allowed(expressions, allowed);
            checks.record(
                name,
                Some(allowed.join(" | ")),
                Some(expressions.join(" AND ")),
                format!("{what}: licence allowed"),
                verdict.map_err(|why| Error::Policy(format!("{what}: {why}"))),
            )?;
        }
        Ok(())
    }

    fn check_datasets(&self, provenance: &Statement, checks: &mut Checks) -> Result<()> {
        let d = &self.datasets;
        if d.approved.is_empty() && d.denied.is_empty() {
            return Ok(());
        }
        let norm = |s: &String| s.to_ascii_lowercase();
        let approved: Vec<String> = d.approved.iter().map(norm).collect();
        let denied: Vec<String> = d.denied.iter().map(norm).collect();
        for (name, sha256) in super::consistency::dependencies(provenance, "dataset:") {
            let digest = format!("sha256:{sha256}");
            let result = if denied.contains(&digest) {
                Err(Error::Policy(format!(
                    "{name} ({digest}) is on the deny list"
                )))
            } else if !approved.is_empty() && !approved.contains(&digest) {
                Err(Error::Policy(format!(
                    "{name} ({digest}) is not an approved dataset"
                )))
            } else {
                Ok(())
            };
            checks.record(
                CheckId::PolicyDataset,
                None,
                Some(digest.clone()),
                format!("{name} is approved and not denied"),
                result,
            )?;
        }
        Ok(())
    }

    fn check_lineage(&self, provenance: &Statement, checks: &mut Checks) -> Result<()> {
        let rules = &self.lineage;
        if !rules.require_signature && rules.approved.is_empty() && rules.signers.is_empty() {
            return Ok(());
        }
        let bases = crate::documents::provenance::slsa_v1(provenance)
            .map(|p| {
                p.dependencies(slsa_aibom_types::provenance::BASE_MODEL)
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        // A lineage rule is a requirement: a release that records no base
        // model does not meet it (it is never skipped as not applicable).
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
                Some(a) => rules
                    .refusal(&digest, &a)
                    .map_or(Ok(()), |why| Err(Error::Policy(why))),
                // Weights vouched for by a signed attestation (not a model
                // directory): signed, and allowed by digest only.
                None if rules.approved.is_empty() && rules.signers.is_empty() => Ok(()),
                None if rules
                    .approved
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&format!("sha256:{digest}"))) =>
                {
                    Ok(())
                }
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

    fn check_metrics(
        &self,
        provenance: &Statement,
        bom: &MlBom,
        checks: &mut Checks,
    ) -> Result<()> {
        let rows = super::consistency::split_rows(provenance);
        for m in &self.metrics {
            let actual = bom.metric(&m.name, &m.slice);
            let bound = match (m.min, m.max) {
                (Some(lo), Some(hi)) => format!("{lo} <= {} <= {hi}", m.name),
                (Some(lo), None) => format!("{} >= {lo}", m.name),
                (None, Some(hi)) => format!("{} <= {hi}", m.name),
                (None, None) => String::new(),
            };
            let slice_rows = rows.get(&m.slice).copied();
            let within = |v: f64| {
                v.is_finite() && m.min.is_none_or(|lo| v >= lo) && m.max.is_none_or(|hi| v <= hi)
            };
            let result = match (actual, slice_rows) {
                (None, _) => Err(format!(
                    "the ML-BOM reports no {} on the {} slice",
                    m.name, m.slice
                )),
                (Some(v), _) if !within(v) => Err(format!(
                    "{} on {} is {v}, the policy requires {bound}",
                    m.name, m.slice
                )),
                (Some(_), None) => Err(format!(
                    "the provenance records no row count for the {} slice",
                    m.slice
                )),
                (Some(_), Some(n)) if n < m.min_rows => Err(format!(
                    "{} on {} was measured on {n} row(s), the policy requires at least {}",
                    m.name, m.slice, m.min_rows
                )),
                (Some(_), Some(_)) => Ok(()),
            };
            checks.record(
                CheckId::PolicyMetric,
                Some(format!("{bound} on >= {} rows ({})", m.min_rows, m.slice)),
                actual.map(|v| match slice_rows {
                    Some(n) => format!("{v} on {n} rows"),
                    None => v.to_string(),
                }),
                format!("{bound} on {} ({} rows)", m.slice, slice_rows.unwrap_or(0)),
                result.map_err(Error::Policy),
            )?;
        }
        Ok(())
    }

    fn check_versions(&self, bom: &MlBom, checks: &mut Checks) -> Result<()> {
        for rule in &self.denied_versions {
            let req = semver::VersionReq::parse(&rule.versions)
                .map_err(|e| Error::Input(format!("denied_versions: {e}")))?;
            let found: Vec<&crate::documents::mlbom::Part> = bom
                .frameworks
                .iter()
                .chain(&bom.applications)
                .filter(|p| p.name == rule.name)
                .collect();
            let expected = Some(format!("{} not {}", rule.name, rule.versions));
            if found.is_empty() {
                let why = format!("the ML-BOM lists no component {}", rule.name);
                if rule.require {
                    checks.record(
                        CheckId::PolicyDeniedVersion,
                        expected,
                        None,
                        "",
                        Err::<(), _>(Error::Policy(format!("{why}, and the rule requires one"))),
                    )?;
                } else {
                    checks.not_applicable(CheckId::PolicyDeniedVersion, why);
                }
                continue;
            }
            for part in found {
                let result = match part.version.as_deref() {
                    None => Err(format!("{} has no version to compare", rule.name)),
                    Some(v) => match semver::Version::parse(v) {
                        Err(e) => Err(format!(
                            "{} version {v:?} cannot be compared: {e}",
                            rule.name
                        )),
                        Ok(ver) if version_in(&req, &ver) => Err(format!(
                            "{} {v} is denied ({}){}",
                            rule.name,
                            rule.versions,
                            rule.reason
                                .as_deref()
                                .map(|r| format!(": {r}"))
                                .unwrap_or_default()
                        )),
                        Ok(_) => Ok(()),
                    },
                };
                checks.record(
                    CheckId::PolicyDeniedVersion,
                    expected.clone(),
                    part.version.clone(),
                    format!("{} is not in {}", rule.name, rule.versions),
                    result.map_err(Error::Policy),
                )?;
            }
        }
        Ok(())
    }
}

/// Whether `version` is in the denied range `req`. Unlike Cargo's
/// resolution, which keeps pre-releases out of ranges that do not name
/// them, a deny list must catch them: a pre-release is in the range when
/// its release is (`0.11.2-rc.1` by `>=0.11.0, <0.12`), or when SemVer 2.0
/// ordering puts it there (`0.12.0-rc.1` by `<0.12.0`, as it comes before
/// `0.12.0`).
pub fn version_in(req: &semver::VersionReq, version: &semver::Version) -> bool {
    if req.matches(version) {
        return true;
    }
    if version.pre.is_empty() {
        return false;
    }
    let release = semver::Version::new(version.major, version.minor, version.patch);
    req.matches(&release) || req.comparators.iter().all(|c| ordered_match(c, version))
}

/// A comparator evaluated by SemVer 2.0 precedence alone (pre-releases
/// included), with missing minor and patch read as the range they stand for.
fn ordered_match(c: &semver::Comparator, v: &semver::Version) -> bool {
    use semver::{Op, Prerelease, Version};
    let floor = Version {
        major: c.major,
        minor: c.minor.unwrap_or(0),
        patch: c.patch.unwrap_or(0),
        pre: c.pre.clone(),
        build: Default::default(),
    };
    // The first version past the range the comparator's given parts name.
    let past = || -> Version {
        let (major, minor, patch) = match (c.minor, c.patch) {
            (None, _) => (c.major + 1, 0, 0),
            (Some(m), None) => (c.major, m + 1, 0),
            (Some(m), Some(p)) => (c.major, m, p + 1),
        };
        Version {
            pre: Prerelease::new("0").unwrap_or_default(),
            ..Version::new(major, minor, patch)
        }
    };
    let caret_past = || -> Version {
        let (major, minor, patch) = match (c.major, c.minor, c.patch) {
            (0, Some(0), Some(p)) => (0, 0, p + 1),
            (0, Some(m), _) if c.patch.is_some() || m > 0 => (0, m + 1, 0),
            (0, Some(0), None) => (0, 1, 0),
            (0, None, _) => (1, 0, 0),
            (maj, _, _) => (maj + 1, 0, 0),
        };
        Version {
            pre: Prerelease::new("0").unwrap_or_default(),
            ..Version::new(major, minor, patch)
        }
    };
    let tilde_past = || -> Version {
        let (major, minor) = match c.minor {
            Some(m) => (c.major, m + 1),
            None => (c.major + 1, 0),
        };
        Version {
            pre: Prerelease::new("0").unwrap_or_default(),
            ..Version::new(major, minor, 0)
        }
    };
    match c.op {
        Op::Exact | Op::Wildcard => *v >= floor && *v < past(),
        Op::Greater => *v >= past(),
        Op::GreaterEq => *v >= floor,
        Op::Less => *v < floor,
        Op::LessEq => *v < past(),
        Op::Tilde => *v >= floor && *v < tilde_past(),
        Op::Caret => *v >= floor && *v < caret_past(),
        _ => false,
    }
}

/// Whether every expression can be satisfied with `allowed` licences.
fn license_allowed(expressions: &[String], allowed: &[String]) -> std::result::Result<(), String> {
    if expressions.is_empty() {
        return Err("declares no licence".into());
    }
    for e in expressions {
        let parsed = spdx::Expression::parse(e)
            .map_err(|err| format!("licence {e:?} is not an SPDX expression: {err}"))?;
        let ok = parsed.evaluate(|req| {
            req.license
                .id()
                .is_some_and(|id| allowed.iter().any(|a| a == id.name))
        });
        if !ok {
            return Err(format!(
                "licence {e} is not satisfiable with {}",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::mlbom::Part;
    use crate::verdict::Status;
    use slsa_aibom_types::provenance::BaseModelAnnotations;

    fn policy(edit: impl FnOnce(&mut ReleasePolicy)) -> ReleasePolicy {
        let mut p = ReleasePolicy {
            version: POLICY_VERSION,
            ..ReleasePolicy::default()
        };
        edit(&mut p);
        p
    }

    fn refused(p: ReleasePolicy, says: &str) {
        let e = p.validate().unwrap_err();
        assert!(matches!(e, Error::Input(_)), "{e}");
        assert!(e.to_string().contains(says), "{says:?} not in {e}");
    }

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn validate_refuses_each_malformed_value_by_name() {
        policy(|_| {}).validate().unwrap();
        refused(
            policy(|p| p.version = 2),
            "policy version 2 is not supported",
        );
        let wf = "https://github.com/o/r/.github/workflows/b.yml";
        refused(
            policy(|p| p.builder.workflow = Some(format!("{wf}@v1"))),
            "must not contain '@'",
        );
        refused(
            policy(|p| p.builder.workflow = Some(wf.into())),
            "needs at least one allowed tag or commit",
        );
        for edit in [
            (|p: &mut ReleasePolicy| p.builder.tags = vec!["v1".into()]) as fn(&mut ReleasePolicy),
            |p| p.builder.commits = vec![SHA.into()],
            |p| p.builder.issuer = Some("https://gitlab.com".into()),
        ] {
            refused(policy(edit), "which is not set");
        }
        policy(|p| {
            p.builder.workflow = Some(wf.into());
            p.builder.commits = vec![SHA.into()];
        })
        .validate()
        .unwrap();
        policy(|p| {
            p.builder.workflow = Some(wf.into());
            p.builder.tags = vec!["v1".into()];
        })
        .validate()
        .unwrap();
        for bad in [&SHA[1..], "g123456789abcdef0123456789abcdef01234567"] {
            refused(
                policy(|p| {
                    p.builder.workflow = Some(wf.into());
                    p.builder.commits = vec![bad.into()];
                }),
                "is not a 40-hex commit SHA",
            );
        }
        let sha512 = format!("sha512:{}", "ab".repeat(64));
        refused(
            policy(|p| p.datasets.denied = vec![sha512.clone()]),
            "records datasets by sha256",
        );
        refused(
            policy(|p| p.datasets.approved = vec!["sha256:zz".into()]),
            "datasets: ",
        );
        refused(
            policy(|p| p.lineage.approved = vec![sha512.clone()]),
            "recorded by sha256",
        );
        refused(
            policy(|p| p.lineage.approved = vec!["nope".into()]),
            "lineage.approved",
        );
        refused(
            policy(|p| p.source.repositories = vec!["https://gitlab.com/o/r".into()]),
            "is not on GitHub",
        );
        policy(|p| {
            p.source.repositories = vec!["https://gitlab.com/o/r".into()];
            p.builder.workflow = Some(wf.into());
            p.builder.tags = vec!["v1".into()];
            p.builder.issuer = Some("https://gitlab.com".into());
        })
        .validate()
        .unwrap();
        refused(
            policy(|p| p.licenses.dataset = vec!["Apache 2".into()]),
            "not an SPDX",
        );
        refused(
            policy(|p| p.licenses.model = vec!["MIT-ish".into()]),
            "not an SPDX",
        );
        let metric = |min: Option<f64>, max: Option<f64>| MetricRule {
            name: "accuracy".into(),
            slice: "test".into(),
            min,
            max,
            min_rows: 1,
        };
        refused(
            policy(|p| p.metrics = vec![metric(None, None)]),
            "neither min nor max",
        );
        refused(
            policy(|p| p.metrics = vec![metric(None, Some(f64::NAN))]),
            "must be finite",
        );
        policy(|p| p.metrics = vec![metric(None, Some(0.5))])
            .validate()
            .unwrap();
        refused(
            policy(|p| {
                p.denied_versions = vec![DeniedVersion {
                    name: "candle-core".into(),
                    versions: "not a range".into(),
                    reason: None,
                    require: false,
                }]
            }),
            "denied_versions: candle-core",
        );
    }

    #[test]
    fn apply_pins_the_builder_at_its_tags_and_commits_under_its_issuer() {
        let wf = "https://github.com/o/r/.github/workflows/b.yml";
        let p = policy(|p| {
            p.builder.workflow = Some(wf.into());
            p.builder.tags = vec!["v1.2.0".into()];
            p.builder.commits = vec![SHA.to_ascii_uppercase()];
            p.runner.deny_self_hosted = true;
            p.runner.allowed_groups = vec!["gpu".into()];
            p.runner.required_labels = vec!["a100".into()];
        });
        let mut folded = Policy::default();
        p.apply(&mut folded).unwrap();
        match folded.identity.unwrap() {
            SanMatcher::Workflow {
                workflow,
                refs,
                commits,
            } => {
                assert_eq!(workflow, wf);
                assert_eq!(refs, ["refs/tags/v1.2.0"]);
                assert_eq!(commits, [SHA]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(folded.issuer.as_deref(), Some(GITHUB_ISSUER));
        assert!(folded.runner.deny_self_hosted);
        assert_eq!(folded.runner.allowed_groups, ["gpu"]);
        assert_eq!(folded.runner.required_labels, ["a100"]);
        let mut other = Policy::default();
        let mut p = p.clone();
        p.builder.issuer = Some("https://gitlab.com".into());
        p.apply(&mut other).unwrap();
        assert_eq!(other.issuer.as_deref(), Some("https://gitlab.com"));
        // No builder: the identity is left as the flags set it.
        let mut untouched = Policy::default();
        policy(|_| {}).apply(&mut untouched).unwrap();
        assert!(untouched.identity.is_none() && untouched.issuer.is_none());
    }

    fn signer() -> CertIdentity {
        CertIdentity {
            san: Some("https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1".into()),
            issuer: Some(GITHUB_ISSUER.into()),
            claims: crate::identity::CiClaims {
                source_repository_uri: Some("https://github.com/acme/app".into()),
                source_repository_owner_identifier: Some("42".into()),
                source_repository_ref: Some("refs/heads/main".into()),
                build_trigger: Some("push".into()),
                ..Default::default()
            },
        }
    }

    fn source_check(
        edit: impl FnOnce(&mut ReleasePolicy),
        id: &CertIdentity,
    ) -> (Result<()>, Checks) {
        let p = policy(edit);
        let mut checks = Checks::default();
        let r = p.check(
            Some(id),
            &empty_provenance(),
            &MlBom::default(),
            &mut checks,
        );
        (r, checks)
    }

    fn empty_provenance() -> Statement {
        serde_json::from_value(serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {"buildType": "https://example.com/t", "externalParameters": {}},
                "runDetails": {"builder": {"id": "https://example.com/b"}}
            }
        }))
        .unwrap()
    }

    /// A change to the signer that breaks one source rule.
    type Spoil = fn(&mut CertIdentity);

    #[test]
    fn source_rules_hold_each_claim_under_the_issuer_that_vouches_for_it() {
        let all = |p: &mut ReleasePolicy| {
            p.source.repositories = vec!["ACME/app".into()];
            p.source.owner_ids = vec!["42".into()];
            p.source.refs = vec!["refs/heads/main".into()];
            p.source.triggers = vec!["push".into()];
        };
        let (r, checks) = source_check(all, &signer());
        r.unwrap();
        let ids: Vec<CheckId> = checks.0.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                CheckId::PolicySourceIssuer,
                CheckId::PolicySourceRepository,
                CheckId::PolicySourceOwnerId,
                CheckId::PolicySourceRef,
                CheckId::PolicySourceTrigger,
            ]
        );
        let spoilers: [(CheckId, Spoil); 5] = [
            (CheckId::PolicySourceIssuer, |i| {
                i.issuer = Some("https://gitlab.com".into())
            }),
            (CheckId::PolicySourceRepository, |i| {
                i.claims.source_repository_uri = Some("https://github.com/acme/other".into())
            }),
            (CheckId::PolicySourceOwnerId, |i| {
                i.claims.source_repository_owner_identifier = None
            }),
            (CheckId::PolicySourceRef, |i| {
                i.claims.source_repository_ref = Some("refs/heads/dev".into())
            }),
            (CheckId::PolicySourceTrigger, |i| {
                i.claims.build_trigger = Some("pull_request".into())
            }),
        ];
        for (id, spoil) in spoilers {
            let mut who = signer();
            spoil(&mut who);
            let (r, checks) = source_check(all, &who);
            assert!(matches!(r, Err(Error::Policy(_))), "{id:?}");
            let last = checks.0.last().unwrap();
            assert_eq!((last.id, last.status()), (id, Status::Fail));
        }
        // Any one source rule needs a certificate: a keyed release fails it.
        for edit in [
            (|p: &mut ReleasePolicy| p.source.refs = vec!["refs/heads/main".into()])
                as fn(&mut ReleasePolicy),
            |p| p.source.owner_ids = vec!["42".into()],
            |p| p.source.triggers = vec!["push".into()],
            |p| p.source.repositories = vec!["acme/app".into()],
        ] {
            let mut checks = Checks::default();
            let r = policy(edit).check(None, &empty_provenance(), &MlBom::default(), &mut checks);
            assert!(matches!(r, Err(Error::Policy(_))));
            assert_eq!(checks.0.last().unwrap().id, CheckId::PolicySource);
        }
        // No source rule: nothing about the source is checked.
        let mut checks = Checks::default();
        policy(|_| {})
            .check(None, &empty_provenance(), &MlBom::default(), &mut checks)
            .unwrap();
        assert!(checks.0.is_empty());
    }

    fn part(name: &str, version: Option<&str>, licenses: &[&str]) -> Part {
        Part {
            bom_ref: None,
            name: name.into(),
            version: version.map(str::to_string),
            sha256: Vec::new(),
            licenses: licenses.iter().map(|l| l.to_string()).collect(),
            ..Part::default()
        }
    }

    #[test]
    fn each_licence_must_be_satisfiable_with_the_allowed_ones() {
        let bom = |model: &[&str], data: &[&[&str]]| MlBom {
            model: part("m", None, model),
            datasets: data.iter().map(|l| part("d", None, l)).collect(),
            ..MlBom::default()
        };
        let rules = policy(|p| {
            p.licenses.model = vec!["MIT".into(), "Apache-2.0".into()];
            p.licenses.dataset = vec!["CC-BY-4.0".into()];
        });
        let run = |b: &MlBom| rules.check_licenses(b, &mut Checks::default());
        run(&bom(&["MIT"], &[&["CC-BY-4.0"]])).unwrap();
        run(&bom(&["GPL-3.0-only OR MIT"], &[&["CC-BY-4.0"]])).unwrap();
        assert!(run(&bom(&["GPL-3.0-only"], &[&["CC-BY-4.0"]])).is_err());
        assert!(run(&bom(&["MIT AND GPL-3.0-only"], &[])).is_err());
        assert!(run(&bom(&[], &[])).is_err());
        assert!(run(&bom(&["MIT"], &[&["CC-BY-4.0"], &["CC-BY-NC-4.0"]])).is_err());
        assert!(run(&bom(&["MIT"], &[&["not an expression ("]])).is_err());
        let mut checks = Checks::default();
        rules
            .check_licenses(
                &bom(&["MIT"], &[&["CC-BY-4.0"], &["CC-BY-4.0"]]),
                &mut checks,
            )
            .unwrap();
        let ids: Vec<CheckId> = checks.0.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                CheckId::PolicyLicenseModel,
                CheckId::PolicyLicenseDataset,
                CheckId::PolicyLicenseDataset
            ]
        );
    }

    fn with_datasets(digests: &[&str]) -> Statement {
        let mut st = empty_provenance();
        st.predicate["buildDefinition"]["resolvedDependencies"] = digests
            .iter()
            .enumerate()
            .map(|(i, d)| serde_json::json!({"name": format!("dataset:{i}.csv"), "digest": {"sha256": d}}))
            .collect();
        st
    }

    #[test]
    fn datasets_must_be_approved_when_a_list_is_given_and_never_denied() {
        let (a, b) = ("aa".repeat(32), "bb".repeat(32));
        let run = |edit: fn(&mut ReleasePolicy), data: &[&str]| {
            policy(edit).check_datasets(&with_datasets(data), &mut Checks::default())
        };
        fn approve_a(p: &mut ReleasePolicy) {
            p.datasets.approved = vec![format!("SHA256:{}", "AA".repeat(32))];
        }
        fn deny_b(p: &mut ReleasePolicy) {
            p.datasets.denied = vec![format!("sha256:{}", "bb".repeat(32))];
        }
        run(approve_a, &[&a]).unwrap();
        assert!(run(approve_a, &[&a, &b]).is_err());
        run(deny_b, &[&a]).unwrap();
        let e = run(deny_b, &[&a, &b]).unwrap_err();
        assert!(e.to_string().contains("is on the deny list"), "{e}");
        let e = run(approve_a, &[&b]).unwrap_err();
        assert!(e.to_string().contains("is not an approved dataset"), "{e}");
        let mut checks = Checks::default();
        policy(deny_b)
            .check_datasets(&with_datasets(&[&a, &a]), &mut checks)
            .unwrap();
        assert_eq!(checks.0.len(), 2);
    }

    fn annotations(verified_by: &str, signer: Option<&str>) -> BaseModelAnnotations {
        BaseModelAnnotations {
            verified_by: verified_by.into(),
            signer: signer.map(str::to_string),
            signature_sha256: None,
            pinned: false,
            files: Default::default(),
            checked_by: None,
        }
    }

    #[test]
    fn a_base_model_is_allowed_by_digest_or_by_its_signer_and_a_signature_when_required() {
        let d = "ab".repeat(32);
        let signed = annotations("model signature (keyless)", Some("https://github.com/o/r/x.yml@refs/tags/v1 (issuer https://token.actions.githubusercontent.com)"));
        let pinned = annotations("pinned digest, no signature", None);
        let none = LineageRules::default();
        assert_eq!(none.refusal(&d, &pinned), None);
        let require = LineageRules {
            require_signature: true,
            ..Default::default()
        };
        assert_eq!(require.refusal(&d, &signed), None);
        assert!(require
            .refusal(&d, &pinned)
            .unwrap()
            .contains("requires a model signature"));
        let by_digest = LineageRules {
            approved: vec![format!("SHA256:{}", d.to_uppercase())],
            ..Default::default()
        };
        assert_eq!(by_digest.refusal(&d, &pinned), None);
        assert!(by_digest.refusal(&"cd".repeat(32), &pinned).is_some());
        let by_signer = LineageRules {
            signers: vec!["https://github.com/o/r/x.yml@refs/tags/v1".into()],
            ..Default::default()
        };
        assert_eq!(by_signer.refusal(&d, &signed), None);
        // A pinned model names no signer; one signed by another does not pass.
        assert!(by_signer.refusal(&d, &pinned).is_some());
        let other = annotations(
            "model signature (keyless)",
            Some("https://github.com/o/r/x.yml@refs/tags/v1-evil (issuer x)"),
        );
        assert!(by_signer.refusal(&d, &other).is_some());
        // The signer is exact, or exact before its issuer; a claimed signer on
        // an unsigned record does not count.
        let exact = annotations("model signature (keyed)", Some("key sha256:00"));
        let keyed = LineageRules {
            signers: vec!["key sha256:00".into()],
            ..Default::default()
        };
        assert_eq!(keyed.refusal(&d, &exact), None);
        let claimed = annotations("pinned digest, no signature", Some("key sha256:00"));
        assert!(keyed.refusal(&d, &claimed).is_some());
    }

    #[test]
    fn a_denied_version_fails_each_listed_component_and_a_required_one_must_be_listed() {
        let rule = |require: bool| DeniedVersion {
            name: "candle-core".into(),
            versions: ">=0.9.0, <0.9.2".into(),
            reason: Some("CVE".into()),
            require,
        };
        let bom = |versions: &[Option<&str>]| MlBom {
            frameworks: versions
                .iter()
                .map(|v| part("candle-core", *v, &[]))
                .collect(),
            applications: vec![part("slsa-aibom-build", Some("0.9.1"), &[])],
            ..MlBom::default()
        };
        let run = |require: bool, b: &MlBom| {
            let mut checks = Checks::default();
            let r =
                policy(|p| p.denied_versions = vec![rule(require)]).check_versions(b, &mut checks);
            (r, checks)
        };
        run(false, &bom(&[Some("0.9.2")])).0.unwrap();
        let e = run(false, &bom(&[Some("0.9.2"), Some("0.9.1")]))
            .0
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("candle-core 0.9.1 is denied (>=0.9.0, <0.9.2): CVE"),
            "{e}"
        );
        assert!(run(false, &bom(&[None])).0.is_err());
        assert!(run(false, &bom(&[Some("nine")])).0.is_err());
        let (r, checks) = run(false, &bom(&[]));
        r.unwrap();
        assert_eq!(checks.0[0].status(), Status::NotApplicable);
        let (r, checks) = run(true, &bom(&[]));
        assert!(r.is_err());
        assert_eq!(checks.0[0].status(), Status::Fail);
        // Applications are held to the rules too.
        let app = DeniedVersion {
            name: "slsa-aibom-build".into(),
            ..rule(false)
        };
        assert!(policy(|p| p.denied_versions = vec![app])
            .check_versions(&bom(&[]), &mut Checks::default())
            .is_err());
    }

    #[test]
    fn a_metric_names_its_bound_and_the_rows_it_was_measured_on() {
        let mut checks = Checks::default();
        let bom = MlBom {
            metrics: vec![crate::documents::mlbom::Metric {
                kind: "loss".into(),
                slice: "validation".into(),
                value: "0.25".into(),
            }],
            ..MlBom::default()
        };
        let mut st = with_datasets(&[&"aa".repeat(32)]);
        st.predicate["buildDefinition"]["resolvedDependencies"][0]["annotations"] = serde_json::json!({"recordRoots": {"validation": {"records": 30, "root": "00"}}, "size": 1});
        let rule = |min, max| MetricRule {
            name: "loss".into(),
            slice: "validation".into(),
            min,
            max,
            min_rows: 30,
        };
        policy(|p| {
            p.metrics = vec![
                rule(Some(0.1), Some(0.5)),
                rule(None, Some(0.5)),
                rule(Some(0.1), None),
            ]
        })
        .check_metrics(&st, &bom, &mut checks)
        .unwrap();
        let expected: Vec<&str> = checks.0.iter().map(|c| c.expected().unwrap()).collect();
        assert_eq!(
            expected,
            [
                "0.1 <= loss <= 0.5 on >= 30 rows (validation)",
                "loss <= 0.5 on >= 30 rows (validation)",
                "loss >= 0.1 on >= 30 rows (validation)",
            ]
        );
        assert_eq!(checks.0[0].actual(), Some("0.25 on 30 rows"));
        let e = policy(|p| {
            p.metrics = vec![MetricRule {
                name: "f1".into(),
                ..rule(Some(0.1), None)
            }]
        })
        .check_metrics(&st, &bom, &mut Checks::default())
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("reports no f1 on the validation slice"),
            "{e}"
        );
        let e = policy(|p| p.metrics = vec![rule(Some(0.1), None)])
            .check_metrics(&empty_provenance(), &bom, &mut Checks::default())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("records no row count for the validation slice"),
            "{e}"
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use crate::documents::mlbom::Metric;
    use proptest::prelude::*;

    fn provenance(test_rows: u64) -> Statement {
        serde_json::from_value(serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://example.com/t",
                    "externalParameters": {},
                    "resolvedDependencies": [{
                        "name": "dataset:d.csv",
                        "digest": {"sha256": "00"},
                        "annotations": {
                            "recordRoots": {"test": {"records": test_rows, "root": "00"}},
                            "size": 1
                        }
                    }]
                },
                "runDetails": {"builder": {"id": "https://example.com/b"}}
            }
        }))
        .unwrap()
    }

    fn judged(value: &str, min: Option<f64>, max: Option<f64>, rows: u64, min_rows: u64) -> bool {
        let bom = MlBom {
            metrics: vec![Metric {
                kind: "accuracy".into(),
                slice: "test".into(),
                value: value.into(),
            }],
            ..MlBom::default()
        };
        let rules = ReleasePolicy {
            version: POLICY_VERSION,
            metrics: vec![MetricRule {
                name: "accuracy".into(),
                slice: "test".into(),
                min,
                max,
                min_rows,
            }],
            ..ReleasePolicy::default()
        };
        rules.validate().unwrap();
        rules
            .check_metrics(&provenance(rows), &bom, &mut Checks::default())
            .is_ok()
    }

    fn any_value() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(-0.0),
            Just(0.0),
            any::<f64>(),
            -2.0..2.0f64,
        ]
    }

    proptest! {
        #[test]
        fn a_metric_passes_only_when_finite_and_within_its_bounds(
            v in any_value(),
            lo in -1.0..1.0f64,
            width in 0.0..2.0f64,
            use_min: bool,
            use_max: bool,
        ) {
            let hi = lo + width;
            let (min, max) = match (use_min, use_max) {
                (false, false) => (Some(lo), None),
                (m, x) => (m.then_some(lo), x.then_some(hi)),
            };
            let want = v.is_finite()
                && min.is_none_or(|lo| v >= lo)
                && max.is_none_or(|hi| v <= hi);
            prop_assert_eq!(judged(&v.to_string(), min, max, 100, 1), want);
        }

        #[test]
        fn too_few_rows_fail_whatever_the_value(rows in 0u64..50, min_rows in 1u64..50) {
            prop_assert_eq!(judged("0.5", Some(0.0), None, rows, min_rows), rows >= min_rows);
        }

        #[test]
        fn non_finite_bounds_are_refused(bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)], as_min: bool) {
            let rule = MetricRule {
                name: "accuracy".into(),
                slice: "test".into(),
                min: as_min.then_some(bad),
                max: (!as_min).then_some(bad),
                min_rows: 1,
            };
            let rules = ReleasePolicy { version: POLICY_VERSION, metrics: vec![rule], ..ReleasePolicy::default() };
            prop_assert!(rules.validate().is_err());
        }

        #[test]
        fn a_deny_range_holds_what_cargo_holds_and_pre_releases_of_it(
            major in 0u64..3, minor in 0u64..4, patch in 0u64..4,
            pre in prop_oneof![Just(""), Just("rc.1"), Just("alpha"), Just("0")],
            op in prop_oneof![Just(">="), Just(">"), Just("<"), Just("<="), Just("="), Just("^"), Just("~")],
            rmajor in 0u64..3, rminor in 0u64..4, rpatch in 0u64..4,
        ) {
            let text = if pre.is_empty() { format!("{major}.{minor}.{patch}") } else { format!("{major}.{minor}.{patch}-{pre}") };
            let v = semver::Version::parse(&text).unwrap();
            let req = semver::VersionReq::parse(&format!("{op}{rmajor}.{rminor}.{rpatch}")).unwrap();
            let release = semver::Version::new(major, minor, patch);
            // Never weaker than Cargo's own matching.
            if req.matches(&v) { prop_assert!(version_in(&req, &v)); }
            // A release: exactly Cargo's matching.
            if pre.is_empty() { prop_assert_eq!(version_in(&req, &v), req.matches(&v)); }
            // A pre-release of a denied release is denied.
            if req.matches(&release) { prop_assert!(version_in(&req, &v)); }
        }
    }
}
