//! The release's in-toto files, when they are at hand: checked against the
//! verified ML-BOM, their checks recorded as `intoto.*`.

use crate::error::Result;
use crate::statement::Statement;
use crate::verdict::Checks;
use std::path::Path;

/// Check the in-toto files in `dir` (if any) against the verified ML-BOM
/// `aibom`.
pub(crate) fn check(aibom: &Statement, dir: Option<&Path>, checks: &mut Checks) -> Result<()> {
    let Some(dir) = dir else {
        checks.not_applicable(
            "release.intoto",
            "no intoto/ folder beside the attestations: the in-toto layout and links were not checked",
        );
        return Ok(());
    };
    checked(aibom, dir, checks)
}

#[cfg(feature = "in-toto")]
fn checked(aibom: &Statement, dir: &Path, checks: &mut Checks) -> Result<()> {
    let before = checks.0.len();
    let outcome = crate::intoto::release::check(aibom, dir, checks);
    for c in &mut checks.0[before..] {
        c.name = format!("intoto.{}", c.name);
    }
    let named = checks.0[before..]
        .iter()
        .any(|c| c.status == crate::verdict::Status::Fail);
    match outcome {
        // A file that is missing or does not parse fails no named check: name one.
        Err(e) if !named => checks.record(
            "intoto.files",
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
        "release.intoto",
        None,
        None,
        format!(
            "{} was not checked: this verifier was built without the in-toto feature",
            dir.display()
        ),
    );
    Ok(())
}
