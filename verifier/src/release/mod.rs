//! A model release verified as one unit: the SLSA provenance, the ML-BOM
//! statement and the OpenSSF model signature each verify under the policy;
//! they were signed by one identity in one run; they name the same model
//! files and datasets; the policy's rules hold. Then the passport says what
//! the model is, and what vouches for each answer.

mod byproducts;
pub mod consistency;
mod intoto_files;
pub mod passport;
pub mod rules;

use crate::error::{Error, Result};
use crate::mlbom::MlBom;
use crate::model_signing::MODEL_SIGNING_V1;
use crate::policy::Policy;
use crate::provenance::SLSA_PROVENANCE_V1;
use crate::runner_policy::RunnerPolicy;
use crate::verdict::{Check, Checks, Failure, Verdict};
use crate::verifier::{failed, Inputs, Subject, Verifier};
use crate::Digest;
use passport::Passport;
use rules::ReleasePolicy;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use crate::mlbom::CYCLONEDX_PREDICATE;

/// The files of one release.
#[derive(Debug, Clone)]
pub struct Release {
    /// The model directory.
    pub model_dir: PathBuf,
    /// The provenance bundle.
    pub provenance: PathBuf,
    /// The ML-BOM statement bundle.
    pub aibom: PathBuf,
    /// The model signature.
    pub signature: PathBuf,
    /// Where the ML-BOM file the provenance names as a byproduct should be
    /// (`None`: not supplied, so absent).
    pub aibom_file: Option<PathBuf>,
    /// Where the folder of the in-toto layout and links should be (`None`:
    /// not supplied, so absent).
    pub intoto: Option<PathBuf>,
    /// The folder holding the provenance's byproducts (`None`: not
    /// supplied, so all of them are absent).
    pub byproducts: Option<PathBuf>,
}

impl Release {
    /// The builder's layout: `ATTESTATIONS/provenance.sigstore.json`,
    /// `ATTESTATIONS/aibom.sigstore.json`, and beside `ATTESTATIONS` the
    /// byproducts (`aibom.cdx.json`, `metrics.json`, ...) and the `intoto/`
    /// folder, which must be there unless the policy allows a partial release.
    pub fn from_layout(model_dir: &Path, attestations: &Path, signature: &Path) -> Self {
        let root = attestations.parent().map(Path::to_path_buf);
        let beside = |name: &str| root.as_ref().map(|p| p.join(name));
        Release {
            model_dir: model_dir.to_path_buf(),
            provenance: attestations.join("provenance.sigstore.json"),
            aibom: attestations.join("aibom.sigstore.json"),
            signature: signature.to_path_buf(),
            aibom_file: beside("aibom.cdx.json"),
            intoto: beside("intoto"),
            byproducts: root.clone(),
        }
    }
}

/// One document's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// `provenance`, `aibom` or `model-signature`.
    pub document: &'static str,
    /// The evidence file.
    pub evidence: String,
    /// Its verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// The verdict over a release.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseReport {
    /// True only if all three documents verified and every release and
    /// policy check passed.
    pub verified: bool,
    /// The three documents' verdicts.
    pub parts: Vec<Part>,
    /// The checks that bind them, then the policy rules.
    pub checks: Vec<Check>,
    /// Why verification failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// The passport (verified releases only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport: Option<Passport>,
    /// sha256 of the policy file in force, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_sha256: Option<String>,
}

/// The per-document policy: the caller's, with the predicate type each
/// document must have; the runner policy applies to the provenance only.
fn part_policy(policy: &Policy, predicate_type: Option<&str>, provenance: bool) -> Policy {
    let mut p = policy.clone();
    p.predicate_type = predicate_type.map(str::to_string);
    if !provenance {
        p.builder_id = None;
        p.runner = RunnerPolicy::default();
    }
    p
}

fn verify_part(
    document: &'static str,
    policy: Policy,
    evidence: &Path,
    subjects: Vec<Subject>,
) -> Part {
    let verdict = match Verifier::new(policy) {
        Err(e) => failed(Checks::default(), &e, 0),
        Ok(v) => {
            // Every subject must verify: report the first failure, else the first verdict.
            v.verify(&Inputs {
                evidence: evidence.to_path_buf(),
                subjects,
            })
            .deciding_verdict()
            .cloned()
            .unwrap_or_else(|| failed(Checks::default(), &Error::Input("no subjects".into()), 0))
        }
    };
    Part {
        document,
        evidence: evidence.display().to_string(),
        verdict,
    }
}

/// Verify `release` under `policy` and the release policy `rules`
/// (`policy_sha256` is recorded in the report).
pub fn verify_release(
    policy: &Policy,
    rules: &ReleasePolicy,
    policy_sha256: Option<String>,
    release: &Release,
) -> ReleaseReport {
    let mut report = ReleaseReport {
        verified: false,
        parts: Vec::new(),
        checks: Vec::new(),
        failure: None,
        passport: None,
        policy_sha256,
    };
    // The model signature first: it hashes every file once, and its
    // verified manifest then gives the digests the other two must cover.
    let signature = verify_part(
        "model-signature",
        part_policy(policy, None, false),
        &release.signature,
        vec![Subject::ModelDir(release.model_dir.clone())],
    );
    let files = signature
        .verdict
        .statement
        .as_ref()
        .filter(|_| signature.verdict.verified)
        .map(consistency::signed_files)
        .unwrap_or_default();
    let subjects: Vec<Subject> = files
        .iter()
        .map(|(_, d)| {
            Subject::Digest(Digest {
                algorithm: "sha256".into(),
                value: d.clone(),
            })
        })
        .collect();
    report.parts.push(signature);
    if subjects.is_empty() {
        report.failure = report.parts[0]
            .verdict
            .failure
            .clone()
            .or(Some(Failure::from(&Error::Digest(
                "the model signature lists no sha256 files".into(),
            ))));
        return report;
    }
    report.parts.push(verify_part(
        "provenance",
        part_policy(policy, Some(SLSA_PROVENANCE_V1), true),
        &release.provenance,
        subjects.clone(),
    ));
    report.parts.push(verify_part(
        "aibom",
        part_policy(policy, Some(CYCLONEDX_PREDICATE), false),
        &release.aibom,
        subjects,
    ));
    if let Some(f) = report.parts.iter().find_map(|p| p.verdict.failure.clone()) {
        report.failure = Some(f);
        return report;
    }
    let mut checks = Checks::default();
    let outcome = bind_and_judge(&report.parts, rules, release, &mut checks);
    report.checks = checks.0;
    match outcome {
        Ok(passport) => {
            report.verified = true;
            report.passport = Some(passport);
        }
        Err(e) => report.failure = Some(Failure::from(&e)),
    }
    report
}

fn bind_and_judge(
    parts: &[Part],
    rules: &ReleasePolicy,
    release: &Release,
    checks: &mut Checks,
) -> Result<Passport> {
    let statement =
        |i: usize| {
            parts[i].verdict.statement.as_ref().ok_or_else(|| {
                Error::Input(format!("{} has no verified statement", parts[i].document))
            })
        };
    let (signature, provenance, aibom) = (statement(0)?, statement(1)?, statement(2)?);
    if signature.predicate_type != MODEL_SIGNING_V1 {
        return Err(Error::Input(
            "the signature is not a model signature".into(),
        ));
    }
    let bom = MlBom::from_json(&aibom.predicate);
    let verified = consistency::Verified {
        provenance,
        aibom,
        signature,
        signers: [
            parts[1].verdict.signer.as_ref(),
            parts[2].verdict.signer.as_ref(),
            parts[0].verdict.signer.as_ref(),
        ],
    };
    consistency::check(&verified, &bom, checks)?;
    let partial = rules.release.allow_partial;
    byproducts::check(provenance, release.byproducts.as_deref(), partial, checks)?;
    // Something at the path (a file, or a folder or FIFO in its place) is
    // checked; only nothing at all counts as absent.
    let present = |p: &Option<PathBuf>| p.clone().filter(|p| std::fs::symlink_metadata(p).is_ok());
    match present(&release.aibom_file) {
        Some(path) => {
            let bytes = crate::bounded_read::read(
                &path,
                crate::bounded_read::EVIDENCE_LIMIT,
                "ML-BOM file",
            );
            match bytes {
                Ok(bytes) => consistency::aibom_file(provenance, aibom, &bytes, checks)?,
                Err(e) => return checks.record("release.aibom-file", None, None, "", Err(e)),
            }
        }
        None if partial => checks.not_applicable(
            "release.aibom-file",
            "no aibom.cdx.json at hand (partial release allowed); the signed ML-BOM statement was checked instead",
        ),
        None => checks.record(
            "release.aibom-file",
            None,
            None,
            "",
            Err(Error::Digest(
                "aibom.cdx.json, which the signed provenance names as a byproduct, is not beside the release".into(),
            )),
        )?,
    }
    intoto_files::check(aibom, present(&release.intoto).as_deref(), partial, checks)?;
    let before = checks.0.len();
    rules.check(parts[1].verdict.signer.as_ref(), provenance, &bom, checks)?;
    let count = |name: &str| checks.0[before..].iter().filter(|c| c.name == name).count();
    let (datasets, licences) = (count("policy.dataset"), count("policy.license.dataset"));
    let policy_judgement = (datasets + licences > 0).then(|| {
        format!(
            "yes: {datasets} dataset digest check(s) and {licences} dataset licence check(s) passed"
        )
    });
    // The root digest the directory was hashed to just now, as the model
    // signature's `subject` check matched it.
    let root = parts[0]
        .verdict
        .checks
        .iter()
        .find(|c| c.name == "subject" && c.status == crate::Status::Pass)
        .and_then(|c| c.actual.clone())
        .ok_or_else(|| Error::Input("the model signature's subject was not matched".into()))?;
    Ok(Passport::new(&passport::Sources {
        signer: parts[1].verdict.signer.as_ref(),
        provenance,
        bom: &bom,
        model_root: (root, consistency::signed_files(signature).len()),
        policy_judgement,
    }))
}
