//! Verify a whole output directory with the verifier library, as a consumer
//! would: the release (three bundles, their binding, the ML-BOM file, the
//! in-toto files, every byproduct against the digest the signed provenance
//! records), then the output files against the training link.

use crate::attest::intoto;
use crate::error::{BuildError, Result};
use crate::layout::{self, Layout};
use base64::Engine as _;
use serde_json::Value;
use slsa_aibom_verify::release::rules::ValidReleasePolicy;
use slsa_aibom_verify::release::{verify_release, Release};
use slsa_aibom_verify::{CertIdentity, Inputs, Policy, Subject, Verifier};
use std::path::Path;

/// Verify `evidence` against `subjects` under `policy`; anything short of
/// `verified` (including a report without a verdict) is an error.
pub(crate) fn verify_evidence(
    policy: Policy,
    evidence: &Path,
    subjects: Vec<Subject>,
) -> Result<()> {
    let verifier = Verifier::new(policy).map_err(|e| BuildError::Verify(e.to_string()))?;
    let report = verifier.verify(&Inputs {
        evidence: evidence.to_path_buf(),
        subjects,
    });
    if report.verified() {
        return Ok(());
    }
    let why = report.failure().map_or("no verdict", |f| f.message());
    Err(BuildError::Verify(format!(
        "{} did not verify: {why}",
        evidence.display()
    )))
}

/// The in-toto statement inside a bundle's DSSE envelope, unverified: verify
/// the bundle (as [`verify_outputs`] does) before trusting it.
pub fn bundle_statement(bundle: &Path) -> Result<Value> {
    let text =
        crate::error::read_text_file(bundle, slsa_aibom_verify::bounded_read::EVIDENCE_LIMIT)?;
    let json: Value = slsa_aibom_verify::json::from_str(&text)
        .map_err(|e| BuildError::Verify(format!("{}: {e}", bundle.display())))?;
    json.pointer("/dsseEnvelope/payload")
        .and_then(Value::as_str)
        .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
        .and_then(|p| slsa_aibom_verify::json::from_slice(&p).ok())
        .ok_or_else(|| BuildError::Verify(format!("{}: no statement", bundle.display())))
}

pub use crate::signing::Anchor;

/// Check everything under `root` against `anchor` as a consumer's
/// `verify model` would (the three documents, their binding, the ML-BOM
/// file, the in-toto layout and links), then every byproduct against the
/// signed provenance and the output files against the training link; when
/// `builder_id` is given, the provenance must name it. Returns the
/// provenance signer's certificate identity (keyless outputs).
pub fn verify_outputs(
    root: &Path,
    anchor: &Anchor,
    builder_id: Option<&str>,
) -> Result<Option<CertIdentity>> {
    let out = Layout::new(root);
    let release = Release::from_layout(
        &out.model_dir(),
        &out.path(layout::ATTESTATIONS_DIR),
        &out.path(layout::MODEL_SIG),
    );
    let Some(intoto_dir) = release.intoto.as_deref().filter(|d| d.is_dir()) else {
        return Err(BuildError::Verify(format!(
            "{} lacks {}/",
            root.display(),
            intoto::DIR
        )));
    };
    let policy = Policy {
        builder_id: builder_id.map(str::to_string),
        ..anchor.policy()
    };
    // verify_release checks every byproduct (aibom.cdx.json included)
    // against the signed provenance: nothing may be missing.
    let report = verify_release(&policy, &ValidReleasePolicy::none(), None, &release);
    if let Some(f) = report.failure() {
        return Err(BuildError::Verify(format!(
            "{} did not verify as a release: {}",
            root.display(),
            f.message()
        )));
    }
    let products = slsa_aibom_verify::intoto::verify_dir(
        &out.root,
        slsa_aibom_verify::intoto::Side::Products,
        &slsa_aibom_verify::intoto::release::train_link(intoto_dir)
            .map_err(|e| BuildError::Verify(e.to_string()))?,
        &slsa_aibom_verify::intoto::LinkTrust::Pinned(intoto_dir.join(intoto::KEY)),
    );
    if let Some(f) = products.failure() {
        return Err(BuildError::Verify(format!("in-toto: {}", f.message())));
    }
    Ok(report
        .parts()
        .iter()
        .find(|p| p.document() == "provenance")
        .and_then(|p| p.verdict().signer().cloned()))
}
