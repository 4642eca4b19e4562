//! A signed ML-BOM together with the in-toto link and layout it references.
//!
//! Trust flows from the ML-BOM's signature (checked under the caller's
//! policy, like any bundle): the ML-BOM names the layout and the link by
//! sha256, the layout names the functionary keys, and the link must be
//! signed by one of its step's functionaries. Then the link and the ML-BOM
//! must describe the same model and the same run.

use super::layout::{functionaries, signed_layout, unexpired};
use super::link::{signed_link, step_signers, unverified_link};
use super::{load, report, sha256_of, Loaded};
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::CYCLONEDX_PREDICATE;
use crate::documents::mlbom::{array, model_component, MlBom};
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use crate::policy::Policy;
use crate::verifier::{Inputs, Report, Subject, Verifier};
use crate::Digest;
use in_toto::crypto::PublicKey;
use in_toto::models::{LayoutMetadata, MetadataWrapper};
use serde_json::Value;
use std::path::Path;

/// Verify the ML-BOM bundle `bom` under `policy`, with the link and layout
/// it references.
pub fn verify_bom(policy: &Policy, bom: &Path, link: &Path, layout: &Path) -> Report {
    let mut checks = Checks::named(Default::default());
    let outcome = run(policy, bom, link, layout, &mut checks);
    report(
        bom,
        "the ML-BOM's signer, under the given policy".to_string(),
        link.display().to_string(),
        checks,
        outcome,
    )
}

/// The sha256 digests of the link's products under `model/`, read before
/// anything is trusted: they are the subjects the ML-BOM must cover.
pub(crate) fn model_products(link: &Loaded) -> Result<Vec<String>> {
    let digests: Vec<String> = unverified_link(&link.block)?
        .products
        .iter()
        .filter(|(p, _)| p.value().starts_with("model/"))
        .filter_map(|(_, h)| sha256_of(h))
        .collect();
    if digests.is_empty() {
        return Err(Error::Input("the link lists no model/ products".into()));
    }
    Ok(digests)
}

/// The sha256 of the ML-BOM's `attestation` reference to a file named
/// `file_name`, on the model component.
fn reference(model: &Value, file_name: &str) -> Option<String> {
    array(&model["externalReferences"])
        .iter()
        .filter(|r| r["type"] == "attestation")
        .filter(|r| r["url"].as_str().and_then(|u| u.rsplit('/').next()) == Some(file_name))
        .flat_map(|r| array(&r["hashes"]))
        .find(|h| h["alg"] == "SHA-256")
        .and_then(|h| h["content"].as_str().map(str::to_ascii_lowercase))
}

fn run(
    policy: &Policy,
    bom: &Path,
    link_path: &Path,
    layout_path: &Path,
    checks: &mut Checks,
) -> Result<()> {
    let link = load(link_path)?;
    let layout = load(layout_path)?;
    let products = model_products(&link)?;
    let statement = signed_bom(policy, bom, &products, checks)?;
    linked(
        &statement,
        (&link, link_path),
        (&layout, layout_path),
        &products,
        checks,
    )
    .map(|_| ())
}

/// The ML-BOM statement in `bom`, verified under `policy` (signature and
/// signer) with the link's model `products` as its subjects.
fn signed_bom(
    policy: &Policy,
    bom: &Path,
    products: &[String],
    checks: &mut Checks,
) -> Result<Statement> {
    let mut policy = policy.clone();
    policy.predicate_type = Some(CYCLONEDX_PREDICATE.into());
    let verified = Verifier::new(policy)?.verify(&Inputs {
        evidence: bom.to_path_buf(),
        subjects: products
            .iter()
            .map(|d| {
                Subject::Digest(Digest {
                    algorithm: "sha256".into(),
                    value: d.clone(),
                })
            })
            .collect(),
    });
    let verdict = verified
        .deciding_verdict()
        .cloned()
        .ok_or_else(|| Error::Input("no subjects".into()))?;
    checks.0.extend(verdict.checks.iter().cloned());
    if let Some(f) = &verdict.failure {
        return Err(Error::from_class(f.class, f.message.clone()));
    }
    checks.pass(
        CheckId::BomSubjects,
        Some(products.join(", ")),
        None,
        format!(
            "the ML-BOM statement covers all {} model product(s) of the link",
            products.len()
        ),
    );
    verdict
        .statement
        .ok_or_else(|| Error::Input("the ML-BOM bundle holds no statement".into()))
}

/// Check the link and the layout against a verified ML-BOM `statement`
/// whose subjects cover the link's model `products`: the ML-BOM references
/// both by digest, the layout is signed by a key it lists and has not
/// expired, a functionary of its step signed the link, and the link records
/// the ML-BOM's model and run. Returns the verified layout and the keys
/// that signed it.
pub(crate) fn linked(
    statement: &Statement,
    (link, link_path): (&Loaded, &Path),
    (layout, layout_path): (&Loaded, &Path),
    products: &[String],
    checks: &mut Checks,
) -> Result<(LayoutMetadata, Vec<PublicKey>)> {
    let model = model_component(&statement.predicate);

    // 2. The ML-BOM names the layout and the link by digest.
    for (name, loaded, path) in [
        (CheckId::BomLayout, layout, layout_path),
        (CheckId::BomLink, link, link_path),
    ] {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let referenced = reference(model, &file);
        checks.require(
            name,
            referenced.clone(),
            Some(loaded.sha256.clone()),
            format!("the ML-BOM references {file} by this sha256"),
            referenced.as_deref() == Some(loaded.sha256.as_str()),
            || match &referenced {
                Some(r) => Error::Digest(format!(
                    "{file} has sha256 {}, the ML-BOM references {r}",
                    loaded.sha256
                )),
                None => Error::Digest(format!(
                    "the ML-BOM's model references no attestation named {file}"
                )),
            },
        )?;
    }

    // 3. The layout, vouched for by that digest, is signed by a key it lists.
    let MetadataWrapper::Layout(listed) = &layout.block.metadata else {
        return Err(Error::Input(format!(
            "{}: a link, not a layout",
            layout_path.display()
        )));
    };
    let signer_ids: Vec<_> = layout
        .block
        .signatures
        .iter()
        .map(|s| s.key_id().clone())
        .collect();
    let signers = functionaries(listed, &signer_ids);
    if signers.is_empty() {
        return Err(Error::Crypto(
            "the layout is not signed by any key it lists".into(),
        ));
    }
    let layout_meta = signed_layout(layout, &signers, checks)?;
    unexpired(&layout_meta, checks)?;

    // 4. The link, signed by a functionary of its step.
    let link_meta = signed_link(
        &link.block,
        &step_signers(&layout_meta, &link.block)?,
        checks,
    )?;

    // 5. The same model and the same run.
    same_model_and_run(statement, &link_meta, products, checks)?;
    Ok((layout_meta, signers))
}

/// The ML-BOM's model hashes are products of the link, and both record the
/// same run (when the link records one).
fn same_model_and_run(
    statement: &Statement,
    link_meta: &in_toto::models::LinkMetadata,
    products: &[String],
    checks: &mut Checks,
) -> Result<()> {
    let mlbom = MlBom::from_json(&statement.predicate);
    let missing: Vec<&String> = mlbom
        .model
        .sha256
        .iter()
        .filter(|d| !products.contains(d))
        .collect();
    checks.require(
        CheckId::LinkProducts,
        Some(mlbom.model.sha256.join(", ")),
        Some(products.join(", ")),
        "the ML-BOM's model hashes are products of the link",
        !mlbom.model.sha256.is_empty() && missing.is_empty(),
        || {
            Error::Digest(format!(
                "the ML-BOM's model hash(es) {missing:?} are not products of the link"
            ))
        },
    )?;
    match link_meta.env.as_ref().and_then(|e| e.get("invocation_id")) {
        Some(run) => checks.require(
            CheckId::LinkInvocation,
            Some(mlbom.workflow_uids.join(", ")),
            Some(run.clone()),
            "the link and the ML-BOM record the same run",
            mlbom.workflow_uids.contains(run),
            || {
                Error::Digest(format!(
                    "the link records run {run}, the ML-BOM {:?}",
                    mlbom.workflow_uids
                ))
            },
        ),
        None => {
            checks.not_applicable(CheckId::LinkInvocation, "the link records no invocation_id");
            Ok(())
        }
    }?;
    Ok(())
}
