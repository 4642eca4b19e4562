//! The release's in-toto files: checked against the verified ML-BOM, their
//! checks recorded as `intoto.*`. When the ML-BOM references them they must
//! be at hand, unless the policy allows a partial release.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::{array, model_component};
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use std::path::Path;

/// Check the in-toto files in `dir` (`None`: absent) against the verified
/// ML-BOM `aibom`.
pub(crate) fn check(
    aibom: &Statement,
    dir: Option<&Path>,
    allow_partial: bool,
    checks: &mut Checks,
) -> Result<()> {
    let referenced = array(&model_component(&aibom.predicate)["externalReferences"])
        .iter()
        .any(|r| r["type"] == "attestation");
    match dir {
        Some(dir) => checked(aibom, dir, checks),
        None if referenced && !allow_partial => checks.record(
            CheckId::ReleaseIntoto,
            None,
            None,
            "",
            Err(Error::Digest(
                "the signed ML-BOM references in-toto attestations, but no intoto/ folder is beside the release".into(),
            )),
        ),
        None => {
            checks.not_applicable(
                CheckId::ReleaseIntoto,
                if referenced {
                    "no intoto/ folder beside the attestations (partial release allowed): the in-toto layout and links were not checked"
                } else {
                    "the ML-BOM references no in-toto attestations"
                },
            );
            Ok(())
        }
    }
}

#[cfg(feature = "in-toto")]
fn checked(aibom: &Statement, dir: &Path, checks: &mut Checks) -> Result<()> {
    let before = checks.0.len();
    let outcome = crate::intoto::release::check(aibom, dir, checks);
    checks.scope_from(before, "intoto");
    let named = checks.0[before..]
        .iter()
        .any(|c| c.status == crate::checks::Status::Fail);
    match outcome {
        // A file that is missing or does not parse fails no named check: name one.
        Err(e) if !named => checks.record(
            CheckId::IntotoFiles,
            None,
            None,
            format!("the in-toto files in {}", dir.display()),
            Err(e),
        ),
        outcome => outcome,
    }
}

#[cfg(not(feature = "in-toto"))]
fn checked(_: &Statement, dir: &Path, checks: &mut Checks) -> Result<()> {
    checks.warn(
        CheckId::ReleaseIntoto,
        None,
        None,
        format!(
            "{} was not checked: this verifier was built without the in-toto feature",
            dir.display()
        ),
    );
    Ok(())
}
