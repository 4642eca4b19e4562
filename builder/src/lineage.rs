//! A pretrained base model as a verified dependency: the directory's file
//! manifest (as model-signing computes it), checked against its model
//! signature or the job's pinned digests before anything is trained, and
//! every file later read held to the digest that was checked.

use crate::attest::record::{OutputFile, PretrainedRecord};
use crate::error::{BuildError, Result};
use crate::output_check::verify_evidence;
use crate::spec::{Job, Pretrained};
use sha2::{Digest as _, Sha256};
use slsa_aibom_types::provenance::BaseModelVerification;
use slsa_aibom_verify::documents::model_signing::dir_manifest;
use slsa_aibom_verify::{Policy, PublicKey, SanMatcher, Subject, TrustAnchor, TrustRoot};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a base model was vouched for when no signature was given.
pub const PINNED_ONLY: &str = "pinned digest, no signature";

/// The files a BERT base directory must have.
pub const REQUIRED: [&str; 3] = ["config.json", "model.safetensors", "tokenizer.json"];

/// A base model directory whose manifest was verified.
pub struct VerifiedDir {
    dir: PathBuf,
    files: BTreeMap<String, [u8; 32]>,
    /// What goes into the provenance and the ML-BOM.
    pub record: PretrainedRecord,
}

impl VerifiedDir {
    /// Read `name` from the directory, refusing bytes that differ from the
    /// digest that was verified (a file swapped after the check).
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        let want = self
            .files
            .get(name)
            .ok_or_else(|| BuildError::Data(format!("the base model directory has no {name}")))?;
        let bytes = crate::data::read_regular(&self.dir.join(name))?;
        if Sha256::digest(&bytes).as_slice() != want {
            return Err(BuildError::Verify(format!(
                "base model file {name} changed after it was verified"
            )));
        }
        Ok(bytes)
    }

    /// Whether the directory has the file `name`.
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }
}

/// Verify the job's base model: the directory's manifest, its signature
/// when one is given (exit 7 when it does not verify), and every pinned
/// digest. Nothing is trained unless this succeeds.
pub fn verify(job: &Job, p: &Pretrained) -> Result<VerifiedDir> {
    let dir = job.resolve(&p.path);
    let shown = p.path.display().to_string();
    let meta = std::fs::symlink_metadata(&dir)
        .map_err(|e| BuildError::Data(format!("base model {shown}: {e}")))?;
    if !meta.is_dir() {
        return Err(BuildError::Data(format!(
            "base model {shown} is not a directory"
        )));
    }
    let signature = p.signature.as_ref().map(|s| job.resolve(s));
    let ignore: Vec<String> = signature
        .as_deref()
        .and_then(|s| inside(&dir, s))
        .into_iter()
        .collect();
    let (root, files) = dir_manifest(&dir, &ignore)
        .map_err(|e| BuildError::Verify(format!("base model {shown}: {e}")))?;
    if let Some(missing) = REQUIRED.iter().find(|f| !files.contains_key(**f)) {
        return Err(BuildError::Data(format!(
            "base model {shown} has no {missing} (a Hugging Face directory needs {})",
            REQUIRED.join(", ")
        )));
    }
    let manifest_sha256 = root.value.clone();
    let (verified_by, signer, signature_sha256) = match &signature {
        Some(sig) => {
            let (policy, signer) = signature_policy(
                p,
                p.key.as_ref().map(|k| job.resolve(k)).as_deref(),
                p.trusted_root.as_ref().map(|r| job.resolve(r)).as_deref(),
            )?;
            verify_evidence(policy, sig, vec![Subject::ModelDir(dir.clone())]).map_err(|e| {
                BuildError::Verify(format!(
                    "base model {shown}: its model signature does not verify, so nothing was trained or signed: {e}"
                ))
            })?;
            let kind = if p.key.is_some() { "keyed" } else { "keyless" };
            (
                format!("model signature ({kind})"),
                Some(signer),
                Some(crate::error::sha256_hex(sig)?),
            )
        }
        None => (PINNED_ONLY.to_string(), None, None),
    };
    check_pins(p, &shown, &manifest_sha256, &files)?;
    let record = PretrainedRecord {
        path: shown,
        manifest_sha256,
        files: files
            .iter()
            .map(|(name, d)| OutputFile {
                path: name.clone(),
                sha256: hex::encode(d),
                size: std::fs::metadata(dir.join(name))
                    .map(|m| m.len())
                    .unwrap_or(0),
            })
            .collect(),
        verification: BaseModelVerification {
            verified_by,
            signer,
            signature_sha256,
            pinned: p.manifest_sha256.is_some() || !p.files.is_empty(),
            checked_by: None,
        },
    };
    Ok(VerifiedDir { dir, files, record })
}

/// `path` relative to `dir` when it lies inside it.
fn inside(dir: &Path, path: &Path) -> Option<String> {
    let (dir, path) = (dir.canonicalize().ok()?, path.canonicalize().ok()?);
    Some(path.strip_prefix(dir).ok()?.to_string_lossy().into_owned())
}

/// The policy a base model's signature is held to, and the signer it names:
/// the key at `key` when the job names one, else the job's identity and
/// issuer under the trusted root at `trusted_root` (default public-good).
/// The train stage passes the caller's files; the signing job the copies
/// `detect` embedded in the build definition.
pub(crate) fn signature_policy(
    p: &Pretrained,
    key: Option<&Path>,
    trusted_root: Option<&Path>,
) -> Result<(Policy, String)> {
    let err = |what: &str, e: slsa_aibom_verify::Error| {
        BuildError::Verify(format!("model.pretrained.{what}: {e}"))
    };
    let root = match trusted_root {
        Some(path) => TrustRoot::from_file(path).map_err(|e| err("trusted_root", e))?,
        None => TrustRoot::embedded(slsa_aibom_verify::Instance::PublicGood),
    };
    if let Some(path) = key {
        let key = PublicKey::from_file(path).map_err(|e| err("key", e))?;
        let signer = format!("key sha256:{}", crate::error::sha256_hex(path)?);
        let anchor = TrustAnchor::Sigstore(root).with_key(key);
        return Ok((
            Policy {
                anchor,
                ..Policy::default()
            },
            signer,
        ));
    }
    let identity = p.identity.clone().unwrap_or_default();
    let issuer = p.issuer.clone().unwrap_or_default();
    let policy = Policy {
        anchor: TrustAnchor::Sigstore(root),
        identity: Some(SanMatcher::Exact(identity.clone())),
        issuer: Some(issuer.clone()),
        ..Policy::default()
    };
    Ok((policy, format!("{identity} (issuer {issuer})")))
}

/// The job's pinned digests against what is on disk; a mismatch names the file.
fn check_pins(
    p: &Pretrained,
    shown: &str,
    manifest: &str,
    files: &BTreeMap<String, [u8; 32]>,
) -> Result<()> {
    if let Some(want) = &p.manifest_sha256 {
        if want != manifest {
            return Err(BuildError::Verify(format!(
                "base model {shown}: its manifest sha256 is {manifest}, the job pins {want} (a file was changed, added or removed)"
            )));
        }
    }
    for (name, want) in &p.files {
        match files.get(name) {
            None => {
                return Err(BuildError::Verify(format!(
                    "base model {shown}: the job pins {name}, which is not in the directory"
                )))
            }
            Some(d) if hex::encode(d) != *want => {
                return Err(BuildError::Verify(format!(
                    "base model {shown}: {name} has sha256 {}, the job pins {want}",
                    hex::encode(d)
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_on_a_file_the_directory_lacks_is_refused() {
        let files = BTreeMap::from([("config.json".to_string(), [1u8; 32])]);
        let mut p: Pretrained = toml::from_str("path = \"base\"").unwrap();
        p.files.insert("model.safetensors".into(), "ab".repeat(32));
        let e = check_pins(&p, "base", "00", &files)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the job pins model.safetensors, which is not in the directory"),
            "{e}"
        );
        p.files.clear();
        p.files.insert("config.json".into(), hex::encode([1u8; 32]));
        assert!(check_pins(&p, "base", "00", &files).is_ok());
    }
}
