//! `rebuild` of a command-tier release: run the job again, from the job
//! file, declared files and inputs under `--inputs` (each must have the
//! digest the verified provenance records), confined as before, and compare
//! the model files with the provenance's subjects byte for byte. A script
//! is reproducible only if it is deterministic; when the bytes differ, the
//! rebuild says so (exit 8) and compares the script's test metrics with the
//! signed ones, for information.

use crate::error::{BuildError, Result};
use crate::pipeline::BuildOptions;
use crate::recorded::{compare_test_metrics, differences, digests, matches, signed_metrics};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Rebuild the command-tier release whose verified provenance statement
/// (`st`) is in the bundle `provenance`; `Ok` carries the report line of a
/// match.
pub fn run(
    provenance: &Path,
    st: &Value,
    inputs: &Path,
    out: &Path,
    quiet: bool,
) -> Result<String> {
    let definition = &st["predicate"]["buildDefinition"];
    let ext = &definition["externalParameters"];
    let job_path = ext
        .pointer("/job/path")
        .and_then(Value::as_str)
        .ok_or_else(|| BuildError::Verify("externalParameters.job.path is missing".into()))?;
    let job = super::CommandJob::load(&inputs.join(job_path))?;
    let recorded = digests(&definition["resolvedDependencies"]);
    let local = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&job.bytes));
    same("the job file", job_path, &local, recorded.get("job"))?;
    let opts = BuildOptions::local(out, 1, None, quiet, job_path)?;
    let record = super::build(&job, &opts)?;
    for f in &record.files {
        let name = format!(
            "{}{}",
            slsa_aibom_types::command_provenance::FILE_PREFIX,
            f.path
        );
        same("declared file", &f.path, &f.sha256, recorded.get(&name))?;
    }
    for i in &record.inputs {
        let prefix = match i.kind {
            super::spec::InputKind::Dataset => slsa_aibom_types::provenance::DATASET_PREFIX,
            super::spec::InputKind::Model => {
                slsa_aibom_types::command_provenance::MODEL_INPUT_PREFIX
            }
        };
        let name = format!("{prefix}{}", i.file.path);
        same("input", &i.file.path, &i.file.sha256, recorded.get(&name))?;
    }
    let original = digests(&st["subject"]);
    let rebuilt: BTreeMap<String, String> = record
        .model_files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    if original != rebuilt {
        let diff = differences(&original, &rebuilt);
        let rebuilt_metrics = serde_json::to_value(&record.script_metrics)
            .map_err(|e| BuildError::Io(e.to_string()))?;
        // For information: whether the script at least reports the same
        // figures (a metrics file that is not at hand is said so).
        let metrics = match signed_metrics(provenance, st) {
            Ok(recorded) => match compare_test_metrics(&recorded["test"], &rebuilt_metrics["test"])
            {
                Ok(agree) => {
                    format!("the script's test metrics agree within the tolerance ({agree})")
                }
                Err(e) => e.to_string(),
            },
            Err(e) => format!("the script's metrics were not compared: {e}"),
        };
        return Err(BuildError::Mismatch(format!(
            "not reproduced: {}; {metrics}",
            diff.join("; ")
        )));
    }
    Ok(matches(&rebuilt))
}

/// Refuse a file whose digest is not the one the provenance records.
fn same(what: &str, path: &str, local: &str, recorded: Option<&String>) -> Result<()> {
    match recorded {
        Some(r) if r == local => Ok(()),
        _ => Err(BuildError::Mismatch(format!(
            "{what} {path} has sha256 {local}, the provenance records {}",
            recorded.map_or("nothing", |r| r.as_str())
        ))),
    }
}
