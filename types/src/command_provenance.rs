//! The command tier's build type (`docs/buildtype-command-v1.md`): a
//! team's own script run confined by our binary. The predicate is SLSA v1
//! ([`crate::provenance::Provenance`]) with these parameters.

use crate::provenance::JobFile;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The command tier's build type.
pub const COMMAND_BUILD_TYPE: &str = "https://github.com/ORG/slsa-aibom/buildtypes/command/v1";

/// The keys the command build type's `externalParameters` may hold.
pub const COMMAND_EXTERNAL_PARAMETERS: [&str; 5] = ["command", "inputs", "job", "network", "spec"];

/// The name prefix of a declared file's dependency (`file:train.py`).
pub const FILE_PREFIX: &str = "file:";

/// The name prefix of a declared model input's dependency (`model:PATH`).
/// Unlike `base-model:`, nothing verified its signature: only its digest
/// was taken before the run.
pub const MODEL_INPUT_PREFIX: &str = "model:";

/// The name prefix of an installed Python distribution's dependency
/// (`python:NAME`, its purl as the URI).
pub const PYTHON_PREFIX: &str = "python:";

/// The name of the lock's dependency.
pub const REQUIREMENTS: &str = "requirements";

/// What the caller controlled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandExternalParameters {
    /// The argv that ran.
    pub command: Vec<String>,
    /// The reusable workflow's inputs (absent for local builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<BTreeMap<String, Value>>,
    /// The job file.
    pub job: JobFile,
    /// `none` or `allowed`.
    pub network: String,
    /// The job, as parsed.
    pub spec: Value,
}

/// What our binary recorded around the command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandInternalParameters {
    /// How the command was confined, measured in its process.
    pub isolation: Value,
    /// The setup phase's environment: interpreter, lock, packages, and how
    /// pip was confined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_environment: Option<Value>,
    /// Seconds the command ran.
    pub command_seconds: f64,
    /// The train runner the Jobs API named (workflow builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_runner: Option<Value>,
}
