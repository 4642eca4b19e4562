//! A signed layout with its links, checked as `in-toto-verify` checks it.

use super::{load, report, Loaded};
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::verifier::Report;
use in_toto::crypto::{KeyId, PublicKey};
use in_toto::models::{LayoutMetadata, MetadataWrapper};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The layout in `loaded`, after checking that every key in `keys` signed it.
pub(crate) fn signed_layout(
    loaded: &Loaded,
    keys: &[PublicKey],
    checks: &mut Checks,
) -> Result<LayoutMetadata> {
    let ids: Vec<String> = keys.iter().map(|k| k.key_id().prefix()).collect();
    let verified = if keys.is_empty() {
        Err(Error::Input("no layout key given".into()))
    } else {
        loaded
            .block
            .verify(keys.len() as u32, keys)
            .map_err(|e| Error::Crypto(format!("layout signature: {e}")))
            .and_then(|m| match m {
                MetadataWrapper::Layout(layout) => Ok(layout),
                MetadataWrapper::Link(_) => {
                    Err(Error::Input("this is a link, not a layout".into()))
                }
            })
    };
    checks.record(
        CheckId::LayoutSignature,
        Some(ids.join(", ")),
        None,
        format!("signed by {}", ids.join(", ")),
        verified,
    )
}

/// Check that `layout` has not expired.
pub(crate) fn unexpired(layout: &LayoutMetadata, checks: &mut Checks) -> Result<()> {
    let now = jiff::Timestamp::now();
    let expires = layout.expires.to_rfc3339();
    checks.require(
        CheckId::LayoutExpires,
        Some(format!("after {}", now.strftime("%Y-%m-%dT%H:%M:%SZ"))),
        Some(expires.clone()),
        format!("expires {expires}"),
        layout.expires.timestamp() > now.as_second(),
        || Error::Policy(format!("the layout expired at {expires}")),
    )
}

/// The public keys a layout lists for `ids`, each once however often it is
/// listed (a functionary named twice is still one signer).
pub(crate) fn functionaries(layout: &LayoutMetadata, ids: &[KeyId]) -> Vec<PublicKey> {
    let mut keys: Vec<PublicKey> = Vec::new();
    for key in ids.iter().filter_map(|id| layout.keys.get(id)) {
        if !keys.iter().any(|k| k.key_id() == key.key_id()) {
            keys.push(key.clone());
        }
    }
    keys
}

/// Check each step's links: at least `threshold` of its functionaries'
/// `<step>.<keyid prefix>.link` files in `link_dir` carry a valid signature.
fn step_links(layout: &LayoutMetadata, link_dir: &Path, checks: &mut Checks) -> Result<()> {
    for step in &layout.steps {
        let mut valid = 0u32;
        let mut problems = Vec::new();
        for key in functionaries(layout, &step.pub_keys) {
            let file = link_dir.join(format!("{}.{}.link", step.name, key.key_id().prefix()));
            let outcome = load(&file).and_then(|l| {
                l.block
                    .verify(1, [&key])
                    .map_err(|e| Error::Crypto(e.to_string()))
            });
            match outcome {
                Ok(MetadataWrapper::Link(link)) if link.name == step.name => valid += 1,
                Ok(_) => problems.push(format!(
                    "{}: not a link for step {}",
                    file.display(),
                    step.name
                )),
                Err(e) => problems.push(format!("{}: {}", file.display(), e.detail())),
            }
        }
        let name = CheckId::IntotoStep.of(step.name.as_str());
        let detail = format!(
            "{valid} of {} required functionary link(s) signed",
            step.threshold
        );
        checks.require(
            name,
            Some(format!("{} signed link(s)", step.threshold)),
            Some(format!("{valid}")),
            detail.clone(),
            valid >= step.threshold,
            || {
                Error::Crypto(format!(
                    "step {}: {detail}; {}",
                    step.name,
                    problems.join("; ")
                ))
            },
        )?;
    }
    Ok(())
}

/// Verify the layout at `layout_path`, signed by every key in `key_paths`,
/// with the links in `link_dir`: signatures, expiry, each step's signature
/// threshold, then the artifact rules (run by `in_toto::verifylib`).
/// Layouts with inspections are refused: this verifier never runs commands.
pub fn verify_layout(layout_path: &Path, key_paths: &[PathBuf], link_dir: &Path) -> Report {
    let trust = format!(
        "layout keys {}",
        key_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut checks = Checks::named(Default::default());
    let outcome = run(layout_path, key_paths, link_dir, &mut checks);
    report(
        layout_path,
        trust,
        link_dir.display().to_string(),
        checks,
        outcome,
    )
}

fn run(
    layout_path: &Path,
    key_paths: &[PathBuf],
    link_dir: &Path,
    checks: &mut Checks,
) -> Result<()> {
    for key in key_paths {
        super::key_from_outside(key, layout_path)?;
    }
    let loaded = load(layout_path)?;
    let keys = super::key::public_keys(key_paths)?;
    let layout = signed_layout(&loaded, &keys, checks)?;
    unexpired(&layout, checks)?;
    steps_and_rules(&loaded, &layout, keys, link_dir, checks)
}

/// For a `layout` already checked to be signed by `keys` and unexpired:
/// no inspections, each step's links in `link_dir` meet its threshold, and
/// the artifact rules hold (run by `in_toto::verifylib`).
pub(crate) fn steps_and_rules(
    loaded: &Loaded,
    layout: &LayoutMetadata,
    keys: Vec<PublicKey>,
    link_dir: &Path,
    checks: &mut Checks,
) -> Result<()> {
    checks.require(
        CheckId::LayoutInspections,
        Some("none".into()),
        Some(layout.inspect.len().to_string()),
        "no inspections to run",
        layout.inspect.is_empty(),
        || {
            Error::Input(format!(
                "the layout defines {} inspection(s), which are commands to run; slsa-aibom-verify never runs commands",
                layout.inspect.len()
            ))
        },
    )?;
    step_links(layout, link_dir, checks)?;
    let dir = link_dir
        .to_str()
        .ok_or_else(|| Error::Input(format!("{}: not a UTF-8 path", link_dir.display())))?;
    let key_map: HashMap<KeyId, PublicKey> =
        keys.into_iter().map(|k| (k.key_id().clone(), k)).collect();
    let rules = in_toto::verifylib::in_toto_verify(&loaded.block, key_map, dir, None)
        .map(|_| ())
        .map_err(|e| Error::Digest(format!("artifact rules: {e}")));
    checks.record(
        CheckId::LayoutArtifactRules,
        None,
        None,
        format!(
            "the materials and products of {} step(s) follow their rules",
            layout.steps.len()
        ),
        rules,
    )
}
