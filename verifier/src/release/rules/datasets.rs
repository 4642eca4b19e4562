//! `[datasets]`: dataset digests that are approved or denied, held to the
//! provenance's dataset dependencies.

use super::sha256_problem;
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use serde::{Deserialize, Serialize};

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

impl DatasetRules {
    /// Each digest that is not `sha256:HEX`.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        problems.extend(
            self.approved
                .iter()
                .chain(&self.denied)
                .filter_map(|d| sha256_problem("datasets", d, "the provenance records datasets")),
        );
    }

    /// Every dataset the provenance records is approved (when a list is
    /// given) and not denied.
    pub(super) fn check(&self, provenance: &Statement, checks: &mut Checks) -> Result<()> {
        if self.approved.is_empty() && self.denied.is_empty() {
            return Ok(());
        }
        let norm = |s: &String| s.to_ascii_lowercase();
        let approved: Vec<String> = self.approved.iter().map(norm).collect();
        let denied: Vec<String> = self.denied.iter().map(norm).collect();
        for (name, sha256) in crate::release::consistency::dependencies(provenance, "dataset:") {
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
}
