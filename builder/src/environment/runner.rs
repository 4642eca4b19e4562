//! GitHub Actions runner facts from the environment. Only allow-listed
//! variables are read, so no token can leak into a report.

use std::collections::BTreeMap;

const ALLOWED: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_REPOSITORY_ID",
    "GITHUB_REPOSITORY_OWNER_ID",
    "GITHUB_SHA",
    "GITHUB_REF",
    "GITHUB_EVENT_NAME",
    "GITHUB_WORKFLOW_REF",
    "GITHUB_WORKFLOW_SHA",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_JOB",
    "RUNNER_NAME",
    "RUNNER_OS",
    "RUNNER_ARCH",
    "RUNNER_ENVIRONMENT",
];

/// The allow-listed variables that are set.
pub fn capture() -> BTreeMap<String, String> {
    ALLOWED
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
        .collect()
}

/// This run and attempt as a URI
/// (`SERVER/OWNER/REPO/actions/runs/RUN/attempts/ATTEMPT`), when running in
/// GitHub Actions.
pub fn github_invocation_id() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok();
    let (server, repo, run) = (
        var("GITHUB_SERVER_URL")?,
        var("GITHUB_REPOSITORY")?,
        var("GITHUB_RUN_ID")?,
    );
    let attempt = var("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into());
    Some(format!(
        "{server}/{repo}/actions/runs/{run}/attempts/{attempt}"
    ))
}

/// In GitHub Actions, refuse to run `what` unless the runner is
/// GitHub-hosted (`RUNNER_ENVIRONMENT`): `detect` and `attest` must never
/// run on a tenant's machine, which a self-hosted runner labelled
/// `ubuntu-latest` would be.
pub fn require_github_hosted(what: &str) -> crate::error::Result<()> {
    if std::env::var("GITHUB_ACTIONS").as_deref() != Ok("true") {
        return Ok(());
    }
    match std::env::var("RUNNER_ENVIRONMENT").as_deref() {
        Ok("github-hosted") => Ok(()),
        other => Err(crate::error::BuildError::Sign(format!(
            "{what}.runner-environment: {what} runs only on GitHub-hosted runners, this runner is {}",
            other.unwrap_or("unstated (RUNNER_ENVIRONMENT is not set)")
        ))),
    }
}
