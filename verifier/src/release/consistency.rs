//! The checks that bind the three documents of a release to each other:
//! one signer and one run, one set of model files, one set of datasets,
//! and the ML-BOM file that the provenance names by digest.

use crate::check_id::CheckId;
use crate::documents::mlbom::{array, MlBom};
use crate::documents::provenance::slsa_v1;
use crate::documents::statement::Statement;
use crate::error::{Error, Result};
use crate::identity::CertIdentity;
use crate::verdict::Checks;
use serde_json::Value;
use slsa_aibom_types::provenance::{DATASET_PREFIX, TRAINER};
use std::collections::BTreeSet;

/// The verified statements and signers of a release.
pub struct Verified<'a> {
    /// The provenance statement.
    pub provenance: &'a Statement,
    /// The ML-BOM statement (its predicate is the ML-BOM).
    pub aibom: &'a Statement,
    /// The model-signature statement.
    pub signature: &'a Statement,
    /// The certificate identities, in the same order; `None` for keyed parts.
    pub signers: [Option<&'a CertIdentity>; 3],
}

/// `(name, sha256)` of every subject (lower-case hex; empty without sha256).
pub fn subjects(st: &Statement) -> BTreeSet<(String, String)> {
    st.subject
        .iter()
        .map(|s| {
            let d = s.digest.get("sha256").cloned().unwrap_or_default();
            (s.name.clone(), d.to_ascii_lowercase())
        })
        .collect()
}

/// `(name, sha256)` of every file a model signature lists.
pub fn signed_files(signature: &Statement) -> BTreeSet<(String, String)> {
    array(&signature.predicate["resources"])
        .iter()
        .filter(|r| r["algorithm"] == "sha256")
        .filter_map(|r| {
            Some((
                r["name"].as_str()?.to_string(),
                r["digest"].as_str()?.to_ascii_lowercase(),
            ))
        })
        .collect()
}

/// `(name, sha256)` of the provenance's resolved dependencies named
/// `prefix*`; the digest is empty when a dependency has no sha256. None
/// when the predicate is not SLSA v1 provenance.
pub fn dependencies(provenance: &Statement, prefix: &str) -> Vec<(String, String)> {
    let Ok(p) = slsa_v1(provenance) else {
        return Vec::new();
    };
    p.dependencies(prefix)
        .map(|d| (d.name.clone(), d.sha256_hex().unwrap_or_default()))
        .collect()
}

/// Rows in each split (`train`, `validation`, `test`), summed over the
/// provenance's datasets, as the builder recorded them with each split's
/// commitment (`annotations.recordRoots.SPLIT.records`).
pub fn split_rows(provenance: &Statement) -> std::collections::BTreeMap<String, u64> {
    let mut rows = std::collections::BTreeMap::new();
    let Ok(p) = slsa_v1(provenance) else {
        return rows;
    };
    for d in p.dependencies(DATASET_PREFIX) {
        for (split, root) in d
            .dataset_annotations()
            .map(|a| a.record_roots)
            .unwrap_or_default()
        {
            *rows.entry(split).or_insert(0) += root.records;
        }
    }
    rows
}

fn dependency_digests(provenance: &Statement, prefix: &str) -> BTreeSet<String> {
    dependencies(provenance, prefix)
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .collect()
}

fn show(set: &BTreeSet<(String, String)>) -> String {
    set.iter()
        .map(|(n, d)| format!("{n}={}", &d[..d.len().min(12)]))
        .collect::<Vec<_>>()
        .join(", ")
}

fn digests(set: &BTreeSet<String>) -> String {
    set.iter()
        .map(|d| &d[..d.len().min(12)])
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run every binding check; the first failure stops them.
pub fn check(v: &Verified<'_>, bom: &MlBom, checks: &mut Checks) -> Result<()> {
    same_signer(v, checks)?;
    let invocation = slsa_v1(v.provenance)?
        .run_details
        .metadata
        .invocation_id
        .unwrap_or_default();
    let invocation = invocation.as_str();
    let same_run = !invocation.is_empty() && bom.workflow_uids.iter().any(|u| u == invocation);
    checks.require(
        CheckId::ReleaseSameRun,
        Some(invocation.to_string()),
        Some(bom.workflow_uids.join(", ")),
        "the ML-BOM's training workflow is the provenance's invocation",
        same_run,
        || {
            Error::Identity(format!(
                "the ML-BOM comes from invocation {:?}, the provenance from {invocation:?}",
                bom.workflow_uids
            ))
        },
    )?;

    let files = signed_files(v.signature);
    let provenance_subjects = subjects(v.provenance);
    checks.require(
        CheckId::ReleaseModelFiles,
        Some(show(&files)),
        Some(show(&provenance_subjects)),
        "the provenance subjects are the signed model files",
        files == provenance_subjects,
        || {
            Error::Digest(format!(
                "the model signature lists [{}], the provenance subjects are [{}]",
                show(&files),
                show(&provenance_subjects)
            ))
        },
    )?;
    let aibom_subjects = subjects(v.aibom);
    checks.require(
        CheckId::ReleaseAibomSubjects,
        Some(show(&provenance_subjects)),
        Some(show(&aibom_subjects)),
        "the ML-BOM statement covers the same files",
        aibom_subjects == provenance_subjects,
        || {
            Error::Digest(format!(
                "the ML-BOM statement covers [{}], the provenance [{}]",
                show(&aibom_subjects),
                show(&provenance_subjects)
            ))
        },
    )?;
    let model_digests: BTreeSet<String> = files.iter().map(|(_, d)| d.clone()).collect();
    let bom_model: BTreeSet<String> = bom.model.sha256.iter().cloned().collect();
    checks.require(
        CheckId::ReleaseAibomModelHashes,
        Some(digests(&model_digests)),
        Some(digests(&bom_model)),
        "the ML-BOM model component's hashes are signed model files",
        !bom_model.is_empty() && bom_model.is_subset(&model_digests),
        || {
            Error::Digest(format!(
                "the ML-BOM model hashes [{}] are not among the model files [{}]",
                digests(&bom_model),
                digests(&model_digests)
            ))
        },
    )?;

    same_inputs(v, bom, checks)
}

/// The ML-BOM's datasets and trainer are the provenance's resolved
/// dependencies.
fn same_inputs(v: &Verified<'_>, bom: &MlBom, checks: &mut Checks) -> Result<()> {
    let deps = dependency_digests(v.provenance, DATASET_PREFIX);
    let bom_data: BTreeSet<String> = bom
        .datasets
        .iter()
        .flat_map(|d| d.sha256.iter().cloned())
        .collect();
    checks.require(
        CheckId::ReleaseDatasets,
        Some(digests(&deps)),
        Some(digests(&bom_data)),
        "the ML-BOM datasets are the provenance's resolved dataset dependencies",
        !deps.is_empty() && deps == bom_data,
        || {
            Error::Digest(format!(
                "the ML-BOM datasets [{}] differ from the provenance's [{}]",
                digests(&bom_data),
                digests(&deps)
            ))
        },
    )?;
    let trainer = dependency_digests(v.provenance, TRAINER);
    let bom_trainer: BTreeSet<String> = bom
        .applications
        .iter()
        .flat_map(|a| a.sha256.iter().cloned())
        .collect();
    checks.require(
        CheckId::ReleaseTrainer,
        Some(digests(&trainer)),
        Some(digests(&bom_trainer)),
        "the ML-BOM trainer is the provenance's trainer binary",
        !trainer.is_empty() && trainer == bom_trainer,
        || {
            Error::Digest(format!(
                "the ML-BOM trainer [{}] differs from the provenance's [{}]",
                digests(&bom_trainer),
                digests(&trainer)
            ))
        },
    )
}

/// All three signed by one identity in one run (keyless), or all by the
/// policy's key (keyed): never a mix.
fn same_signer(v: &Verified<'_>, checks: &mut Checks) -> Result<()> {
    let described = |s: Option<&CertIdentity>| match s {
        None => "the supplied key".to_string(),
        Some(id) => format!(
            "{} run {}",
            id.san.as_deref().unwrap_or("(no SAN)"),
            id.claims.run_invocation_uri.as_deref().unwrap_or("(none)")
        ),
    };
    let [p, a, s] = v.signers;
    let all: Vec<String> = [p, a, s].into_iter().map(described).collect();
    let ok = match (p, a, s) {
        (None, None, None) => true,
        (Some(p), Some(a), Some(s)) => {
            p.claims.run_invocation_uri.is_some()
                && [a, s].iter().all(|x| {
                    x.san == p.san && x.claims.run_invocation_uri == p.claims.run_invocation_uri
                })
        }
        _ => false,
    };
    checks.require(CheckId::ReleaseSameSigner,
        Some(all[0].clone()),
        Some(all.join(" | ")),
        format!(
            "provenance, ML-BOM and model signature all signed by {}",
            all[0]
        ),
        ok,
        || {
            Error::Identity(format!(
                "the three documents have different signers or runs: provenance {}, ML-BOM {}, model signature {}",
                all[0], all[1], all[2]
            ))
        },
    )
}

/// The ML-BOM file the provenance names as a byproduct (`aibom.cdx.json`)
/// must have that digest and be the signed ML-BOM.
pub fn aibom_file(
    provenance: &Statement,
    aibom: &Statement,
    bytes: &[u8],
    checks: &mut Checks,
) -> Result<()> {
    use sha2::Digest as _;
    let actual = hex::encode(sha2::Sha256::digest(bytes));
    let expected = slsa_v1(provenance).ok().and_then(|p| {
        p.byproduct(slsa_aibom_types::layout::AIBOM_FILE)
            .and_then(|b| b.sha256_hex())
    });
    let parsed: Option<Value> = crate::json::from_slice(bytes).ok();
    let result = match (&expected, parsed) {
        (None, _) => Err(Error::Digest(
            "the provenance names no aibom.cdx.json byproduct".into(),
        )),
        (Some(e), _) if *e != actual => Err(Error::Digest(format!(
            "the ML-BOM file has sha256 {actual}, the provenance names {e}"
        ))),
        (_, Some(json)) if json == aibom.predicate => Ok(()),
        _ => Err(Error::Digest(
            "the ML-BOM file is not the signed ML-BOM predicate".into(),
        )),
    };
    checks.record(
        CheckId::ReleaseAibomFile,
        expected,
        Some(actual),
        "the ML-BOM file is the provenance's byproduct and the signed predicate",
        result,
    )
}
