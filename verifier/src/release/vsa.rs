//! SLSA verification summary attestations (VSA v1): after a release
//! verified, one small signed statement that says so — which files, under
//! which policy (by digest), from which input attestations, at which SLSA
//! build level — so a downstream gate can trust it alone.
//! <https://slsa.dev/spec/v1.0/verification_summary>

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::MlBom;
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::release::{consistency, Release, ReleaseReport};
use crate::setting::SettingProblem;
use crate::verifier::{failed, Inputs, Report, Subject, SubjectVerdict, Verifier};
use crate::Digest;
use serde_json::{json, Value};
use slsa_aibom_types::GITHUB_ISSUER;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The VSA v1 predicate type.
pub const VSA_PREDICATE: &str = "https://slsa.dev/verification_summary/v1";
/// This verifier's `verifier.id`.
pub const VERIFIER_ID: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/slsa-aibom-verify");
const LEVEL_PREFIX: &str = "SLSA_BUILD_LEVEL_";
/// The verified property of a release a second builder reproduced
/// (<https://slsa.dev/spec/v1.2/verified-properties>).
pub const BUILD_REPRODUCED: &str = "SLSA_BUILD_REPRODUCED";

/// What a summary records beyond the verified release.
#[derive(Debug, Clone)]
pub struct SummaryInputs {
    /// `resourceUri`; by default the model's purl, else the ML-BOM serial number.
    pub resource_uri: Option<String>,
    /// `policy.uri`: where the policy file lives.
    pub policy_uri: String,
    /// `timeVerified`.
    pub time: jiff::Timestamp,
}

/// The SLSA build level a verified release reached: 3 when the provenance
/// was signed keylessly, by a GitHub Actions certificate for this builder's
/// reusable workflow, and the policy pinned exactly that workflow (an
/// exact SAN or a release policy's `[builder] workflow`; a free regex or a
/// name that merely contains `slsa-aibom` is not enough): the platform
/// isolated the signing job and vouches for the builder. 1 otherwise
/// (signed provenance whose producer only a key vouches for).
pub fn build_level(report: &ReleaseReport, policy: &Policy) -> u8 {
    // The workflow the policy pins exactly (a free regex pins none), which
    // must be our builder's and must be the certificate's signer.
    let pinned = policy
        .identity
        .as_ref()
        .and_then(|m| m.pinned_workflow())
        .filter(|w| crate::identity::our_builder::is_our_workflow(w));
    let keyless_ours = report
        .provenance
        .as_ref()
        .and_then(|p| p.verdict.signer.as_ref())
        .is_some_and(|s| {
            s.issuer.as_deref() == Some(GITHUB_ISSUER)
                && pinned.is_some_and(|w| {
                    s.san
                        .as_deref()
                        .is_some_and(|san| san.starts_with(&format!("{w}@")))
                })
        });
    if keyless_ours {
        3
    } else {
        1
    }
}

fn file_sha256(path: &Path) -> Result<String> {
    crate::documents::hashing::sha256_file(path).map(hex::encode)
}

/// The in-toto statement (JSON) summarising `report`, a verified release
/// checked under `policy` and a policy file (whose digest the report holds).
pub fn summary(
    report: &ReleaseReport,
    release: &Release,
    policy: &Policy,
    inputs: &SummaryInputs,
) -> Result<Value> {
    if !report.verified {
        return Err(Error::Input(
            "the release did not verify; there is nothing to summarise".into(),
        ));
    }
    let policy_sha256 = report
        .policy_sha256
        .as_deref()
        .ok_or(Error::Setting(SettingProblem::SummaryNeedsPolicy))?;
    fn statement<'a>(
        part: Option<&'a crate::release::Part>,
        doc: &str,
    ) -> Result<&'a crate::evidence::statement::Statement> {
        part.and_then(|p| p.verdict.statement.as_ref())
            .ok_or_else(|| Error::Input(format!("the report has no verified {doc} statement")))
    }
    let subject: Vec<Value> =
        consistency::signed_files(statement(Some(&report.model_signature), "model-signature")?)
            .into_iter()
            .map(|(name, sha256)| json!({"name": name, "digest": {"sha256": sha256}}))
            .collect();
    let bom = MlBom::from_release(&statement(report.aibom.as_ref(), "aibom")?.predicate)?;
    let resource_uri = inputs
        .resource_uri
        .clone()
        .or(bom.model.purl.clone())
        .or(bom.serial_number.clone())
        .ok_or_else(|| {
            Error::Input(
                "no resource URI: the ML-BOM has no model purl or serial number; give one".into(),
            )
        })?;
    let mut attestations = Vec::new();
    let mut levels = vec![format!("{LEVEL_PREFIX}{}", build_level(report, policy))];
    let reproduction = release
        .reproduction
        .as_ref()
        .filter(|_| report.reproduced())
        .map(|r| &r.evidence);
    if reproduction.is_some() {
        levels.push(BUILD_REPRODUCED.into());
    }
    for path in [&release.provenance, &release.aibom, &release.signature]
        .into_iter()
        .chain(reproduction)
    {
        attestations.push(json!({
            "uri": path.display().to_string(),
            "digest": {"sha256": file_sha256(path)?},
        }));
    }
    Ok(json!({
        "_type": crate::evidence::statement::STATEMENT_V1,
        "subject": subject,
        "predicateType": VSA_PREDICATE,
        "predicate": {
            "verifier": {
                "id": VERIFIER_ID,
                "version": {"slsa-aibom-verify": env!("CARGO_PKG_VERSION")},
            },
            "timeVerified": inputs.time.to_string(),
            "resourceUri": resource_uri,
            "policy": {"uri": inputs.policy_uri, "digest": {"sha256": policy_sha256}},
            "inputAttestations": attestations,
            "verificationResult": "PASSED",
            "verifiedLevels": levels,
            "slsaVersion": "1.0",
        },
    }))
}

/// What the summary must be about.
#[derive(Debug, Clone)]
pub enum VsaSubject {
    /// A model directory: its files must be exactly the summary's subjects
    /// (`ignore`: relative paths to leave out).
    ModelDir {
        /// The directory.
        dir: PathBuf,
        /// Paths to leave out of the walk.
        ignore: Vec<String>,
    },
    /// Digests that must each be a subject.
    Digests(Vec<Digest>),
}

/// What a gate expects of a summary.
#[derive(Debug, Clone)]
pub struct Expectations {
    /// The artifacts.
    pub subject: VsaSubject,
    /// sha256 of the policy the summary must name.
    pub policy_sha256: String,
    /// The verifier that must have written it ([`VERIFIER_ID`] for ours).
    pub verifier_id: String,
    /// The least SLSA build level it must state.
    pub min_build_level: u8,
    /// It must state [`BUILD_REPRODUCED`].
    pub require_reproduced: bool,
}

/// Verify the summary in `evidence` (a bundle) under `policy` (who must
/// have signed it) and `expect`. One verdict, over the whole subject.
pub fn verify_summary(policy: &Policy, expect: &Expectations, evidence: &Path) -> Report {
    let describe = match &expect.subject {
        VsaSubject::ModelDir { dir, .. } => dir.display().to_string(),
        VsaSubject::Digests(d) => d
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let names = policy.setting_names;
    let mut policy = policy.clone();
    policy.predicate_type = Some(VSA_PREDICATE.into());
    let outcome = Verifier::new(policy).and_then(|v| {
        let (files, digests) = match &expect.subject {
            VsaSubject::ModelDir { dir, ignore } => {
                let files = crate::documents::hashing::sha256_tree(dir, ignore)?;
                let digests = files
                    .iter()
                    .map(|(_, d)| Digest {
                        algorithm: "sha256".into(),
                        value: d.clone(),
                    })
                    .collect();
                (Some(files), digests)
            }
            VsaSubject::Digests(d) => (None, d.clone()),
        };
        if digests.is_empty() {
            return Err(Error::Input(format!("{describe}: no files to check")));
        }
        let report = v.verify(&Inputs {
            evidence: evidence.to_path_buf(),
            subjects: digests.into_iter().map(Subject::Digest).collect(),
        });
        Ok((report, files))
    });
    let (report, files) = match outcome {
        Ok(r) => r,
        Err(e) => {
            return Report {
                verified: false,
                evidence: evidence.display().to_string(),
                trust_root: String::new(),
                results: vec![SubjectVerdict {
                    subject: describe,
                    verdict: failed(Checks::named(names), &e, 0),
                }],
            }
        }
    };
    let mut verdict = report
        .deciding_verdict()
        .cloned()
        .unwrap_or_else(|| failed(Checks::named(names), &Error::Input("no subjects".into()), 0));
    if verdict.verified {
        let mut checks = Checks(std::mem::take(&mut verdict.checks), names);
        let outcome = match verdict.statement.as_ref() {
            Some(statement) => summary_checks(statement, files.as_ref(), expect, &mut checks),
            None => Err(Error::Input(
                "the summary is not an in-toto statement".into(),
            )),
        };
        if let Err(e) = outcome {
            verdict.verified = false;
            verdict.failure = Some(checks.failure(&e));
            verdict.statement = None;
        }
        verdict.checks = checks.0;
    }
    Report {
        verified: verdict.verified,
        evidence: report.evidence,
        trust_root: report.trust_root,
        results: vec![SubjectVerdict {
            subject: describe,
            verdict,
        }],
    }
}

/// The directory holds exactly the files the summary is about.
fn same_subjects(
    statement: &crate::evidence::statement::Statement,
    files: &BTreeSet<(String, String)>,
    checks: &mut Checks,
) -> Result<()> {
    let subjects = consistency::subjects(statement);
    let missing: Vec<&str> = subjects
        .difference(files)
        .map(|(n, _)| n.as_str())
        .collect();
    let extra: Vec<&str> = files
        .difference(&subjects)
        .map(|(n, _)| n.as_str())
        .collect();
    checks.require(
        CheckId::VsaSubjects,
        Some(format!("{} file(s)", subjects.len())),
        Some(format!("{} file(s)", files.len())),
        "the directory holds exactly the files the summary is about",
        missing.is_empty() && extra.is_empty(),
        || {
            Error::Digest(format!(
                "the directory differs from the summary's subjects: not found or changed [{}]; not in the summary [{}]",
                missing.join(", "),
                extra.join(", ")
            ))
        },
    )?;
    Ok(())
}

fn summary_checks(
    statement: &crate::evidence::statement::Statement,
    files: Option<&BTreeSet<(String, String)>>,
    expect: &Expectations,
    checks: &mut Checks,
) -> Result<()> {
    let p = &statement.predicate;
    if let Some(files) = files {
        same_subjects(statement, files, checks)?;
    }
    let result = p["verificationResult"].as_str().unwrap_or_default();
    checks.require(
        CheckId::VsaResult,
        Some("PASSED".into()),
        Some(result.into()),
        "the verification passed",
        result == "PASSED",
        || {
            Error::Policy(format!(
                "the summary's verificationResult is {result:?}, not \"PASSED\""
            ))
        },
    )?;
    let verifier = p["verifier"]["id"].as_str().unwrap_or_default();
    checks.require(
        CheckId::VsaVerifier,
        Some(expect.verifier_id.clone()),
        Some(verifier.into()),
        "written by the expected verifier",
        verifier == expect.verifier_id,
        || {
            Error::Policy(format!(
                "the summary's verifier is {verifier:?}, not {:?}",
                expect.verifier_id
            ))
        },
    )?;
    let policy = p["policy"]["digest"]["sha256"].as_str().unwrap_or_default();
    checks.require(
        CheckId::VsaPolicy,
        Some(expect.policy_sha256.clone()),
        Some(policy.into()),
        "verified under the expected policy",
        policy.eq_ignore_ascii_case(&expect.policy_sha256),
        || {
            Error::Policy(format!(
                "the summary was verified under policy sha256:{policy}, not sha256:{}",
                expect.policy_sha256
            ))
        },
    )?;
    let levels: Vec<&str> = crate::documents::mlbom::array(&p["verifiedLevels"])
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let reached = levels
        .iter()
        .filter_map(|l| l.strip_prefix(LEVEL_PREFIX)?.parse::<u8>().ok())
        .max()
        .unwrap_or(0);
    checks.require(
        CheckId::VsaLevel,
        Some(format!(
            "{LEVEL_PREFIX}{} or higher",
            expect.min_build_level
        )),
        Some(levels.join(", ")),
        "the summary states a high enough SLSA build level",
        reached >= expect.min_build_level,
        || {
            Error::Policy(format!(
                "the summary states {}, below the required {LEVEL_PREFIX}{}",
                if levels.is_empty() {
                    "no level".to_string()
                } else {
                    levels.join(", ")
                },
                expect.min_build_level
            ))
        },
    )?;
    if expect.require_reproduced {
        checks.require(
            CheckId::VsaReproduced,
            Some(BUILD_REPRODUCED.into()),
            Some(levels.join(", ")),
            "the summary states that a second builder reproduced the artifact",
            levels.contains(&BUILD_REPRODUCED),
            || {
                Error::Policy(format!(
                    "the summary does not state {BUILD_REPRODUCED}: no second builder's reproduction was verified"
                ))
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::Part;
    use crate::verdict::Verdict;
    use crate::{CertIdentity, SanMatcher};

    fn signed_by(san: &str) -> ReleaseReport {
        let part = |document, signer| Part {
            document,
            evidence: String::new(),
            verdict: Verdict {
                verified: true,
                checks: Vec::new(),
                failure: None,
                signer,
                predicate_type: None,
                entry: 0,
                statement: None,
            },
        };
        ReleaseReport {
            verified: true,
            model_signature: part("model-signature", None),
            provenance: Some(part(
                "provenance",
                Some(CertIdentity {
                    san: Some(san.into()),
                    issuer: Some(GITHUB_ISSUER.into()),
                    claims: Default::default(),
                }),
            )),
            aibom: None,
            reproduction: None,
            checks: Vec::new(),
            failure: None,
            passport: None,
            policy_sha256: None,
        }
    }

    fn level(san: &str, identity: SanMatcher) -> u8 {
        let policy = Policy {
            identity: Some(identity),
            ..Policy::default()
        };
        build_level(&signed_by(san), &policy)
    }

    const OURS: &str = "https://github.com/acme/slsa-aibom/.github/workflows/builder.yml";

    #[test]
    fn level_3_needs_our_builder_pinned_exactly() {
        let san = format!("{OURS}@refs/tags/v1.2.0");
        assert_eq!(level(&san, SanMatcher::Exact(san.clone())), 3);
        let pinned = SanMatcher::Workflow {
            workflow: OURS.into(),
            refs: vec!["refs/tags/v1.2.0".into()],
            commits: Vec::new(),
        };
        assert_eq!(level(&san, pinned), 3);
        // A free regex pins nothing, though it matches.
        assert_eq!(level(&san, SanMatcher::regex(".*").unwrap()), 1);
        // A workflow that merely contains our path, in its ref.
        let sneaky = format!(
            "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/b{}",
            OURS.trim_start_matches("https://github.com/acme")
        );
        assert!(sneaky.contains("/slsa-aibom/.github/workflows/builder.yml"));
        assert_eq!(
            level(
                &format!("{sneaky}@x"),
                SanMatcher::Exact(format!("{sneaky}@x"))
            ),
            1
        );
        // Another workflow of a repository named slsa-aibom.
        let other = "https://github.com/acme/slsa-aibom/.github/workflows/other.yml@refs/tags/v1";
        assert_eq!(level(other, SanMatcher::Exact(other.into())), 1);
        // Our workflow, but the policy pinned another one.
        assert_eq!(level(&san, SanMatcher::Exact(other.into())), 1);
    }
}
