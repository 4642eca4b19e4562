//! `[[denied_versions]]`: versions of a trainer or framework component
//! that must not have been used, as semver ranges that also catch
//! pre-releases.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::MlBom;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

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

impl DeniedVersion {
    /// A range that is not a semver requirement.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        if let Err(e) = semver::VersionReq::parse(&self.versions) {
            problems.push(format!(
                "denied_versions: {} {:?}: {e}",
                self.name, self.versions
            ));
        }
    }
}

/// Each rule against every ML-BOM component of its name.
pub(super) fn check(rules: &[DeniedVersion], bom: &MlBom, checks: &mut Checks) -> Result<()> {
    for rule in rules {
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
            (0, Some(m), _) => (0, m + 1, 0),
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
