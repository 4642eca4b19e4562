//! The command tier's record: what went in (hashed by our binary before
//! the run), how the command was confined (measured in its process), what
//! came out (hashed by our binary after), and what the script says of its
//! model (its metrics, asserted by the script). `docs/job-spec.md`, "The
//! command tier", says who vouches for each field.

use super::python_env::PythonEnvironment;
use super::sandbox::IsolationRecord;
use super::script_metrics::ScriptMetrics;
use super::spec::CommandSpec;
use super::workdir::{HashedFile, HashedInput};
use crate::attest::record::OutputFile;
use serde::{Deserialize, Serialize};

/// Everything a command-tier training produced, for the signing stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandRecord {
    /// The job file as given.
    pub job: CommandJobRecord,
    /// The declared files, as copied into the working directory.
    pub files: Vec<HashedFile>,
    /// The declared inputs.
    pub inputs: Vec<HashedInput>,
    /// The Python environment the setup phase made, when the job has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_environment: Option<PythonEnvironment>,
    /// What confined the command.
    pub isolation: IsolationRecord,
    /// How it ended (always 0 in a record: any other ending stops the build).
    pub exit_code: i32,
    /// Seconds the command ran.
    pub command_seconds: f64,
    /// Seconds our binary spent around it (preparing the working directory,
    /// hashing inputs and outputs, writing this record).
    pub overhead_seconds: f64,
    /// The model directory's files.
    pub model_files: Vec<OutputFile>,
    /// The metrics, as the script asserted them.
    pub script_metrics: ScriptMetrics,
    /// The metrics file and the command's log.
    pub byproducts: Vec<OutputFile>,
    /// Our binary (the `trainer` dependency: it ran and confined the
    /// command).
    pub trainer: crate::environment::trainer::TrainerInfo,
    /// The run (the workflow run and attempt, or a local ID).
    pub invocation_id: String,
    /// When the build started (UTC).
    pub started_on: String,
    /// When it finished (UTC).
    pub finished_on: String,
}

/// The job file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandJobRecord {
    /// Its path as the caller named it.
    pub path: String,
    /// The sha256 of its bytes.
    pub sha256: String,
    /// The parsed job.
    pub spec: CommandSpec,
}
