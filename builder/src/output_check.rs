//! Verify a whole output directory with the verifier library, as a consumer
//! would: the three bundles, every byproduct against the digest the signed
//! provenance records, and the ML-BOM file against the signed ML-BOM.

use crate::attest::{aibom::CYCLONEDX_PREDICATE, intoto, AIBOM_FILE};
use crate::error::{BuildError, Result};
use crate::layout::{self, Layout};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use slsa_aibom_verify::provenance::SLSA_PROVENANCE_V1;
use slsa_aibom_verify::{Inputs, Policy, PublicKey, SanMatcher, Subject, TrustRoot, Verifier};
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
    if report.verified {
        return Ok(());
    }
    let why = report
        .failure()
        .map(|f| f.message.clone())
        .unwrap_or_else(|| "no verdict".into());
    Err(BuildError::Verify(format!(
        "{} did not verify: {why}",
        evidence.display()
    )))
}

/// The in-toto statement inside a bundle's DSSE envelope, unverified: verify
/// the bundle (as [`verify_outputs`] does) before trusting it.
pub fn bundle_statement(bundle: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(bundle).map_err(|e| BuildError::io(bundle, e))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| BuildError::Verify(format!("{}: {e}", bundle.display())))?;
    json.pointer("/dsseEnvelope/payload")
        .and_then(Value::as_str)
        .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or_else(|| BuildError::Verify(format!("{}: no statement", bundle.display())))
}

/// What the outputs' signatures must chain to.
#[derive(Debug, Clone)]
pub enum Anchor {
    /// A public key (keyed builds).
    Key(PublicKey),
    /// A Fulcio certificate under `trust_root` for `identity`, issued to a
    /// token from `issuer` (keyless builds).
    Certificate {
        /// The Sigstore instance.
        trust_root: Box<TrustRoot>,
        /// The expected certificate SAN.
        identity: SanMatcher,
        /// The expected OIDC issuer.
        issuer: String,
    },
}

impl Anchor {
    /// A PEM public key file.
    pub fn key_file(path: &Path) -> Result<Self> {
        PublicKey::from_file(path)
            .map(Anchor::Key)
            .map_err(|e| BuildError::Verify(e.to_string()))
    }

    fn policy(&self, predicate: Option<&str>) -> Policy {
        let base = match self {
            Anchor::Key(key) => Policy {
                key: Some(key.clone()),
                ..Policy::default()
            },
            Anchor::Certificate {
                trust_root,
                identity,
                issuer,
            } => Policy {
                trust_root: (**trust_root).clone(),
                identity: Some(identity.clone()),
                issuer: Some(issuer.clone()),
                ..Policy::default()
            },
        };
        Policy {
            predicate_type: predicate.map(str::to_string),
            ..base
        }
    }
}

/// Check everything under `root` against `anchor`; when `builder_id` is
/// given, the provenance must name it.
pub fn verify_outputs(root: &Path, anchor: &Anchor, builder_id: Option<&str>) -> Result<()> {
    let out = Layout::new(root);
    let model_files = || vec![Subject::File(out.weights()), Subject::File(out.config())];
    let provenance_policy = Policy {
        builder_id: builder_id.map(str::to_string),
        ..anchor.policy(Some(SLSA_PROVENANCE_V1))
    };
    verify_evidence(provenance_policy, &out.provenance(), model_files())?;
    verify_evidence(
        anchor.policy(Some(CYCLONEDX_PREDICATE)),
        &out.aibom_bundle(),
        model_files(),
    )?;
    verify_evidence(
        anchor.policy(None),
        &out.path(layout::MODEL_SIG),
        vec![Subject::ModelDir(out.model_dir())],
    )?;

    let provenance = bundle_statement(&out.provenance())?;
    let byproducts = provenance
        .pointer("/predicate/runDetails/byproducts")
        .and_then(Value::as_array)
        .ok_or_else(|| BuildError::Verify("the provenance lists no byproducts".into()))?;
    for b in byproducts {
        let name = b["name"].as_str().unwrap_or_default();
        let want = b
            .pointer("/digest/sha256")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if name.is_empty() || name.contains("..") || name.starts_with('/') {
            return Err(BuildError::Verify(format!(
                "byproduct name {name:?} is not a plain output path"
            )));
        }
        let path = out.path(name);
        let bytes = std::fs::read(&path)
            .map_err(|e| BuildError::Verify(format!("byproduct {name}: {e}")))?;
        let got = hex::encode(Sha256::digest(&bytes));
        if got != want {
            return Err(BuildError::Verify(format!(
                "{name} has sha256 {got}, the signed provenance records {want}"
            )));
        }
    }
    let bom_file: Value = serde_json::from_slice(
        &std::fs::read(out.path(AIBOM_FILE))
            .map_err(|e| BuildError::io(&out.path(AIBOM_FILE), e))?,
    )
    .map_err(|e| BuildError::Verify(format!("{AIBOM_FILE}: {e}")))?;
    if bundle_statement(&out.aibom_bundle())?["predicate"] != bom_file {
        return Err(BuildError::Verify(format!(
            "{AIBOM_FILE} differs from the signed ML-BOM"
        )));
    }
    verify_intoto(&out, anchor)
}

/// The in-toto layout with its links, the ML-BOM with the training link it
/// references, and the output files against that link's products.
fn verify_intoto(out: &Layout, anchor: &Anchor) -> Result<()> {
    let dir = out.path(intoto::DIR);
    let layout = dir.join(intoto::LAYOUT);
    let prefix = format!("{}.", intoto::TRAIN);
    let train_link = std::fs::read_dir(&dir)
        .map_err(|e| BuildError::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".link"))
        })
        .ok_or_else(|| BuildError::Verify(format!("no {prefix}*.link in {}", dir.display())))?;
    let reports = [
        slsa_aibom_verify::intoto::verify_layout(&layout, &[dir.join(intoto::KEY)], &dir),
        slsa_aibom_verify::intoto::verify_bom(
            &anchor.policy(None),
            &out.aibom_bundle(),
            &train_link,
            &layout,
        ),
        slsa_aibom_verify::intoto::verify_dir(
            &out.root,
            slsa_aibom_verify::intoto::Side::Products,
            &train_link,
            &slsa_aibom_verify::intoto::LinkTrust::Key(dir.join(intoto::KEY)),
        ),
    ];
    match reports.iter().find_map(|r| r.failure()) {
        Some(f) => Err(BuildError::Verify(format!("in-toto: {}", f.message))),
        None => Ok(()),
    }
}
