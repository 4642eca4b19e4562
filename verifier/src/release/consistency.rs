//! The checks that bind the three documents of a release to each other:
//! one signer and one run, one set of model files, one set of datasets,
//! and the ML-BOM file that the provenance names by digest.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::{array, MlBom};
use crate::documents::provenance::slsa_v1;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use crate::identity::CertIdentity;
use serde_json::Value;
use slsa_aibom_types::provenance::{DATASET_PREFIX, TRAINER};
use std::collections::BTreeSet;

/// The verified statements and signers of a release. Only release
/// verification makes one, from statements it has verified.
pub struct Verified<'a> {
    /// The provenance statement.
    pub(crate) provenance: &'a Statement,
    /// The ML-BOM statement (its predicate is the ML-BOM).
    pub(crate) aibom: &'a Statement,
    /// The model-signature statement.
    pub(crate) signature: &'a Statement,
    /// The certificate identities, in the same order; `None` for keyed parts.
    pub(crate) signers: [Option<&'a CertIdentity>; 3],
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use std::path::PathBuf;

    fn release(file: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/release")
            .join(file)
    }

    /// The unverified statement of one of the shipped release's documents.
    fn statement(file: &str) -> Statement {
        let text = std::fs::read_to_string(release(file)).unwrap();
        let evidence = crate::evidence::parse(&text).unwrap().remove(0).unwrap();
        evidence.statement().unwrap().unwrap()
    }

    struct Release {
        provenance: Statement,
        aibom: Statement,
        signature: Statement,
    }

    fn shipped() -> Release {
        Release {
            provenance: statement("attestations/provenance.sigstore.json"),
            aibom: statement("attestations/aibom.sigstore.json"),
            signature: statement("model.sig"),
        }
    }

    /// Run the binding checks with `signers`.
    fn run(r: &Release, signers: [Option<&CertIdentity>; 3]) -> (Result<()>, Checks) {
        let v = Verified {
            provenance: &r.provenance,
            aibom: &r.aibom,
            signature: &r.signature,
            signers,
        };
        let bom = MlBom::from_release(&r.aibom.predicate).unwrap();
        let mut checks = Checks::default();
        (check(&v, &bom, &mut checks), checks)
    }

    /// The check that fails first (keyed signers).
    fn failed(r: &Release) -> CheckId {
        let (result, checks) = run(r, [None; 3]);
        assert!(result.is_err());
        let last = checks.0.last().unwrap();
        assert_eq!(last.status(), Status::Fail);
        last.id
    }

    #[test]
    fn the_shipped_release_binds_and_every_binding_is_checked() {
        let (result, checks) = run(&shipped(), [None; 3]);
        result.unwrap();
        let ids: Vec<CheckId> = checks.0.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                CheckId::ReleaseSameSigner,
                CheckId::ReleaseSameRun,
                CheckId::ReleaseModelFiles,
                CheckId::ReleaseAibomSubjects,
                CheckId::ReleaseAibomModelHashes,
                CheckId::ReleaseDatasets,
                CheckId::ReleaseTrainer,
            ]
        );
        assert!(checks.0.iter().all(|c| c.status() == Status::Pass));
        let files = signed_files(&shipped().signature);
        assert_eq!(files, subjects(&shipped().provenance));
        assert!(files
            .iter()
            .any(|(n, d)| n == "model.safetensors" && d.len() == 64));
    }

    #[test]
    fn each_document_that_departs_from_the_others_fails_its_binding() {
        let mut r = shipped();
        r.provenance.predicate["runDetails"]["metadata"]["invocationId"] = "another-run".into();
        assert_eq!(failed(&r), CheckId::ReleaseSameRun);

        let mut r = shipped();
        r.signature.predicate["resources"][0]["digest"] = "00".repeat(32).into();
        assert_eq!(failed(&r), CheckId::ReleaseModelFiles);

        let mut r = shipped();
        r.signature.predicate["resources"][0]["algorithm"] = "sha512".into();
        assert_eq!(failed(&r), CheckId::ReleaseModelFiles);

        let mut r = shipped();
        r.aibom.subject.pop();
        assert_eq!(failed(&r), CheckId::ReleaseAibomSubjects);

        let mut r = shipped();
        let model = crate::documents::mlbom::model_component(&r.aibom.predicate).clone();
        let spoiled = serde_json::to_string(&model).unwrap().replace(
            &model["hashes"][0]["content"].as_str().unwrap().to_string(),
            &"ab".repeat(32),
        );
        let path = if r.aibom.predicate["metadata"]["component"].is_object() {
            &mut r.aibom.predicate["metadata"]["component"]
        } else {
            &mut r.aibom.predicate["components"][0]
        };
        *path = serde_json::from_str(&spoiled).unwrap();
        assert_eq!(failed(&r), CheckId::ReleaseAibomModelHashes);
    }

    #[test]
    fn the_datasets_and_the_trainer_are_the_provenances() {
        let bom_hash = |r: &mut Release, kind: &str| -> Option<()> {
            let comps = r.aibom.predicate["components"].as_array_mut()?;
            let c = comps.iter_mut().find(|c| c["type"] == kind)?;
            c["hashes"][0]["content"] = "cd".repeat(32).into();
            Some(())
        };
        let mut r = shipped();
        bom_hash(&mut r, "data").unwrap();
        assert_eq!(failed(&r), CheckId::ReleaseDatasets);
        let mut r = shipped();
        bom_hash(&mut r, "application").unwrap();
        assert_eq!(failed(&r), CheckId::ReleaseTrainer);
        // Neither side may be empty.
        let mut r = shipped();
        r.provenance.predicate["buildDefinition"]["resolvedDependencies"] = serde_json::json!([]);
        assert_eq!(failed(&r), CheckId::ReleaseDatasets);
    }

    #[test]
    fn one_signer_in_one_run_or_the_key_for_all_three() {
        let id = |san: &str, run: Option<&str>| CertIdentity {
            san: Some(san.into()),
            claims: crate::identity::CiClaims {
                run_invocation_uri: run.map(str::to_string),
                ..Default::default()
            },
            ..Default::default()
        };
        let r = shipped();
        let a = id(
            "https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1",
            Some("run/1"),
        );
        let other_run = id(
            "https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1",
            Some("run/2"),
        );
        let other_san = id(
            "https://github.com/o/x/.github/workflows/b.yml@refs/tags/v1",
            Some("run/1"),
        );
        let no_run = id(
            "https://github.com/o/r/.github/workflows/b.yml@refs/tags/v1",
            None,
        );
        let same = |signers: [Option<&CertIdentity>; 3]| {
            let (_, checks) = run(&r, signers);
            let first = &checks.0[0];
            assert_eq!(first.id, CheckId::ReleaseSameSigner);
            first.status()
        };
        assert_eq!(same([Some(&a), Some(&a), Some(&a)]), Status::Pass);
        for signers in [
            [Some(&a), Some(&a), None],
            [None, Some(&a), Some(&a)],
            [Some(&a), Some(&other_run), Some(&a)],
            [Some(&a), Some(&a), Some(&other_san)],
            [Some(&no_run), Some(&no_run), Some(&no_run)],
        ] {
            assert_eq!(same(signers), Status::Fail);
        }
    }

    #[test]
    fn the_aibom_file_is_the_named_byproduct_and_the_signed_predicate() {
        let r = shipped();
        let bytes = std::fs::read(release("aibom.cdx.json")).unwrap();
        aibom_file(&r.provenance, &r.aibom, &bytes, &mut Checks::default()).unwrap();
        let mut tampered = bytes.clone();
        tampered.push(b'\n');
        let e = aibom_file(&r.provenance, &r.aibom, &tampered, &mut Checks::default()).unwrap_err();
        assert!(e.to_string().contains("the provenance names"), "{e}");
        // The named bytes, but another signed predicate.
        let mut other = shipped();
        other.aibom.predicate["serialNumber"] =
            "urn:uuid:00000000-0000-0000-0000-000000000000".into();
        let e =
            aibom_file(&r.provenance, &other.aibom, &bytes, &mut Checks::default()).unwrap_err();
        assert!(
            e.to_string().contains("not the signed ML-BOM predicate"),
            "{e}"
        );
        let mut unnamed = shipped();
        unnamed.provenance.predicate["runDetails"]["byproducts"] = serde_json::json!([]);
        let e = aibom_file(
            &unnamed.provenance,
            &r.aibom,
            &bytes,
            &mut Checks::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("names no aibom.cdx.json"), "{e}");
    }

    #[test]
    fn digests_are_shown_short_and_dependencies_keep_their_names() {
        let set: BTreeSet<(String, String)> =
            [("a".to_string(), "0123456789abcdef".to_string())].into();
        assert_eq!(show(&set), "a=0123456789ab");
        let d: BTreeSet<String> = ["0123456789abcdef".to_string(), "ff".to_string()].into();
        assert_eq!(digests(&d), "0123456789ab, ff");
        let r = shipped();
        let data = dependencies(&r.provenance, DATASET_PREFIX);
        assert!(!data.is_empty());
        assert!(
            data.iter()
                .all(|(n, d)| n.starts_with(DATASET_PREFIX) && d.len() == 64),
            "{data:?}"
        );
        assert!(split_rows(&r.provenance).values().sum::<u64>() > 0);
        assert!(dependencies(&r.aibom, DATASET_PREFIX).is_empty());
    }
}
