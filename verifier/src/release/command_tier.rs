//! What a release of the command tier (a team's own script, run confined by
//! our builder; `docs/buildtype-command-v1.md`) says of how it was trained,
//! read from its provenance for the passport.

use crate::display::one_line;
use crate::evidence::statement::Statement;
use serde_json::Value;
use slsa_aibom_types::command_provenance::{COMMAND_BUILD_TYPE, FILE_PREFIX, PYTHON_PREFIX};

/// The command tier's facts, each made safe to print.
pub(crate) struct CommandFacts {
    command: String,
    files: Vec<String>,
    /// Each Python distribution of the environment, `NAME VERSION`.
    packages: Vec<String>,
    filesystem: String,
    user_namespace: String,
    network: String,
}

/// The job file's path and sha256, whichever of our build types wrote the
/// provenance (both record `externalParameters.job`).
pub(crate) fn job(st: &Statement) -> (String, String) {
    let job = &st.predicate["buildDefinition"]["externalParameters"]["job"];
    let text = |v: &Value| {
        v.as_str()
            .map_or_else(|| "?".to_string(), |s| one_line(s).into_owned())
    };
    (text(&job["path"]), text(&job["digest"]["sha256"]))
}

impl CommandFacts {
    /// The facts, when `st` is provenance of the command build type.
    pub(crate) fn of(st: &Statement) -> Option<Self> {
        let definition = &st.predicate["buildDefinition"];
        if definition["buildType"] != COMMAND_BUILD_TYPE {
            return None;
        }
        let params = &definition["externalParameters"];
        let isolation = &definition["internalParameters"]["isolation"];
        let word = |v: &Value| one_line(v.as_str().unwrap_or("not recorded")).into_owned();
        let deps = definition["resolvedDependencies"].as_array();
        let named = |prefix: &str| -> Vec<String> {
            deps.into_iter()
                .flatten()
                .filter_map(|d| {
                    d["name"]
                        .as_str()?
                        .strip_prefix(prefix)
                        .map(|n| one_line(n).into_owned())
                })
                .collect()
        };
        let command: Vec<String> = params["command"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| one_line(a.as_str().unwrap_or("?")).into_owned())
            .collect();
        Some(CommandFacts {
            command: command.join(" "),
            files: named(FILE_PREFIX),
            packages: python_packages(deps.map_or(&[][..], Vec::as_slice)),
            filesystem: word(&isolation["filesystem"]),
            user_namespace: word(&isolation["user_namespace"]),
            network: match word(&params["network"]).as_str() {
                "none" => format!(
                    "none (network namespace {})",
                    word(&isolation["network_namespace"])
                ),
                other => other.to_string(),
            },
        })
    }

    /// The environment's Python distributions, `NAME VERSION` each.
    pub(crate) fn packages(&self) -> &[String] {
        &self.packages
    }

    /// How it was trained, in one line: the caller's command, its files,
    /// its environment and its confinement, and whether a second builder
    /// reproduced it.
    pub(crate) fn describe(&self, builder: &str, reproduced: bool) -> String {
        let files = if self.files.is_empty() {
            "no declared files".to_string()
        } else {
            self.files.join(", ")
        };
        format!(
            "the caller's command `{}` ({files}), run by {builder} in an environment of {} Python package(s); confined: file system {}, user namespace {}, network {}; command tier: {}",
            self.command,
            self.packages.len(),
            self.filesystem,
            self.user_namespace,
            self.network,
            if reproduced {
                "reproduced by a second builder"
            } else {
                "not re-derived"
            }
        )
    }
}

/// `NAME VERSION` of each `python:NAME` dependency, the version from its
/// purl (`pkg:pypi/NAME@VERSION`), made safe to print.
fn python_packages(deps: &[Value]) -> Vec<String> {
    deps.iter()
        .filter_map(|d| {
            let name = d["name"].as_str()?.strip_prefix(PYTHON_PREFIX)?;
            let version = d["uri"]
                .as_str()
                .and_then(|u| u.rsplit_once('@'))
                .map_or("?", |(_, v)| v);
            Some(one_line(&format!("{name} {version}")).into_owned())
        })
        .collect()
}
