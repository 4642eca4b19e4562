//! The files beside a release that its signed provenance names as
//! byproducts (`metrics.json`, `environment.json`, `training.log`,
//! `dataset-commitment.json`, `build-record.json`, `aibom.cdx.json`): each
//! must be there and have the digest the provenance records, unless the
//! policy allows a partial release; one that is there is always checked.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::provenance::slsa_v1;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use std::path::{Component, Path};

/// Check the provenance's byproducts against the files in `dir` (`None`:
/// no release folder was given, so every byproduct is absent).
pub(crate) fn check(
    provenance: &Statement,
    dir: Option<&Path>,
    allow_partial: bool,
    checks: &mut Checks,
) -> Result<()> {
    let listed = match slsa_v1(provenance) {
        Ok(p) => p.run_details.byproducts,
        Err(e) => return checks.record(CheckId::ReleaseByproducts, None, None, "", Err(e)),
    };
    let mut matched = Vec::new();
    let mut absent = Vec::new();
    for b in &listed {
        let name = b.name.as_str();
        let want = b.sha256_hex();
        let plain = !name.is_empty()
            && Path::new(name)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        let Some(want) = want.filter(|_| plain) else {
            return checks.record(
                CheckId::ReleaseByproducts,
                None,
                Some(name.to_string()),
                "",
                Err(Error::Input(format!(
                    "the provenance names byproduct {name:?} without a plain relative path and a sha256"
                ))),
            );
        };
        let path = dir.map(|d| d.join(name));
        let Some(path) = path.filter(|p| std::fs::symlink_metadata(p).is_ok()) else {
            absent.push(name.to_string());
            continue;
        };
        let got = crate::documents::hashing::sha256_file(&path).map(hex::encode);
        let result = match got {
            Ok(got) if got == want => Ok(()),
            Ok(got) => Err(Error::Digest(format!(
                "{name} has sha256 {got}, the signed provenance records {want}"
            ))),
            Err(e) => Err(Error::Digest(format!("{name}: {}", e.detail()))),
        };
        if result.is_err() {
            return checks.record(CheckId::ReleaseByproducts, Some(want), None, "", result);
        }
        matched.push(name.to_string());
    }
    let detail = format!(
        "{} byproduct(s) beside the release match the signed provenance",
        matched.len()
    );
    match (absent.is_empty(), allow_partial) {
        (true, _) => {
            checks.pass(CheckId::ReleaseByproducts, None, Some(matched.join(", ")), detail);
            Ok(())
        }
        (false, true) => {
            checks.warn(
                CheckId::ReleaseByproducts,
                None,
                Some(matched.join(", ")),
                format!(
                    "{detail}; absent, allowed by the policy's partial release: {}",
                    absent.join(", ")
                ),
            );
            Ok(())
        }
        (false, false) => checks.record(
            CheckId::ReleaseByproducts,
            Some(absent.join(", ")),
            Some(matched.join(", ")),
            "",
            Err(Error::Digest(format!(
                "the signed provenance names byproduct(s) that are not beside the release: {} (a policy may allow a partial release with [release] allow_partial = true)",
                absent.join(", ")
            ))),
        ),
    }
}
