//! The train-runner policy: which runners may have trained a model, judged
//! from the runner record our builder's signing job read from the GitHub
//! Jobs API and wrote into the provenance at
//! `buildDefinition.internalParameters.trainRunner`.
//!
//! The certificate's runner-environment extension describes only the job
//! that signed (always GitHub-hosted in our workflow), so the training
//! runner has to come from this record. It is trusted only as far as the
//! signer is: apply this policy together with a builder identity.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use serde_json::Value;

/// Where the record sits in a SLSA v1 provenance predicate.
pub const TRAIN_RUNNER_POINTER: &str = "/buildDefinition/internalParameters/trainRunner";

/// The runner group GitHub puts its hosted runners in.
pub const GITHUB_HOSTED_GROUP: &str = "GitHub Actions";

/// What the train runner must be. Empty: no requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunnerPolicy {
    /// Refuse models trained on a self-hosted runner.
    pub deny_self_hosted: bool,
    /// The runner group must be one of these.
    pub allowed_groups: Vec<String>,
    /// The runner must carry every one of these labels.
    pub required_labels: Vec<String>,
}

impl RunnerPolicy {
    /// Whether the policy requires anything.
    pub fn is_empty(&self) -> bool {
        !self.deny_self_hosted && self.allowed_groups.is_empty() && self.required_labels.is_empty()
    }
}

/// The runner group ID the Jobs API reports for GitHub's standard hosted
/// runners. Groups an organisation creates (including the default group,
/// and those holding GitHub's larger runners) have IDs from 1.
pub const GITHUB_HOSTED_GROUP_ID: u64 = 0;

/// Whether a runner in `group` (name and ID, as the Jobs API reports them)
/// with `labels` is self-hosted. Fails closed: only GitHub's standard
/// hosted group (ID 0, named `GitHub Actions`) without a `self-hosted`
/// label counts as GitHub-hosted. A group merely named `GitHub Actions`,
/// and GitHub's larger runners (which live in organisation groups the
/// Jobs API does not tell apart from self-hosted ones), count as
/// self-hosted.
pub fn is_self_hosted<S: AsRef<str>>(
    group: Option<&str>,
    group_id: Option<u64>,
    labels: &[S],
) -> bool {
    group != Some(GITHUB_HOSTED_GROUP)
        || group_id != Some(GITHUB_HOSTED_GROUP_ID)
        || labels
            .iter()
            .any(|l| l.as_ref().eq_ignore_ascii_case("self-hosted"))
}

/// Whether a `trainRunner` record describes a self-hosted runner, judged
/// by this verifier from the group and labels as well as the recorded flag:
/// only a record that says `selfHosted: false` *and* names GitHub's hosted
/// group without a `self-hosted` label counts as GitHub-hosted.
pub fn record_is_self_hosted(record: &Value) -> bool {
    let labels: Vec<&str> = record["labels"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    record["selfHosted"] != Value::Bool(false)
        || is_self_hosted(
            record["runnerGroup"].as_str(),
            record["runnerGroupId"].as_u64(),
            &labels,
        )
}

/// Apply `policy` to the provenance statement `st`.
pub fn check(st: &Statement, policy: &RunnerPolicy, checks: &mut Checks) -> Result<()> {
    if policy.is_empty() {
        return Ok(());
    }
    let record = st
        .predicate
        .pointer(TRAIN_RUNNER_POINTER)
        .filter(|v| v.is_object());
    let record = checks.record(
        CheckId::RunnerRecord,
        None,
        None,
        "the provenance carries the platform-recorded train runner",
        record.ok_or_else(|| {
            Error::Policy(format!(
                "the runner policy needs the train runner record ({TRAIN_RUNNER_POINTER}), and this provenance has none"
            ))
        }),
    )?;
    let labels: Vec<&str> = record["labels"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let group = record["runnerGroup"].as_str();
    let name = record["runnerName"].as_str().unwrap_or("an unnamed runner");
    if policy.deny_self_hosted {
        let hosted = !record_is_self_hosted(record);
        checks.record(
            CheckId::RunnerGithubHosted,
            Some("github-hosted".into()),
            Some(if hosted { "github-hosted" } else { "self-hosted" }.into()),
            format!("trained on GitHub-hosted runner {name}"),
            if hosted {
                Ok(())
            } else {
                Err(Error::Policy(format!(
                    "trained on self-hosted runner {name} (group {}, labels {labels:?}), and self-hosted training is denied",
                    group.unwrap_or("unknown")
                )))
            },
        )?;
    }
    if !policy.allowed_groups.is_empty() {
        let ok = group.is_some_and(|g| policy.allowed_groups.iter().any(|a| a == g));
        checks.record(
            CheckId::RunnerGroup,
            Some(policy.allowed_groups.join(", ")),
            group.map(str::to_string),
            format!("runner group {} is allowed", group.unwrap_or_default()),
            if ok {
                Ok(())
            } else {
                Err(Error::Policy(format!(
                    "runner group {} is not one of {:?}",
                    group.unwrap_or("(none recorded)"),
                    policy.allowed_groups
                )))
            },
        )?;
    }
    if !policy.required_labels.is_empty() {
        let missing: Vec<&String> = policy
            .required_labels
            .iter()
            .filter(|want| !labels.iter().any(|l| l.eq_ignore_ascii_case(want)))
            .collect();
        checks.record(
            CheckId::RunnerLabels,
            Some(policy.required_labels.join(", ")),
            Some(labels.join(", ")),
            "the runner carries every required label",
            if missing.is_empty() {
                Ok(())
            } else {
                Err(Error::Policy(format!(
                    "the runner lacks the required label(s) {missing:?} (it has {labels:?})"
                )))
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provenance(runner: Value) -> Statement {
        let v = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "m", "digest": {"sha256": "00"}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {"buildDefinition": {"internalParameters": {"trainRunner": runner}}}
        });
        serde_json::from_value(v).unwrap()
    }

    fn hosted() -> Value {
        json!({"runnerName": "GitHub Actions 7", "runnerGroup": "GitHub Actions",
               "runnerGroupId": 0, "labels": ["ubuntu-24.04"], "selfHosted": false})
    }

    fn gpu() -> Value {
        json!({"runnerName": "gpu-3", "runnerGroup": "ml-gpu",
               "labels": ["self-hosted", "linux", "gpu"], "selfHosted": true})
    }

    fn run(runner: Value, policy: &RunnerPolicy) -> Result<()> {
        check(&provenance(runner), policy, &mut Checks::default())
    }

    #[test]
    fn deny_self_hosted() {
        let p = RunnerPolicy {
            deny_self_hosted: true,
            ..RunnerPolicy::default()
        };
        run(hosted(), &p).unwrap();
        assert!(run(gpu(), &p).is_err());
        // A record that claims to be hosted but names another group is not.
        let mut forged = gpu();
        forged["selfHosted"] = json!(false);
        assert!(run(forged, &p).is_err());
        let mut unlabelled = hosted();
        unlabelled["labels"] = json!(["self-hosted"]);
        assert!(run(unlabelled, &p).is_err());
        // An organisation's group named like GitHub's, a larger runner's
        // group, or a record without the group ID: not GitHub-hosted.
        for id in [json!(1), json!(7), Value::Null] {
            let mut lookalike = hosted();
            lookalike["runnerGroupId"] = id.clone();
            assert!(run(lookalike, &p).is_err(), "{id}");
        }
    }

    #[test]
    fn groups_and_labels() {
        let groups = RunnerPolicy {
            allowed_groups: vec!["ml-gpu".into()],
            ..RunnerPolicy::default()
        };
        run(gpu(), &groups).unwrap();
        assert!(run(hosted(), &groups).is_err());
        let labels = RunnerPolicy {
            required_labels: vec!["gpu".into(), "linux".into()],
            ..RunnerPolicy::default()
        };
        run(gpu(), &labels).unwrap();
        assert!(run(hosted(), &labels).is_err());
    }

    #[test]
    fn a_missing_record_fails_a_policy_and_passes_no_policy() {
        let st: Statement = serde_json::from_str(
            r#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#,
        )
        .unwrap();
        check(&st, &RunnerPolicy::default(), &mut Checks::default()).unwrap();
        let deny = RunnerPolicy {
            deny_self_hosted: true,
            ..RunnerPolicy::default()
        };
        assert!(check(&st, &deny, &mut Checks::default()).is_err());
    }
}
