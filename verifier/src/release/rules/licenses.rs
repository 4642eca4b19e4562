//! `[licenses]`: the SPDX licences a model and its datasets may carry. A
//! document's SPDX expression must be satisfiable with the allowed ones.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::MlBom;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

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

impl LicenseRules {
    /// Each allowed licence that is not an SPDX identifier.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        for l in self.model.iter().chain(&self.dataset) {
            if spdx::license_id(l).is_none() {
                problems.push(format!("licenses: {l:?} is not an SPDX license identifier"));
            }
        }
    }

    /// The model's licences, and every dataset's, when a list is given.
    pub(super) fn check(&self, bom: &MlBom, checks: &mut Checks) -> Result<()> {
        let mut targets: Vec<(CheckId, &[String], String, &[String])> = Vec::new();
        if !self.model.is_empty() {
            targets.push((
                CheckId::PolicyLicenseModel,
                &self.model,
                bom.model.name.clone(),
                &bom.model.licenses,
            ));
        }
        if !self.dataset.is_empty() {
            for d in &bom.datasets {
                targets.push((
                    CheckId::PolicyLicenseDataset,
                    &self.dataset,
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
