//! A model release verified as one unit: the SLSA provenance, the ML-BOM
//! statement and the OpenSSF model signature each verify under the policy;
//! they were signed by one identity in one run; they name the same model
//! files and datasets; the policy's rules hold. Then the passport says what
//! the model is, and what vouches for each answer.

mod byproducts;
mod command_tier;
pub mod consistency;
mod intoto_files;
pub mod passport;
mod reproduction;
pub mod rules;
pub mod vsa;

use crate::check_id::CheckId;
use crate::checks::{Check, Checks, Failure};
use crate::documents::mlbom::MlBom;
use crate::documents::model_signing::MODEL_SIGNING_V1;
use crate::documents::provenance::SLSA_PROVENANCE_V1;
use crate::documents::runner_policy::RunnerPolicy;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use crate::policy::Policy;
use crate::verdict::Verdict;
use crate::verifier::{failed, Inputs, Subject, Verifier};
use crate::Digest;
use passport::Passport;
pub use reproduction::Reproduction;
use rules::ValidReleasePolicy;
use serde::Serialize;
use slsa_aibom_types::layout;
use std::path::{Path, PathBuf};

pub use crate::documents::mlbom::CYCLONEDX_PREDICATE;

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
    /// A second builder's provenance of the same release, if one is given.
    pub reproduction: Option<Reproduction>,
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
            provenance: attestations.join(layout::PROVENANCE),
            aibom: attestations.join(layout::AIBOM_BUNDLE),
            signature: signature.to_path_buf(),
            aibom_file: beside(layout::AIBOM_FILE),
            intoto: beside(layout::INTOTO_DIR),
            byproducts: root.clone(),
            reproduction: None,
        }
    }
}

/// One document's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub(crate) document: &'static str,
    pub(crate) evidence: String,
    #[serde(flatten)]
    pub(crate) verdict: Verdict,
}

impl Part {
    /// `provenance`, `aibom` or `model-signature`.
    pub fn document(&self) -> &'static str {
        self.document
    }

    /// The evidence file.
    pub fn evidence(&self) -> &str {
        &self.evidence
    }

    /// Its verdict.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
}

/// The verdict over a release. Only [`verify_release`] creates one.
#[derive(Debug, Clone)]
pub struct ReleaseReport {
    pub(crate) verified: bool,
    pub(crate) model_signature: Part,
    /// Absent when the model signature did not verify (nothing to bind).
    pub(crate) provenance: Option<Part>,
    pub(crate) aibom: Option<Part>,
    /// A reproduction's verdict, when the release came with one.
    pub(crate) reproduction: Option<Part>,
    pub(crate) checks: Vec<Check>,
    pub(crate) failure: Option<Failure>,
    pub(crate) passport: Option<Passport>,
    pub(crate) policy_sha256: Option<String>,
}

impl ReleaseReport {
    /// True only if all three documents verified and every release and
    /// policy check passed.
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// The model signature's verdict (always checked first).
    pub fn model_signature(&self) -> &Part {
        &self.model_signature
    }

    /// The provenance's verdict, once the model signature verified.
    pub fn provenance(&self) -> Option<&Part> {
        self.provenance.as_ref()
    }

    /// The ML-BOM's verdict, once the model signature verified.
    pub fn aibom(&self) -> Option<&Part> {
        self.aibom.as_ref()
    }

    /// The reproduction's verdict, when one was given and the model
    /// signature verified.
    pub fn reproduction(&self) -> Option<&Part> {
        self.reproduction.as_ref()
    }

    /// Whether a second builder's reproduction verified and bound to the
    /// release (only a verified release says so).
    pub fn reproduced(&self) -> bool {
        self.verified && self.reproduction.is_some()
    }

    /// The documents' verdicts in the order they were checked.
    pub fn parts(&self) -> Vec<&Part> {
        std::iter::once(&self.model_signature)
            .chain(&self.provenance)
            .chain(&self.aibom)
            .chain(&self.reproduction)
            .collect()
    }

    /// The checks that bind the documents, then the policy rules.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Why verification failed.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// The passport (verified releases only).
    pub fn passport(&self) -> Option<&Passport> {
        self.passport.as_ref()
    }

    /// sha256 of the policy file in force, when there was one.
    pub fn policy_sha256(&self) -> Option<&str> {
        self.policy_sha256.as_deref()
    }
}

impl Serialize for ReleaseReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        /// The report's JSON form (unchanged since the parts were a list).
        #[derive(Serialize)]
        struct Shape<'a> {
            verified: bool,
            parts: Vec<&'a Part>,
            checks: &'a [Check],
            #[serde(skip_serializing_if = "Option::is_none")]
            failure: Option<&'a Failure>,
            #[serde(skip_serializing_if = "Option::is_none")]
            passport: Option<&'a Passport>,
            #[serde(skip_serializing_if = "Option::is_none")]
            policy_sha256: Option<&'a str>,
        }
        Shape {
            verified: self.verified,
            parts: self.parts(),
            checks: &self.checks,
            failure: self.failure.as_ref(),
            passport: self.passport.as_ref(),
            policy_sha256: self.policy_sha256.as_deref(),
        }
        .serialize(s)
    }
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
    let names = policy.setting_names;
    let verdict = match Verifier::new(policy) {
        Err(e) => failed(Checks::named(names), &e, 0),
        Ok(v) => {
            // Every subject must verify: report the first failure, else the first verdict.
            v.verify(&Inputs {
                evidence: evidence.to_path_buf(),
                subjects,
            })
            .deciding_verdict()
            .cloned()
            .unwrap_or_else(|| failed(Checks::named(names), &Error::Input("no subjects".into()), 0))
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
    rules: &ValidReleasePolicy,
    policy_sha256: Option<String>,
    release: &Release,
) -> ReleaseReport {
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
    let subjects = digest_subjects(&files);
    let mut report = ReleaseReport {
        verified: false,
        model_signature: signature,
        provenance: None,
        aibom: None,
        reproduction: None,
        checks: Vec::new(),
        failure: None,
        passport: None,
        policy_sha256,
    };
    if subjects.is_empty() {
        report.failure = report
            .model_signature
            .verdict
            .failure
            .clone()
            .or(Some(Failure::new(
                &Error::Digest("the model signature lists no sha256 files".into()),
                policy.setting_names,
            )));
        return report;
    }
    let provenance = verify_part(
        "provenance",
        part_policy(policy, Some(SLSA_PROVENANCE_V1), true),
        &release.provenance,
        subjects.clone(),
    );
    let aibom = verify_part(
        "aibom",
        part_policy(policy, Some(CYCLONEDX_PREDICATE), false),
        &release.aibom,
        subjects,
    );
    let reproduction = release
        .reproduction
        .as_ref()
        .map(|r| reproduction::verify(r, &files));
    let failure = [Some(&provenance), Some(&aibom), reproduction.as_ref()]
        .into_iter()
        .flatten()
        .find_map(|p| p.verdict.failure.clone());
    let mut checks = Checks::named(policy.setting_names);
    let outcome = match failure {
        Some(f) => Err(f),
        None => bind_and_judge(
            &Documents {
                signature: &report.model_signature,
                provenance: &provenance,
                aibom: &aibom,
                reproduction: release.reproduction.as_ref().zip(reproduction.as_ref()),
            },
            (policy, rules),
            release,
            &mut checks,
        )
        .map_err(|e| checks.failure(&e)),
    };
    report.provenance = Some(provenance);
    report.aibom = Some(aibom);
    report.reproduction = reproduction;
    report.checks = checks.0;
    match outcome {
        Ok(passport) => {
            report.verified = true;
            report.passport = Some(passport);
        }
        Err(f) => report.failure = Some(f),
    }
    report
}

/// Each file's sha256 as a subject a document must cover.
fn digest_subjects(files: &std::collections::BTreeSet<(String, String)>) -> Vec<Subject> {
    files
        .iter()
        .map(|(_, d)| {
            Subject::Digest(Digest {
                algorithm: "sha256".into(),
                value: d.clone(),
            })
        })
        .collect()
}

/// The three verified documents of a release.
struct Documents<'a> {
    signature: &'a Part,
    provenance: &'a Part,
    aibom: &'a Part,
    /// A reproduction and its verdict, when one was given.
    reproduction: Option<(&'a Reproduction, &'a Part)>,
}

fn bind_and_judge(
    parts: &Documents,
    (policy, rules): (&Policy, &ValidReleasePolicy),
    release: &Release,
    checks: &mut Checks,
) -> Result<Passport> {
    let pinned_builder = crate::identity::our_builder::is_pinned_builder(
        policy.identity.as_ref(),
        parts
            .provenance
            .verdict
            .signer
            .as_ref()
            .and_then(|s| s.san.as_deref()),
    );
    fn statement(part: &Part) -> Result<&Statement> {
        part.verdict
            .statement
            .as_ref()
            .ok_or_else(|| Error::Input(format!("{} has no verified statement", part.document)))
    }
    let (signature, provenance, aibom) = (
        statement(parts.signature)?,
        statement(parts.provenance)?,
        statement(parts.aibom)?,
    );
    if signature.predicate_type != MODEL_SIGNING_V1 {
        return Err(Error::Input(
            "the signature is not a model signature".into(),
        ));
    }
    let bom = MlBom::from_release(&aibom.predicate)?;
    let verified = consistency::Verified {
        provenance,
        aibom,
        signature,
        signers: [
            parts.provenance.verdict.signer.as_ref(),
            parts.aibom.verdict.signer.as_ref(),
            parts.signature.verdict.signer.as_ref(),
        ],
    };
    consistency::check(&verified, &bom, checks)?;
    let reproducer = parts
        .reproduction
        .map(|given| {
            let original = reproduction::Original {
                provenance,
                files: &consistency::signed_files(signature),
                policy,
                signer: parts.provenance.verdict.signer.as_ref(),
            };
            reproduction::check(&original, given, checks)
        })
        .transpose()?;
    let partial = rules.rules().release.allow_partial;
    byproducts::check(provenance, release.byproducts.as_deref(), partial, checks)?;
    aibom_file(
        release.aibom_file.as_deref(),
        provenance,
        aibom,
        partial,
        checks,
    )?;
    intoto_files::check(
        aibom,
        present(release.intoto.as_deref()).as_deref(),
        partial,
        checks,
    )?;
    let before = checks.0.len();
    rules.check(
        parts.provenance.verdict.signer.as_ref(),
        provenance,
        &bom,
        checks,
    )?;
    rules.check_reproduced(reproducer.as_deref(), checks)?;
    let policy_judgement = dataset_judgement(&checks.0[before..]);
    // The root digest the directory was hashed to just now, as the model
    // signature's `subject` check matched it.
    let root = parts
        .signature
        .verdict
        .checks
        .iter()
        .find(|c| c.id == CheckId::Subject && c.status == crate::Status::Pass)
        .and_then(|c| c.actual.clone())
        .ok_or_else(|| Error::Input("the model signature's subject was not matched".into()))?;
    Ok(Passport::new(&passport::Sources {
        signer: parts.provenance.verdict.signer.as_ref(),
        provenance,
        bom: &bom,
        model_root: (root, consistency::signed_files(signature).len()),
        policy_judgement,
        pinned_builder,
        reproducer: reproducer.as_deref(),
    }))
}

/// What the dataset rules among `checks` judged, if any applied.
fn dataset_judgement(checks: &[Check]) -> Option<String> {
    let count = |id: CheckId| checks.iter().filter(|c| c.id == id).count();
    let (datasets, licences) = (
        count(CheckId::PolicyDataset),
        count(CheckId::PolicyLicenseDataset),
    );
    (datasets + licences > 0).then(|| {
        format!(
            "yes: {datasets} dataset digest check(s) and {licences} dataset licence check(s) passed"
        )
    })
}

/// Something at the path (a file, or a folder or FIFO in its place) is
/// checked; only nothing at all counts as absent.
fn present(path: Option<&Path>) -> Option<PathBuf> {
    path.filter(|p| std::fs::symlink_metadata(p).is_ok())
        .map(Path::to_path_buf)
}

/// The unsigned ML-BOM file beside the release: the provenance's byproduct
/// and the signed predicate, unless a partial release leaves it out.
fn aibom_file(
    path: Option<&Path>,
    provenance: &Statement,
    aibom: &Statement,
    partial: bool,
    checks: &mut Checks,
) -> Result<()> {
    match present(path) {
        Some(path) => {
            let bytes = crate::bounded_read::read_evidence(
                &path,
                crate::bounded_read::EVIDENCE_LIMIT,
                "ML-BOM file",
            );
            match bytes {
                Ok(bytes) => consistency::aibom_file(provenance, aibom, &bytes, checks),
                Err(e) => checks.record(CheckId::ReleaseAibomFile, None, None, "", Err(e)),
            }
        }
        None if partial => {
            checks.not_applicable(
                CheckId::ReleaseAibomFile,
                "no aibom.cdx.json at hand (partial release allowed); the signed ML-BOM statement was checked instead",
            );
            Ok(())
        }
        None => checks.record(
            CheckId::ReleaseAibomFile,
            None,
            None,
            "",
            Err(Error::Digest(
                "aibom.cdx.json, which the signed provenance names as a byproduct, is not beside the release".into(),
            )),
        ),
    }
}
