//! The GitHub REST API as the signing job uses it (octocrab, authenticated
//! with the job's `GITHUB_TOKEN`): reading the train job's record and
//! uploading attestations. Each call runs on its own single-threaded tokio
//! runtime, so the rest of the builder stays synchronous.

use crate::error::{BuildError, Result};
use serde_json::Value;

/// Where the API is and who is calling.
#[derive(Debug, Clone)]
pub struct GitHubApi {
    /// The REST API root (`GITHUB_API_URL`, default `https://api.github.com`).
    pub api_url: String,
    /// `OWNER/NAME` of the repository the run belongs to (`GITHUB_REPOSITORY`).
    pub repository: String,
    token: String,
}

/// A required environment variable, or an error naming it.
pub fn required_env(name: &str) -> Result<String> {
    std::env::var(name).map_err(|_| {
        BuildError::Sign(format!(
            "{name} is not set (this step runs in the workflow's attest job)"
        ))
    })
}

impl GitHubApi {
    /// The API of the current GitHub Actions run, from the job's environment.
    pub fn from_env() -> Result<Self> {
        Ok(GitHubApi {
            api_url: std::env::var("GITHUB_API_URL")
                .unwrap_or_else(|_| "https://api.github.com".into()),
            repository: required_env("GITHUB_REPOSITORY")?,
            token: required_env("GITHUB_TOKEN")?,
        })
    }

    /// `GET {api_url}{path}`, parsed as JSON.
    pub fn get(&self, path: &str) -> Result<Value> {
        self.call(path, |client, path| async move {
            client.get(path, None::<&()>).await
        })
    }

    /// `POST {api_url}{path}` with a JSON body, the answer parsed as JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.call(path, |client, path| async move {
            client.post(path, Some(body)).await
        })
    }

    fn call<'a, F, Fut>(&self, path: &str, request: F) -> Result<Value>
    where
        F: FnOnce(octocrab::Octocrab, String) -> Fut,
        Fut: std::future::Future<Output = octocrab::Result<Value>> + 'a,
    {
        let fail = |e: &dyn std::fmt::Display| {
            BuildError::Sign(format!("GitHub API {}{path}: {e}", self.api_url))
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fail(&e))?;
        let client = runtime.block_on(async {
            octocrab::Octocrab::builder()
                .base_uri(self.api_url.as_str())
                .map_err(|e| fail(&e))?
                .personal_token(self.token.clone())
                .build()
                .map_err(|e| fail(&e))
        })?;
        runtime
            .block_on(request(client, path.to_string()))
            .map_err(|e| match e {
                // octocrab's own message for these is just "GitHub".
                octocrab::Error::GitHub { source, .. } => {
                    fail(&format!("HTTP {}: {}", source.status_code, source.message))
                }
                e => fail(&e),
            })
    }
}
