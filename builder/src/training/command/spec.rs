//! The command tier's job file: `trainer = "command"` and a `[run]` table
//! naming the team's own script, the files and inputs it reads and the
//! outputs it writes. Like the Rust tier's spec, every key is typed,
//! unknown keys are refused with their path, and values are checked before
//! anything runs (`docs/job-spec.md`, "The command tier").

use crate::spec::Metadata;
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};

/// The most a run may last (a week).
pub const MAX_TIMEOUT_SECONDS: u64 = 7 * 24 * 3600;

/// A command-tier job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSpec {
    /// Always `"command"` (the Rust tier's job files have no `trainer`).
    pub trainer: String,
    /// Model-card metadata, as for the Rust tier.
    pub metadata: Metadata,
    /// What to run.
    pub run: RunSpec,
}

/// The `[run]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// The argv, run without a shell from the working directory.
    pub command: Vec<String>,
    /// The scripts and configs the command uses, relative to the job
    /// file's directory; copied into the working directory and hashed.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// Declared datasets and base models, hashed before the run.
    #[serde(default)]
    pub inputs: Vec<InputSpec>,
    /// What the command writes.
    pub outputs: OutputsSpec,
    /// Whether the command may reach the network.
    #[serde(default)]
    pub network: Network,
    /// Seconds the command may run before it is killed.
    pub timeout: u64,
    /// Absolute paths outside the system directories the command may read
    /// (an interpreter or environment installed elsewhere, such as a
    /// virtual environment on the runner). Recorded.
    #[serde(default)]
    pub read_only: Vec<PathBuf>,
    /// How the command's Python dependencies are provided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvironmentSpec>,
}

/// `[run.environment]`: a virtual environment made in the working
/// directory and filled from a hash-pinned lock, in a setup phase before
/// the command runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSpec {
    /// The interpreter that makes the environment: a name looked up on the
    /// command's `PATH`, or an absolute path.
    #[serde(default = "python3")]
    pub python: String,
    /// The lock (relative to the job file), every requirement pinned with
    /// `--hash`; installed with `pip install --require-hashes --only-binary :all:`.
    pub requirements: PathBuf,
    /// A folder of wheels (relative to the job file) to install from
    /// instead of the index: then the setup phase has no network either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find_links: Option<PathBuf>,
}

fn python3() -> String {
    "python3".into()
}

/// One declared input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The file, relative to the job file's directory; the command sees it
    /// at the same relative path in its working directory, read-only.
    pub path: PathBuf,
    /// What it is.
    pub kind: InputKind,
    /// The sha256 it must have; a different one stops the build before the
    /// command runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its licence (SPDX), for the ML-BOM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// What a declared input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// Training or evaluation data.
    Dataset,
    /// A base model's weights or configuration.
    Model,
}

/// The `[run.outputs]` table, paths relative to the working directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputsSpec {
    /// The directory the command writes the model into (created empty).
    pub model: PathBuf,
    /// The JSON file the command writes its metrics into
    /// (`docs/job-spec.md`, "Metrics a script reports").
    pub metrics: PathBuf,
}

/// `run.network`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// No network: a network namespace with only a loopback, which is down.
    #[default]
    None,
    /// The host's network.
    Allowed,
}

impl CommandSpec {
    /// Parse and check a command-tier job file. Errors name the key path.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        let tree: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        crate::spec::reject_unsafe_text(&toml::Value::Table(tree), "")?;
        let de = toml::Deserializer::parse(text).map_err(|e| e.to_string())?;
        let spec: CommandSpec = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            format!("at `{path}`: {}", e.into_inner().to_string().trim_end())
        })?;
        spec.validate()?;
        Ok(spec)
    }

    fn validate(&self) -> Result<(), String> {
        if self.trainer != "command" {
            return Err(format!(
                "at `trainer`: {:?} is not a trainer; the command tier is \"command\" (a Rust-tier job has no `trainer` key)",
                self.trainer
            ));
        }
        let run = &self.run;
        match run.command.first() {
            None => return Err("at `run.command`: give the program and its arguments, e.g. [\"python3\", \"train.py\"]".into()),
            Some(p) if p.is_empty() => return Err("at `run.command[0]`: the program is empty".into()),
            Some(_) => {}
        }
        if run.timeout == 0 || run.timeout > MAX_TIMEOUT_SECONDS {
            return Err(format!(
                "at `run.timeout`: {} s is outside 1..={MAX_TIMEOUT_SECONDS} s",
                run.timeout
            ));
        }
        for (i, f) in run.files.iter().enumerate() {
            relative(f, &format!("run.files[{i}]"))?;
        }
        for (i, input) in run.inputs.iter().enumerate() {
            relative(&input.path, &format!("run.inputs[{i}].path"))?;
            if let Some(d) = &input.sha256 {
                if d.len() != 64 || !d.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    return Err(format!(
                        "at `run.inputs[{i}].sha256`: {d:?} is not 64 lowercase hex digits"
                    ));
                }
            }
        }
        relative(&run.outputs.model, "run.outputs.model")?;
        relative(&run.outputs.metrics, "run.outputs.metrics")?;
        let (model, metrics) = (&run.outputs.model, &run.outputs.metrics);
        if metrics.starts_with(model) || model.starts_with(metrics) {
            return Err(
                "at `run.outputs`: the metrics file must lie outside the model directory".into(),
            );
        }
        let declared = run.files.iter().chain(run.inputs.iter().map(|i| &i.path));
        for p in declared {
            if p.starts_with(model) || p.starts_with(metrics) || model.starts_with(p) {
                return Err(format!(
                    "at `run.outputs`: {} is declared as a file or input and overlaps an output",
                    p.display()
                ));
            }
        }
        if let Some(env) = &run.environment {
            relative(&env.requirements, "run.environment.requirements")?;
            if let Some(links) = &env.find_links {
                relative(links, "run.environment.find_links")?;
            }
            let python = Path::new(&env.python);
            let bare = !env.python.is_empty() && !env.python.contains('/');
            let absolute =
                python.is_absolute() && !python.components().any(|c| c == Component::ParentDir);
            if !bare && !absolute {
                return Err(format!(
                    "at `run.environment.python`: {:?} must be a program name or an absolute path",
                    env.python
                ));
            }
        }
        for (i, p) in run.read_only.iter().enumerate() {
            if !p.is_absolute() || p.components().any(|c| c == Component::ParentDir) {
                return Err(format!(
                    "at `run.read_only[{i}]`: {} must be an absolute path without `..`",
                    p.display()
                ));
            }
        }
        Ok(())
    }
}

/// Refuse a path that is empty, absolute or climbs out with `..`.
fn relative(p: &Path, at: &str) -> Result<(), String> {
    let ok = !p.as_os_str().is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && p.components().any(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "at `{at}`: {} must be a relative path inside the job's directory (no `..`, not absolute)",
            p.display()
        ))
    }
}

/// Whether a job file asks for the command tier (`trainer = "command"` at
/// its top). A file that is not TOML is not one (its parser says why).
pub fn is_command_job(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(t).ok())
        .is_some_and(|t| t.contains_key("trainer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
trainer = "command"
[metadata]
name = "m"
version = "1"
license = "MIT"
[run]
command = ["sh", "train.sh"]
files = ["train.sh"]
timeout = 60
[[run.inputs]]
path = "data/d.csv"
kind = "dataset"
[run.outputs]
model = "out/model"
metrics = "out/metrics.json"
"#;

    fn with(from: &str, to: &str) -> Result<CommandSpec, String> {
        assert!(GOOD.contains(from), "{from}");
        CommandSpec::parse(GOOD.replacen(from, to, 1).as_bytes())
    }

    #[test]
    fn a_good_job_parses_with_the_network_off_by_default() {
        let spec = CommandSpec::parse(GOOD.as_bytes()).unwrap();
        assert_eq!(spec.run.network, Network::None);
        assert_eq!(spec.run.inputs[0].kind, InputKind::Dataset);
        assert!(is_command_job(GOOD.as_bytes()));
        assert!(!is_command_job(b"[metadata]\nname = \"x\"\n"));
    }

    #[test]
    fn bad_values_are_refused_by_key() {
        for (from, to, want) in [
            (
                "command = [\"sh\", \"train.sh\"]",
                "command = []",
                "run.command",
            ),
            ("\"sh\", \"train.sh\"", "\"\", \"x\"", "run.command[0]"),
            // A NUL or another control character in an argument.
            (
                "\"sh\", \"train.sh\"",
                "\"sh\", \"train.sh\\u0000\"",
                "run.command[1]",
            ),
            ("timeout = 60", "timeout = 0", "run.timeout"),
            (
                "files = [\"train.sh\"]",
                "files = [\"../x\"]",
                "run.files[0]",
            ),
            (
                "files = [\"train.sh\"]",
                "files = [\"/etc/passwd\"]",
                "run.files[0]",
            ),
            ("path = \"data/d.csv\"", "path = \"\"", "run.inputs[0].path"),
            (
                "kind = \"dataset\"",
                "kind = \"dataset\"\nsha256 = \"ABC\"",
                "run.inputs[0].sha256",
            ),
            (
                "kind = \"dataset\"",
                "kind = \"weights\"",
                "run.inputs[0].kind",
            ),
            (
                "metrics = \"out/metrics.json\"",
                "metrics = \"out/model/m.json\"",
                "run.outputs",
            ),
            ("model = \"out/model\"", "model = \"data\"", "run.outputs"),
            ("trainer = \"command\"", "trainer = \"rust\"", "trainer"),
            (
                "timeout = 60",
                "timeout = 60\nnetwork = \"some\"",
                "run.network",
            ),
            (
                "timeout = 60",
                "timeout = 60\nread_only = [\"venv\"]",
                "run.read_only[0]",
            ),
            ("timeout = 60", "timeout = 60\nshell = true", "run.shell"),
            (
                "timeout = 60",
                "timeout = 60\nenvironment = { requirements = \"../r.lock\" }",
                "run.environment.requirements",
            ),
            (
                "timeout = 60",
                "timeout = 60\nenvironment = { requirements = \"r.lock\", python = \"bin/py\" }",
                "run.environment.python",
            ),
            (
                "timeout = 60",
                "timeout = 60\nenvironment = { requirements = \"r.lock\", pip = \"x\" }",
                "run.environment.pip",
            ),
            (
                "\"train.sh\"]\nfiles",
                "\"train\\u001b[2J.sh\"]\nfiles",
                "run.command[1]",
            ),
        ] {
            let e = with(from, to).unwrap_err();
            assert!(e.contains(&format!("`{want}")), "{to}: {e}");
        }
    }
}
