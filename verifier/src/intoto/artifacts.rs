//! Stored artifacts checked against a signed link's materials and products.

use super::link::verify_link;
use super::{report, sha256_of, LinkTrust};
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::verifier::Report;
use in_toto::models::LinkMetadata;
use std::collections::BTreeSet;
use std::path::Path;

/// Which of a link's artifact lists to check a directory against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The materials (what the step read).
    Materials,
    /// The products (what the step wrote).
    Products,
    /// Both.
    Both,
}

/// `(side, path, sha256)` of the link's artifacts on `side`.
fn entries(link: &LinkMetadata, side: Side) -> Result<Vec<(&'static str, String, String)>> {
    let mut out = Vec::new();
    let lists = [
        ("material", &link.materials, side != Side::Products),
        ("product", &link.products, side != Side::Materials),
    ];
    for (kind, list, wanted) in lists {
        if !wanted {
            continue;
        }
        for (path, hashes) in list {
            let sha256 = sha256_of(hashes).ok_or_else(|| {
                Error::Input(format!(
                    "{kind} {}: the link records no sha256",
                    path.value()
                ))
            })?;
            out.push((kind, path.value().to_string(), sha256));
        }
    }
    Ok(out)
}

/// Check `file` against the link at `link`: the entry named `name` (by
/// default, the longest materials or products path that `file` ends with)
/// must record the file's sha256.
pub fn verify_file(file: &Path, name: Option<&str>, link: &Path, trust: &LinkTrust) -> Report {
    let mut checks = Checks::named(Default::default());
    let outcome = verify_link(link, trust, &mut checks).and_then(|meta| {
        let shown = file.to_string_lossy().replace('\\', "/");
        let all = entries(&meta, Side::Both)?;
        let candidates: Vec<_> = all
            .iter()
            .filter(|(_, p, _)| match name {
                Some(n) => p == n,
                None => shown == *p || shown.ends_with(&format!("/{p}")),
            })
            .collect();
        let longest = candidates.iter().map(|(_, p, _)| p.len()).max();
        let named: Vec<_> = candidates
            .into_iter()
            .filter(|(_, p, _)| Some(p.len()) == longest)
            .collect();
        if named.is_empty() {
            return Err(Error::Digest(format!(
                "the link lists no material or product named {}",
                name.unwrap_or(&shown)
            )));
        }
        let got = crate::documents::hashing::sha256_file(file).map(hex::encode)?;
        let hit = named.iter().find(|(_, _, want)| *want == got);
        let (kind, path, want) = hit.copied().unwrap_or(named[0]);
        checks.require(
            artifact_check(kind, path),
            Some(want.clone()),
            Some(got.clone()),
            format!("{} verified", file.display()),
            hit.is_some(),
            || {
                Error::Digest(format!(
                    "{} has sha256 {got}; the link's {kind} {path} has {want}",
                    file.display()
                ))
            },
        )
    });
    report(
        link,
        trust.describe(),
        file.display().to_string(),
        checks,
        outcome,
    )
}

/// Check the files under `dir` against the link at `link`, on `side`:
/// each artifact is verified (same sha256), mismatched or missing; files the
/// link does not list are reported as unlisted warnings. Fails if any
/// artifact is mismatched or missing.
pub fn verify_dir(dir: &Path, side: Side, link: &Path, trust: &LinkTrust) -> Report {
    let mut checks = Checks::named(Default::default());
    let outcome = verify_link(link, trust, &mut checks).and_then(|meta| {
        let tree = crate::documents::hashing::sha256_tree(dir, &[])?;
        let files: std::collections::BTreeMap<&str, &str> =
            tree.iter().map(|(p, d)| (p.as_str(), d.as_str())).collect();
        let (mut verified, mut bad) = (0usize, Vec::new());
        let mut listed = BTreeSet::new();
        for (kind, path, want) in entries(&meta, side)? {
            listed.insert(path.clone());
            let name = artifact_check(kind, &path);
            match files.get(path.as_str()) {
                Some(got) if *got == want => {
                    verified += 1;
                    checks.pass(name.clone(), Some(want), Some(got.to_string()), "verified");
                }
                Some(got) => {
                    bad.push(format!("{path} mismatched"));
                    let e = Error::Digest(format!("mismatched: sha256 {got}, the link has {want}"));
                    let _ = checks.record::<()>(
                        name.clone(),
                        Some(want),
                        Some(got.to_string()),
                        "",
                        Err(e),
                    );
                }
                None => {
                    bad.push(format!("{path} missing"));
                    let e = Error::Digest(format!("missing from {}", dir.display()));
                    let _ = checks.record::<()>(name, Some(want), None, "", Err(e));
                }
            }
        }
        let unlisted: Vec<&str> = files
            .keys()
            .filter(|p| !listed.contains(**p))
            .copied()
            .collect();
        for path in &unlisted {
            checks.warn(
                CheckId::IntotoUnlisted.of(*path),
                None,
                None,
                "in the directory, not in the link",
            );
        }
        let summary = format!(
            "{verified} verified, {} mismatched or missing, {} unlisted",
            bad.len(),
            unlisted.len()
        );
        checks.require(
            CheckId::Artifacts,
            None,
            None,
            summary,
            bad.is_empty(),
            || Error::Digest(bad.join(", ")),
        )
    });
    report(
        link,
        trust.describe(),
        dir.display().to_string(),
        checks,
        outcome,
    )
}

/// The check of one material or product of a link.
fn artifact_check(kind: &str, path: &str) -> crate::checks::CheckName {
    match kind {
        "material" => CheckId::IntotoMaterial.of(path),
        _ => CheckId::IntotoProduct.of(path),
    }
}
