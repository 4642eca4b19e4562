//! The train job's runner as GitHub's Jobs API reports it, read by the
//! signing job and recorded in the provenance at
//! `buildDefinition.internalParameters.trainRunner`. The train job cannot
//! write it: it comes from the platform, through the signing job's token.

use crate::error::{BuildError, Result};
use crate::github_api::{required_env, GitHubApi};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use slsa_aibom_verify::runner_policy::is_self_hosted;

/// Which runner ran the train job, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainRunner {
    /// The job's ID (its check-run ID).
    pub job_id: u64,
    /// The workflow run it belongs to.
    pub run_id: u64,
    /// The run attempt.
    pub run_attempt: u64,
    /// The job's name.
    pub job_name: String,
    /// The runner's name.
    pub runner_name: String,
    /// The runner group (`GitHub Actions` for GitHub-hosted runners).
    pub runner_group: String,
    /// The labels the job asked for.
    pub labels: Vec<String>,
    /// Whether the runner is self-hosted (not in GitHub's group, or
    /// labelled `self-hosted`).
    pub self_hosted: bool,
    /// When the job started (RFC 3339).
    pub started_at: String,
    /// When it completed (RFC 3339).
    pub completed_at: String,
    /// Where this came from.
    pub source: String,
}

/// Where to ask, and which run the job must belong to.
#[derive(Debug, Clone)]
pub struct JobQuery {
    /// The API, with a token that may read the repository's Actions.
    pub api: GitHubApi,
    /// This run (`GITHUB_RUN_ID`).
    pub run_id: u64,
    /// This attempt (`GITHUB_RUN_ATTEMPT`).
    pub run_attempt: u64,
    /// The train job's check-run ID.
    pub job_id: u64,
}

fn number(name: &str) -> Result<u64> {
    let value = required_env(name)?;
    value
        .parse()
        .map_err(|_| BuildError::Sign(format!("{name} is {value:?}, not a number")))
}

impl JobQuery {
    /// The query for `job_id` in the current GitHub Actions run, from the
    /// job's environment.
    pub fn from_env(job_id: u64) -> Result<Self> {
        Ok(JobQuery {
            api: GitHubApi::from_env()?,
            run_id: number("GITHUB_RUN_ID")?,
            run_attempt: number("GITHUB_RUN_ATTEMPT")?,
            job_id,
        })
    }

    /// Ask the Jobs API, and check that the job is a finished job of this
    /// run and attempt.
    pub fn fetch(&self) -> Result<TrainRunner> {
        let job = self.api.get(&self.path()).map_err(|e| match e {
            BuildError::Sign(why) => {
                BuildError::Sign(format!("Jobs API, train job {}: {why}", self.job_id))
            }
            e => e,
        })?;
        self.runner(&job)
    }

    fn path(&self) -> String {
        format!(
            "/repos/{}/actions/jobs/{}",
            self.api.repository, self.job_id
        )
    }

    fn runner(&self, job: &Value) -> Result<TrainRunner> {
        let refuse = |why: String| BuildError::Sign(format!("train job {}: {why}", self.job_id));
        let u = |k: &str| job[k].as_u64();
        let s = |k: &str| job[k].as_str().unwrap_or_default().to_string();
        if u("id") != Some(self.job_id) {
            return Err(refuse(format!("the API answered for job {}", job["id"])));
        }
        if u("run_id") != Some(self.run_id) || u("run_attempt") != Some(self.run_attempt) {
            return Err(refuse(format!(
                "it belongs to run {} attempt {}, not to this run {} attempt {}",
                job["run_id"], job["run_attempt"], self.run_id, self.run_attempt
            )));
        }
        if job["status"] != "completed" || job["conclusion"] != "success" {
            return Err(refuse(format!(
                "it is {} ({}), not a successful completed job",
                job["status"], job["conclusion"]
            )));
        }
        let labels: Vec<String> = job["labels"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let group = s("runner_group_name");
        let name = s("runner_name");
        if name.is_empty() || group.is_empty() {
            return Err(refuse("the API names no runner or runner group".into()));
        }
        Ok(TrainRunner {
            job_id: self.job_id,
            run_id: self.run_id,
            run_attempt: self.run_attempt,
            job_name: s("name"),
            self_hosted: is_self_hosted(Some(&group), &labels),
            runner_name: name,
            runner_group: group,
            labels,
            started_at: s("started_at"),
            completed_at: s("completed_at"),
            source: format!("{}{}", self.api.api_url, self.path()),
        })
    }
}
