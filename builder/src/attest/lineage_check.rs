//! The signing job's own check of a fine-tune's base model. The train
//! runner verified the base model's signature against the directory it had;
//! on a self-hosted runner that is its word alone. Here the signing job
//! verifies the same signature itself: the copy `detect` read from the
//! caller's commit (embedded in the build definition), under the job spec
//! `detect` read (identity and issuer, or the key), over the manifest root
//! the record names; and the record's files must hash to that root. What
//! the runner then trained on is still its word, as every training is.

use super::record::PretrainedRecord;
use super::signing_check::SigningCheck;
use crate::definition::LineageEvidence;
use crate::error::{BuildError, Result};
use crate::spec::Pretrained;
use sha2::{Digest as _, Sha256};
use slsa_aibom_verify::{Digest, Subject};

/// Who checked a base model whose signature passed [`reverify`].
pub const SIGNING_JOB: &str = "signing job";

fn refuse(why: impl std::fmt::Display) -> BuildError {
    SigningCheck::BaseModelSignature.refuse(why)
}

/// Verify the base model's signature in the signing job. `Ok(false)` when
/// the job signs nothing about it to check (pins only, checked elsewhere).
pub fn reverify(
    pins: &Pretrained,
    evidence: Option<&LineageEvidence>,
    record: &PretrainedRecord,
) -> Result<bool> {
    if pins.signature.is_none() {
        return Ok(false);
    }
    let evidence = evidence.ok_or_else(|| {
        refuse("the job names a base-model signature, and the build definition carries none")
    })?;
    let sha = hex::encode(Sha256::digest(evidence.signature.as_bytes()));
    if record.verification.signature_sha256.as_deref() != Some(sha.as_str()) {
        return Err(refuse(format!(
            "the record says signature sha256 {} verified, the caller's commit has {sha}",
            record
                .verification
                .signature_sha256
                .as_deref()
                .unwrap_or("none")
        )));
    }
    let dir = tempfile::tempdir().map_err(|e| BuildError::Io(e.to_string()))?;
    let put = |name: &str, text: &str| -> Result<std::path::PathBuf> {
        let path = dir.path().join(name);
        std::fs::write(&path, text).map_err(|e| BuildError::io(&path, e))?;
        Ok(path)
    };
    let signature = put("model.sig", &evidence.signature)?;
    let key = evidence
        .key
        .as_deref()
        .map(|k| put("key.pub", k))
        .transpose()?;
    let root = evidence
        .trusted_root
        .as_deref()
        .map(|r| put("trusted_root.json", r))
        .transpose()?;
    let (policy, signer) = crate::lineage::signature_policy(pins, key.as_deref(), root.as_deref())?;
    if record.verification.signer.as_deref() != Some(signer.as_str()) {
        return Err(refuse(format!(
            "the record names signer {:?}, the job names {signer:?}",
            record.verification.signer.as_deref().unwrap_or("none")
        )));
    }
    let manifest = Digest {
        algorithm: "sha256".into(),
        value: record.manifest_sha256.clone(),
    };
    crate::output_check::verify_evidence(policy, &signature, vec![Subject::Digest(manifest)])
        .map_err(|e| {
            refuse(format!(
                "the signature does not verify over the recorded manifest: {e}"
            ))
        })?;
    if manifest_root(record) != record.manifest_sha256 {
        return Err(refuse(
            "the record's files do not hash to the manifest it names",
        ));
    }
    Ok(true)
}

/// The model-signing root of the record's files: sha256 over their
/// digests, in path order (by path components, as the walk lists them).
fn manifest_root(record: &PretrainedRecord) -> String {
    let mut files: Vec<(Vec<&str>, &str)> = record
        .files
        .iter()
        .map(|f| (f.path.split('/').collect(), f.sha256.as_str()))
        .collect();
    files.sort();
    let mut root = Sha256::new();
    for (_, digest) in files {
        root.update(hex::decode(digest).unwrap_or_default());
    }
    hex::encode(root.finalize())
}
