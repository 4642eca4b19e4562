//! `rebuild`: re-run a job from its signed provenance and compare digests.
//! The provenance is verified first (signature and subjects), the job file
//! and data must equal the recorded digests, and the rebuilt model's files
//! must equal the provenance's subjects byte for byte.

use crate::determinism::Determinism;
use crate::error::{BuildError, Result};
use crate::output_check::{bundle_statement, verify_evidence};
use crate::pipeline::{build, BuildOptions};
use crate::recorded::{
    compare_test_metrics, differences, digests, matches, signed_metrics, ABSOLUTE_TOLERANCE,
    RELATIVE_TOLERANCE,
};
use crate::spec::Job;
use serde_json::Value;
use slsa_aibom_trainer::metrics::Metrics;
use slsa_aibom_verify::documents::provenance::SLSA_PROVENANCE_V1;
use slsa_aibom_verify::{Digest, Policy, PublicKey, Subject};
use std::collections::BTreeMap;
use std::path::Path;

/// The signed statement of a provenance bundle, after verification.
fn verified_statement(bundle: &Path, key: &Path) -> Result<Value> {
    let statement = bundle_statement(bundle)?;
    let subjects: Vec<Subject> = statement["subject"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.pointer("/digest/sha256").and_then(Value::as_str))
        .filter_map(|h| {
            Digest::parse(&format!("sha256:{h}"))
                .ok()
                .map(Subject::Digest)
        })
        .collect();
    if subjects.is_empty() {
        return Err(BuildError::Verify(
            "the provenance has no sha256 subjects".into(),
        ));
    }
    let key = PublicKey::from_file(key).map_err(|e| BuildError::Verify(e.to_string()))?;
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(key),
        predicate_type: Some(SLSA_PROVENANCE_V1.into()),
        ..Policy::default()
    };
    verify_evidence(policy, bundle, subjects)?;
    Ok(statement)
}

/// Rebuild and compare; `Ok` carries the report line of a match.
pub fn run(
    provenance: &Path,
    key: &Path,
    inputs: &Path,
    out: &Path,
    threads: usize,
    device: Option<&str>,
    quiet: bool,
) -> Result<String> {
    let st = verified_statement(provenance, key)?;
    #[cfg(target_os = "linux")]
    if st["predicate"]["buildDefinition"]["buildType"]
        == slsa_aibom_types::command_provenance::COMMAND_BUILD_TYPE
    {
        return crate::training::command::rebuild::run(provenance, &st, inputs, out, quiet);
    }
    let ext = &st["predicate"]["buildDefinition"]["externalParameters"];
    let job_path = ext
        .pointer("/job/path")
        .and_then(Value::as_str)
        .ok_or_else(|| BuildError::Verify("externalParameters.job.path is missing".into()))?;
    let job_sha = ext
        .pointer("/job/digest/sha256")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let job = Job::load(&inputs.join(job_path))?;
    let local_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&job.bytes));
    if local_sha != job_sha {
        return Err(BuildError::Mismatch(format!(
            "{job_path} has sha256 {local_sha}, the provenance records {job_sha}"
        )));
    }
    let recorded_deps = digests(&st["predicate"]["buildDefinition"]["resolvedDependencies"]);
    let summary = build(
        &job,
        &BuildOptions::local(out, threads, device, quiet, job_path)?,
    )?;
    let rec = &summary.record;
    for f in &rec.data_files {
        let name = format!("dataset:{}", f.name);
        if recorded_deps.get(&name) != Some(&f.sha256) {
            return Err(BuildError::Mismatch(format!(
                "input {} has sha256 {}, the provenance records {}",
                f.name,
                f.sha256,
                recorded_deps
                    .get(&name)
                    .map(String::as_str)
                    .unwrap_or("nothing")
            )));
        }
    }
    let original = digests(&st["subject"]);
    let rebuilt: BTreeMap<String, String> = rec
        .model_files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    let recorded: Option<Determinism> = serde_json::from_value(
        st["predicate"]["buildDefinition"]["internalParameters"]["determinism"].clone(),
    )
    .ok();
    let now = Determinism::of(&rec.environment);
    // Older provenance has no determinism record: its bytes are compared.
    let bytes_must_match = recorded.as_ref().is_none_or(|r| r.comparable_bytes(&now));
    if original != rebuilt && !bytes_must_match {
        let recorded = recorded.expect("compared only with a record");
        return metrics_within_tolerance(provenance, &st, &rec.metrics, &recorded, &now);
    }
    if original != rebuilt {
        return Err(BuildError::Mismatch(
            differences(&original, &rebuilt).join("; "),
        ));
    }
    Ok(matches(&rebuilt))
}

/// Across device classes the bytes may differ: compare the final test
/// metrics with the signed `metrics.json` beside the release instead.
fn metrics_within_tolerance(
    provenance: &Path,
    statement: &Value,
    metrics: &Metrics,
    recorded: &Determinism,
    now: &Determinism,
) -> Result<String> {
    let why = if recorded.device_class == now.device_class {
        format!(
            "the device class {:?} is not known to be bit-identical ({})",
            now.device_class, recorded.class
        )
    } else {
        format!(
            "different device class (recorded {:?}, this rebuild {:?}): digest comparison not meaningful",
            recorded.device_class, now.device_class
        )
    };
    let signed = signed_metrics(provenance, statement)?;
    let ours = serde_json::to_value(metrics).map_err(|e| BuildError::Verify(e.to_string()))?;
    let compared = compare_test_metrics(&signed["test"], &ours["test"])?;
    Ok(format!(
        "{why}; final test metrics agree within {ABSOLUTE_TOLERANCE} + {:.0} % ({compared})",
        RELATIVE_TOLERANCE * 100.0
    ))
}
