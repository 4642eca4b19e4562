//! The in-toto files a release from this builder carries (`intoto/` beside
//! its `attestations/`), checked against the release's verified ML-BOM.

use super::bom::{linked, model_products};
use super::layout::steps_and_rules;
use super::load;
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The folder of the in-toto files in a build's output directory.
pub use slsa_aibom_types::layout::INTOTO_DIR as DIR;
/// The layout, inside [`DIR`].
pub const LAYOUT: &str = "root.layout";
/// The functionary's public key, inside [`DIR`].
pub const KEY: &str = "functionary.pub";
/// The training step.
pub const TRAIN: &str = "train";
/// The signing step.
pub const ATTEST: &str = "attest";

/// The training step's link in `dir`: the one `train.KEYID8.link` file.
pub fn train_link(dir: &Path) -> Result<PathBuf> {
    let prefix = format!("{TRAIN}.");
    let links: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".link"))
        })
        .collect();
    match <[PathBuf; 1]>::try_from(links) {
        Ok([link]) => Ok(link),
        Err(found) => Err(Error::Input(format!(
            "{} holds {} {prefix}*.link file(s), not one",
            dir.display(),
            found.len()
        ))),
    }
}

/// Check the in-toto files in `dir` against the release's verified ML-BOM
/// `statement`: the training link's model products are subjects of the
/// ML-BOM; the ML-BOM references the layout and that link by sha256; the
/// layout, vouched for by that digest, is signed by a key it lists and has
/// not expired; every step's links are signed by its functionaries; the
/// artifact rules hold; and the link records the ML-BOM's run.
pub(crate) fn check(statement: &Statement, dir: &Path, checks: &mut Checks) -> Result<()> {
    let layout_path = dir.join(LAYOUT);
    let link_path = train_link(dir)?;
    let (layout, link) = (load(&layout_path)?, load(&link_path)?);
    let products = model_products(&link)?;
    let subjects: BTreeSet<&str> = statement
        .subject
        .iter()
        .filter_map(|s| s.digest.get("sha256").map(String::as_str))
        .collect();
    let uncovered: Vec<&String> = products
        .iter()
        .filter(|d| !subjects.contains(d.as_str()))
        .collect();
    checks.require(
        CheckId::BomSubjects,
        Some(products.join(", ")),
        Some(subjects.iter().copied().collect::<Vec<_>>().join(", ")),
        format!(
            "the ML-BOM statement covers all {} model product(s) of the link",
            products.len()
        ),
        uncovered.is_empty(),
        || {
            Error::Digest(format!(
                "the training link's model product(s) {uncovered:?} are not subjects of the ML-BOM"
            ))
        },
    )?;
    let (meta, keys) = linked(
        statement,
        (&link, &link_path),
        (&layout, &layout_path),
        &products,
        checks,
    )?;
    steps_and_rules(&layout, &meta, keys, dir, checks)
}
