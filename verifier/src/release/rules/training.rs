//! `[training]`: which tier may have trained the model (`rust`, our
//! reproducible trainer, or `command`, the caller's own script run confined
//! by our builder), for the command tier whether the command must have
//! been cut off from the network, and whether a second builder must have
//! reproduced the model.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use serde::{Deserialize, Serialize};
use slsa_aibom_types::command_provenance::COMMAND_BUILD_TYPE;
use slsa_aibom_types::provenance::BUILD_TYPE;

/// The tiers, as the policy names them.
pub const TIERS: [&str; 2] = ["rust", "command"];

/// `[training]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRules {
    /// The tiers a release may come from (default: either).
    #[serde(default)]
    pub tiers: Vec<String>,
    /// A command-tier release must record that its command ran without
    /// network, in a network namespace that held.
    #[serde(default)]
    pub require_network_isolated: bool,
    /// The release must come with a reproduction: a second builder's
    /// provenance of the same files from the same inputs
    /// (`super::super::reproduction`).
    #[serde(default)]
    pub require_reproduced: bool,
}

impl TrainingRules {
    /// Each unknown tier, by name.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        for t in self.tiers.iter().filter(|t| !TIERS.contains(&t.as_str())) {
            problems.push(format!(
                "training.tiers: {:?} is not a tier; the tiers are \"rust\" and \"command\"",
                crate::display::one_line(t)
            ));
        }
    }

    /// Hold the provenance's build type to the tiers, and a command
    /// release's isolation record to `require_network_isolated`.
    pub(super) fn check(&self, provenance: &Statement, checks: &mut Checks) -> Result<()> {
        let definition = &provenance.predicate["buildDefinition"];
        let tier = if definition["buildType"] == BUILD_TYPE {
            Some("rust")
        } else if definition["buildType"] == COMMAND_BUILD_TYPE {
            Some("command")
        } else {
            None
        };
        if !self.tiers.is_empty() {
            let shown = tier.unwrap_or("neither (another build type)");
            checks.require(
                CheckId::PolicyTrainingTier,
                Some(self.tiers.join(", ")),
                Some(shown.to_string()),
                format!("trained by the {shown} tier, which the policy allows"),
                tier.is_some_and(|t| self.tiers.iter().any(|a| a == t)),
                || {
                    Error::Policy(format!(
                        "the model was trained by the {shown} tier; the policy allows [{}]",
                        self.tiers.join(", ")
                    ))
                },
            )?;
        }
        if self.require_network_isolated && tier == Some("command") {
            let isolation = &definition["internalParameters"]["isolation"];
            let network = isolation["network"].as_str().unwrap_or("not recorded");
            let namespace = isolation["network_namespace"]
                .as_str()
                .unwrap_or("not recorded");
            let shown = format!(
                "network {}, namespace {}",
                crate::display::one_line(network),
                crate::display::one_line(namespace)
            );
            checks.require(
                CheckId::PolicyTrainingNetwork,
                Some("network none, namespace enforced".into()),
                Some(shown.clone()),
                "the command ran without network, in a namespace that held",
                network == "none" && namespace == "enforced",
                || Error::Policy(format!("the policy requires a command cut off from the network; the record says {shown}")),
            )?;
        }
        Ok(())
    }

    /// Hold the release to `require_reproduced`: `reproducer` is who
    /// signed a reproduction that verified and bound, if one did.
    pub(super) fn check_reproduced(
        &self,
        reproducer: Option<&str>,
        checks: &mut Checks,
    ) -> Result<()> {
        if !self.require_reproduced {
            return Ok(());
        }
        checks.require(
            CheckId::PolicyTrainingReproduced,
            Some("a reproduction by a second builder".into()),
            Some(reproducer.unwrap_or("none given").to_string()),
            "a second builder reproduced the model byte for byte",
            reproducer.is_some(),
            || {
                Error::Policy(
                    "the policy requires a reproduced build, and no rebuild's provenance was given"
                        .into(),
                )
            },
        )
    }
}
