//! A release policy: the versioned TOML file of `verify model --policy`
//! (template: `slsa-aibom-verify policy init`). The signer parts (builder,
//! source, runner) become the [`Policy`] each document is verified under;
//! the rest are checked against the verified documents. Every rule that is
//! set is checked and reported; a rule that cannot be checked fails.

use super::mlbom::MlBom;
use crate::error::{Error, Result};
use crate::identity::{CertIdentity, SanMatcher};
use crate::policy::Policy;
use crate::runner_policy::RunnerPolicy;
use crate::statement::Statement;
use crate::verdict::Checks;
use serde::{Deserialize, Serialize};

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
}

fn test_slice() -> String {
    "test".into()
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
    /// Minimum (or maximum) metrics.
    #[serde(default)]
    pub metrics: Vec<MetricRule>,
    /// Denied trainer or framework versions.
    #[serde(default)]
    pub denied_versions: Vec<DeniedVersion>,
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

fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

impl ReleasePolicy {
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
        if let Some(w) = &self.builder.workflow {
            if w.contains('@') {
                return Err(Error::Input(format!(
                    "builder.workflow {w:?} must not contain '@': put refs in tags or commits"
                )));
            }
            if self.builder.tags.is_empty() && self.builder.commits.is_empty() {
                return Err(Error::Input(
                    "builder.workflow needs at least one allowed tag or commit".into(),
                ));
            }
        }
        if let Some(c) = self.builder.commits.iter().find(|c| !is_sha(c)) {
            return Err(Error::Input(format!(
                "builder.commits: {c:?} is not a 40-hex commit SHA"
            )));
        }
        for d in self.datasets.approved.iter().chain(&self.datasets.denied) {
            crate::Digest::parse(d)
                .map_err(|e| Error::Input(format!("datasets: {d:?}: {}", e.detail())))?;
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
            let refs: Vec<String> = self
                .builder
                .tags
                .iter()
                .map(|t| escape(&format!("refs/tags/{t}")))
                .chain(self.builder.commits.iter().map(|c| c.to_ascii_lowercase()))
                .collect();
            policy.identity = Some(SanMatcher::regex(&format!(
                "{}@(?:{})",
                escape(w),
                refs.join("|")
            ))?);
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
                    "policy.source",
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
        self.check_metrics(bom, checks)?;
        self.check_versions(bom, checks)
    }

    fn check_source(&self, id: &CertIdentity, checks: &mut Checks) -> Result<()> {
        let c = &id.claims;
        let repo = c
            .source_repository_uri
            .as_deref()
            .map(|u| u.trim_start_matches("https://github.com/").to_string());
        let rules: [(&str, &[String], Option<String>); 4] = [
            ("policy.source.repository", &self.source.repositories, repo),
            (
                "policy.source.owner-id",
                &self.source.owner_ids,
                c.source_repository_owner_identifier.clone(),
            ),
            (
                "policy.source.ref",
                &self.source.refs,
                c.source_repository_ref.clone(),
            ),
            (
                "policy.source.trigger",
                &self.source.triggers,
                c.build_trigger.clone(),
            ),
        ];
        for (name, allowed, actual) in rules {
            if allowed.is_empty() {
                continue;
            }
            let ok = actual.as_deref().is_some_and(|a| {
                allowed
                    .iter()
                    .any(|x| x.trim_start_matches("https://github.com/") == a)
            });
            checks.record(
                name,
                Some(allowed.join(" | ")),
                actual.clone(),
                format!("{name} is allowed"),
                if ok {
                    Ok(())
                } else {
                    Err(Error::Policy(format!(
                        "{name}: certificate has {}, the policy allows {}",
                        actual.as_deref().unwrap_or("nothing"),
                        allowed.join(", ")
                    )))
                },
            )?;
        }
        Ok(())
    }

    fn check_licenses(&self, bom: &MlBom, checks: &mut Checks) -> Result<()> {
        let mut targets: Vec<(&str, &[String], String, &[String])> = Vec::new();
        if !self.licenses.model.is_empty() {
            targets.push((
                "policy.license.model",
                &self.licenses.model,
                bom.model.name.clone(),
                &bom.model.licenses,
            ));
        }
        if !self.licenses.dataset.is_empty() {
            for d in &bom.datasets {
                targets.push((
                    "policy.license.dataset",
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
                "policy.dataset",
                None,
                Some(digest.clone()),
                format!("{name} is approved and not denied"),
                result,
            )?;
        }
        Ok(())
    }

    fn check_metrics(&self, bom: &MlBom, checks: &mut Checks) -> Result<()> {
        for m in &self.metrics {
            let actual = bom.metric(&m.name, &m.slice);
            let bound = match (m.min, m.max) {
                (Some(lo), Some(hi)) => format!("{lo} <= {} <= {hi}", m.name),
                (Some(lo), None) => format!("{} >= {lo}", m.name),
                (None, Some(hi)) => format!("{} <= {hi}", m.name),
                (None, None) => String::new(),
            };
            let result = match actual {
                None => Err(Error::Policy(format!(
                    "the ML-BOM reports no {} on the {} slice",
                    m.name, m.slice
                ))),
                Some(v) if m.min.is_some_and(|lo| v < lo) || m.max.is_some_and(|hi| v > hi) => {
                    Err(Error::Policy(format!(
                        "{} on {} is {v}, the policy requires {bound}",
                        m.name, m.slice
                    )))
                }
                Some(_) => Ok(()),
            };
            checks.record(
                "policy.metric",
                Some(format!("{bound} ({})", m.slice)),
                actual.map(|v| v.to_string()),
                format!("{bound} on {}", m.slice),
                result,
            )?;
        }
        Ok(())
    }

    fn check_versions(&self, bom: &MlBom, checks: &mut Checks) -> Result<()> {
        for rule in &self.denied_versions {
            let req = semver::VersionReq::parse(&rule.versions)
                .map_err(|e| Error::Input(format!("denied_versions: {e}")))?;
            let found: Vec<&super::mlbom::Part> = bom
                .frameworks
                .iter()
                .chain(&bom.applications)
                .filter(|p| p.name == rule.name)
                .collect();
            let result = match found.first().and_then(|p| p.version.as_deref()) {
                None => Ok(()),
                Some(v) => match semver::Version::parse(v) {
                    Err(e) => Err(Error::Policy(format!(
                        "{} version {v:?} cannot be compared: {e}",
                        rule.name
                    ))),
                    Ok(ver) if req.matches(&ver) => Err(Error::Policy(format!(
                        "{} {v} is denied ({}){}",
                        rule.name,
                        rule.versions,
                        rule.reason
                            .as_deref()
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default()
                    ))),
                    Ok(_) => Ok(()),
                },
            };
            checks.record(
                "policy.denied-version",
                Some(format!("{} not {}", rule.name, rule.versions)),
                found.first().and_then(|p| p.version.clone()),
                format!("{} is not in {}", rule.name, rule.versions),
                result,
            )?;
        }
        Ok(())
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
