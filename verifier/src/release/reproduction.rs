//! A reproduced build: a second SLSA provenance of the same release,
//! written by someone who ran the build again (`slsa-aibom-build rebuild`)
//! and signed by another signer. It counts only if it verifies under the
//! anchor given for the reproducer, names exactly the release's model
//! files, records the same inputs (job, files, datasets, base models, the
//! environment's lock), and its signer is not the release's. Then, and
//! only then, a verification summary may carry `SLSA_BUILD_REPRODUCED`
//! (<https://slsa.dev/spec/v1.2/verified-properties>): the artifact has
//! provenance from two builders, and the summary's issuer trusts both.

use super::consistency;
use super::Part;
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use crate::identity::CertIdentity;
use crate::policy::Policy;
use slsa_aibom_types::command_provenance::{FILE_PREFIX, MODEL_INPUT_PREFIX, REQUIREMENTS};
use slsa_aibom_types::provenance::{BASE_MODEL_PREFIX, DATASET_PREFIX};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The rebuild's provenance and who must have signed it.
#[derive(Debug, Clone)]
pub struct Reproduction {
    /// The rebuild's provenance bundle.
    pub evidence: PathBuf,
    /// The reproducer's trust anchor and identity; the release's own
    /// signer does not count as a second builder.
    pub signer: Policy,
}

/// The resolved dependencies that are the build's inputs, which a
/// reproduction must record with the same digests: not the builder's own
/// binary or lock, which an independent builder may have built itself.
fn is_input(name: &str) -> bool {
    name == "job"
        || name == REQUIREMENTS
        || name == "croissant"
        || name == "base-model"
        || [
            DATASET_PREFIX,
            FILE_PREFIX,
            MODEL_INPUT_PREFIX,
            BASE_MODEL_PREFIX,
        ]
        .iter()
        .any(|p| name.starts_with(p))
}

/// `name → sha256` of the inputs a provenance records.
fn inputs(st: &Statement) -> BTreeMap<String, String> {
    crate::documents::mlbom::array(&st.predicate["buildDefinition"]["resolvedDependencies"])
        .iter()
        .filter_map(|d| {
            let name = d["name"].as_str()?;
            let sha = d.pointer("/digest/sha256")?.as_str()?;
            is_input(name).then(|| (name.to_string(), sha.to_ascii_lowercase()))
        })
        .collect()
}

/// Verify the reproduction's signature over the release's model files.
pub(super) fn verify(reproduction: &Reproduction, files: &BTreeSet<(String, String)>) -> Part {
    let subjects = super::digest_subjects(files);
    super::verify_part(
        "reproduction",
        super::part_policy(
            &reproduction.signer,
            Some(crate::documents::provenance::SLSA_PROVENANCE_V1),
            true,
        ),
        &reproduction.evidence,
        subjects,
    )
}

/// Who signed: a key's SPKI, or a certificate's identity and issuer.
fn signer_of(policy: &Policy, identity: Option<&CertIdentity>) -> String {
    match (policy.anchor.key(), identity) {
        (Some(key), _) => format!("key sha256:{}", hex::encode(sha256(key.der.as_bytes()))),
        (None, Some(id)) => format!(
            "{} ({})",
            crate::display::one_line(id.san().unwrap_or("?")),
            crate::display::one_line(id.issuer().unwrap_or("?"))
        ),
        (None, None) => "an unnamed signer".into(),
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    <sha2::Sha256 as sha2::Digest>::digest(bytes).into()
}

/// What the release's provenance was verified as, for comparison.
pub(super) struct Original<'a> {
    /// The provenance statement.
    pub provenance: &'a Statement,
    /// The model signature's files.
    pub files: &'a BTreeSet<(String, String)>,
    /// The policy the release verified under (its anchor).
    pub policy: &'a Policy,
    /// The provenance's certificate identity (keyless releases).
    pub signer: Option<&'a CertIdentity>,
}

/// Bind a verified reproduction to the release; `Ok` carries who
/// reproduced it, for the passport.
pub(super) fn check(
    original: &Original,
    reproduction: (&Reproduction, &Part),
    checks: &mut Checks,
) -> Result<String> {
    let (given, part) = reproduction;
    let st = part
        .verdict
        .statement
        .as_ref()
        .ok_or_else(|| Error::Input("the reproduction has no verified statement".into()))?;
    let subjects = consistency::subjects(st);
    checks.require(
        CheckId::ReproductionSubjects,
        Some(format!("{} file(s)", original.files.len())),
        Some(format!("{} file(s)", subjects.len())),
        "the rebuild produced exactly the release's model files, byte for byte",
        subjects == *original.files,
        || {
            let differ: Vec<&str> = subjects
                .symmetric_difference(original.files)
                .map(|(n, _)| n.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            Error::Digest(format!(
                "the rebuild's model files differ from the release's: [{}]",
                differ
                    .iter()
                    .map(|n| crate::display::one_line(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        },
    )?;
    same_inputs(original.provenance, st, checks)?;
    let release_signer = signer_of(original.policy, original.signer);
    let reproducer = signer_of(&given.signer, part.verdict.signer.as_ref());
    checks.require(
        CheckId::ReproductionIndependent,
        Some(format!("not {release_signer}")),
        Some(reproducer.clone()),
        "a second builder signed the rebuild",
        reproducer != release_signer,
        || {
            Error::Policy(format!(
                "the reproduction is signed by the release's own signer ({reproducer}); it needs a second builder"
            ))
        },
    )?;
    Ok(reproducer)
}

/// Same build type, and every input the release records with its digest.
fn same_inputs(original: &Statement, rebuilt: &Statement, checks: &mut Checks) -> Result<()> {
    let build_type = |st: &Statement| {
        st.predicate["buildDefinition"]["buildType"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let (theirs, ours) = (inputs(rebuilt), inputs(original));
    let differ: Vec<String> = ours
        .iter()
        .filter(|(name, sha)| theirs.get(*name) != Some(sha))
        .map(|(name, _)| crate::display::one_line(name).into_owned())
        .collect();
    let same_type = build_type(original) == build_type(rebuilt);
    checks.require(
        CheckId::ReproductionInputs,
        Some(format!(
            "{} input(s) of {}",
            ours.len(),
            build_type(original)
        )),
        Some(format!(
            "{} input(s) of {}",
            theirs.len(),
            build_type(rebuilt)
        )),
        "the rebuild recorded the same build type and the same inputs",
        same_type && differ.is_empty() && !ours.is_empty(),
        || {
            Error::Digest(if !same_type {
                format!(
                    "the rebuild's build type is {:?}, the release's {:?}",
                    crate::display::one_line(&build_type(rebuilt)),
                    crate::display::one_line(&build_type(original))
                )
            } else if ours.is_empty() {
                "the release's provenance records no inputs to compare".into()
            } else {
                format!(
                    "the rebuild records other inputs than the release: [{}]",
                    differ.join(", ")
                )
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_the_build_s_not_the_builder_s() {
        for name in [
            "job",
            "dataset:data/d.csv",
            "file:train.py",
            "model:base/w",
            "base-model:bert",
            "requirements",
        ] {
            assert!(is_input(name), "{name}");
        }
        for name in ["trainer", "Cargo.lock", "python:numpy", "jobs", "source"] {
            assert!(!is_input(name), "{name}");
        }
    }
}
