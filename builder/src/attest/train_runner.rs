//! The train job's runner as GitHub's Jobs API reports it, found by the
//! signing job itself and recorded in the provenance at
//! `buildDefinition.internalParameters.trainRunner`.
//!
//! The train job runs on the tenant's machine, so nothing it says about
//! itself is believed: `attest` lists the jobs of its own run attempt,
//! finds itself by its own check-run ID (the platform's word: `attest`
//! runs on a GitHub-hosted runner), derives the name GitHub gave the
//! workflow's `train` job (`CALLER / train` for a reusable workflow), and
//! takes the one job of that name. Its labels and group must agree with
//! the `train-runs-on` input; the train job's own report of its ID is only
//! cross-checked.

use super::signing_check::SigningCheck;
use crate::error::{BuildError, Result};
use crate::github_api::{required_env, GitHubApi};
use crate::runs_on::RunsOn;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use slsa_aibom_verify::documents::runner_policy::is_self_hosted;

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
    /// The runner group's ID (0 for GitHub's standard hosted runners).
    pub runner_group_id: Option<u64>,
    /// The labels the job asked for.
    pub labels: Vec<String>,
    /// Whether the runner is self-hosted (see
    /// `slsa_aibom_verify::documents::runner_policy::is_self_hosted`).
    pub self_hosted: bool,
    /// When the job started (RFC 3339).
    pub started_at: String,
    /// When it completed (RFC 3339).
    pub completed_at: String,
    /// Where this came from.
    pub source: String,
}

/// Where to ask, and how to recognise the train job.
#[derive(Debug, Clone)]
pub struct TrainJobQuery {
    /// The API, with a token that may read the repository's Actions.
    pub api: GitHubApi,
    /// This run (`GITHUB_RUN_ID`).
    pub run_id: u64,
    /// This attempt (`GITHUB_RUN_ATTEMPT`).
    pub run_attempt: u64,
    /// The signing job's own check-run ID (`job.check_run_id` of `attest`).
    pub attest_job_id: u64,
    /// The ID the train job reported for itself, if any: a cross-check only.
    pub reported_train_job_id: Option<u64>,
    /// The workflow's `train-runs-on` input, from the build definition.
    pub runs_on: RunsOn,
}

fn number(name: &str) -> Result<u64> {
    let value = required_env(name)?;
    value
        .parse()
        .map_err(|_| BuildError::Sign(format!("{name} is {value:?}, not a number")))
}

const RERUN: &str = "a re-run of `attest` alone cannot sign a train job of an earlier attempt: re-run the whole workflow";

impl TrainJobQuery {
    /// The query for the current GitHub Actions run, from the job's
    /// environment.
    pub fn from_env(
        attest_job_id: u64,
        reported_train_job_id: Option<u64>,
        runs_on: RunsOn,
    ) -> Result<Self> {
        Ok(TrainJobQuery {
            api: GitHubApi::from_env()?,
            run_id: number("GITHUB_RUN_ID")?,
            run_attempt: number("GITHUB_RUN_ATTEMPT")?,
            attest_job_id,
            reported_train_job_id,
            runs_on,
        })
    }

    fn path(&self, page: u32) -> String {
        format!(
            "/repos/{}/actions/runs/{}/attempts/{}/jobs?per_page=100&page={page}",
            self.api.repository, self.run_id, self.run_attempt
        )
    }

    /// Every job of this run attempt, page by page.
    fn jobs(&self) -> Result<Vec<Value>> {
        let mut jobs = Vec::new();
        for page in 1..=50 {
            let answer = self.api.get(&self.path(page)).map_err(|e| match e {
                BuildError::Sign(why) => SigningCheck::TrainRunnerJobs.refuse(format!(
                    "Jobs API, run {} attempt {}: {why}",
                    self.run_id, self.run_attempt
                )),
                e => e,
            })?;
            let batch = answer["jobs"].as_array().cloned().unwrap_or_default();
            let total = answer["total_count"].as_u64().unwrap_or(0) as usize;
            let done = batch.is_empty();
            jobs.extend(batch);
            if done || jobs.len() >= total {
                return Ok(jobs);
            }
        }
        Err(SigningCheck::TrainRunnerJobs.refuse("the run lists more than 5000 jobs"))
    }

    /// Find the train job and check it; see the module documentation.
    pub fn fetch(&self) -> Result<TrainRunner> {
        let jobs = self.jobs()?;
        self.train_job(&jobs)
    }

    fn train_job(&self, jobs: &[Value]) -> Result<TrainRunner> {
        let own = jobs
            .iter()
            .find(|j| j["id"].as_u64() == Some(self.attest_job_id))
            .ok_or_else(|| {
                SigningCheck::TrainRunnerAttestJob.refuse(format!(
                    "run {} attempt {} lists no job {} (this signing job); {RERUN}",
                    self.run_id, self.run_attempt, self.attest_job_id
                ))
            })?;
        let own_name = own["name"].as_str().unwrap_or_default();
        let prefix = own_name.strip_suffix("attest").ok_or_else(|| {
            SigningCheck::TrainRunnerAttestJob.refuse(format!(
                "this signing job is named {own_name:?}, not \"attest\" or \"CALLER / attest\""
            ))
        })?;
        let want = format!("{prefix}train");
        let named: Vec<&Value> = jobs.iter().filter(|j| j["name"] == want.as_str()).collect();
        let job = match named.as_slice() {
            [one] => *one,
            [] => {
                return Err(SigningCheck::TrainRunnerFind.refuse(format!(
                    "run {} attempt {} lists no job named {want:?}; {RERUN}",
                    self.run_id, self.run_attempt
                )))
            }
            many => {
                return Err(SigningCheck::TrainRunnerFind.refuse(format!(
                    "{} jobs are named {want:?}; exactly one must be",
                    many.len()
                )))
            }
        };
        let id = job["id"].as_u64().unwrap_or_default();
        if let Some(reported) = self.reported_train_job_id.filter(|r| *r != id) {
            return Err(SigningCheck::TrainRunnerSelfReport.refuse(format!(
                    "the train job reported itself as job {reported}, but the Jobs API lists job {id} as this run's {want:?}; the train runner is not telling the truth"
                ),
            ));
        }
        self.runner(job, id)
    }

    fn runner(&self, job: &Value, id: u64) -> Result<TrainRunner> {
        let refuse =
            |check: SigningCheck, why: String| check.refuse(format!("train job {id}: {why}"));
        let u = |k: &str| job[k].as_u64();
        let s = |k: &str| job[k].as_str().unwrap_or_default().to_string();
        if u("run_id") != Some(self.run_id) {
            return Err(refuse(
                SigningCheck::TrainRunnerRun,
                format!(
                    "it belongs to run {}, not to this run {}",
                    job["run_id"], self.run_id
                ),
            ));
        }
        if u("run_attempt") != Some(self.run_attempt) {
            return Err(refuse(
                SigningCheck::TrainRunnerAttempt,
                format!(
                    "it ran in attempt {}, this is attempt {}; {RERUN}",
                    job["run_attempt"], self.run_attempt
                ),
            ));
        }
        if job["status"] != "completed" || job["conclusion"] != "success" {
            return Err(refuse(
                SigningCheck::TrainRunnerFinished,
                format!(
                    "it is {} ({}), not a successful completed job",
                    job["status"], job["conclusion"]
                ),
            ));
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
            return Err(refuse(
                SigningCheck::TrainRunnerRunner,
                "the API names no runner or runner group".into(),
            ));
        }
        self.runs_on
            .admits(&group, &labels)
            .map_err(|why| refuse(SigningCheck::TrainRunnerRunsOn, why))?;
        let group_id = u("runner_group_id");
        Ok(TrainRunner {
            job_id: id,
            run_id: self.run_id,
            run_attempt: self.run_attempt,
            job_name: s("name"),
            self_hosted: is_self_hosted(Some(&group), group_id, &labels),
            runner_name: name,
            runner_group: group,
            runner_group_id: group_id,
            labels,
            started_at: s("started_at"),
            completed_at: s("completed_at"),
            source: format!(
                "{}/repos/{}/actions/jobs/{id}",
                self.api.api_url, self.api.repository
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_on_reads_the_three_forms_and_refuses_others() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            RunsOn::parse("\"ubuntu-latest\"").unwrap().labels,
            l(&["ubuntu-latest"])
        );
        assert_eq!(
            RunsOn::parse(r#"["self-hosted","gpu"]"#).unwrap().labels,
            l(&["self-hosted", "gpu"])
        );
        let g = RunsOn::parse(r#"{"group":"ml-gpu","labels":["gpu"]}"#).unwrap();
        assert_eq!(g.group.as_deref(), Some("ml-gpu"));
        for bad in ["[]", "{}", r#"{"pool":"x"}"#, "7", "[1]", "not json"] {
            assert!(RunsOn::parse(bad).is_err(), "{bad}");
        }
        let asked = RunsOn::parse(r#"{"group":"ml-gpu","labels":["self-hosted","gpu"]}"#).unwrap();
        asked.admits("ml-gpu", &l(&["GPU", "self-hosted"])).unwrap();
        assert!(asked
            .admits("default", &l(&["gpu", "self-hosted"]))
            .is_err());
        assert!(asked.admits("ml-gpu", &l(&["gpu"])).is_err());
        assert!(asked
            .admits("ml-gpu", &l(&["gpu", "self-hosted", "x"]))
            .is_err());
    }
}
