//! Upload of a signed output directory's bundles to the GitHub attestations
//! API (`POST /repos/{owner}/{repo}/attestations`), so that `gh attestation
//! verify` and `slsa-aibom-verify download-attestations` find them by the
//! model's digests. Runs after the bundles were verified and kept; a failed
//! upload fails the command but leaves the (valid) signed outputs in place.

use crate::error::{BuildError, Result};
use crate::github_api::GitHubApi;
use crate::layout::{AIBOM_BUNDLE, ATTESTATIONS_DIR, MODEL_SIG, PROVENANCE};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One bundle the API accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The bundle file, relative to the output directory.
    pub file: String,
    /// The attestation ID GitHub assigned.
    pub id: u64,
}

/// The bundles uploaded, relative to the output directory: the provenance,
/// the ML-BOM statement and the model signature.
pub fn bundle_files() -> [PathBuf; 3] {
    [
        Path::new(ATTESTATIONS_DIR).join(PROVENANCE),
        Path::new(ATTESTATIONS_DIR).join(AIBOM_BUNDLE),
        PathBuf::from(MODEL_SIG),
    ]
}

/// Upload every bundle of `dir` to `api`'s repository, in order; stop at the
/// first refusal.
pub fn upload(api: &GitHubApi, dir: &Path) -> Result<Vec<Uploaded>> {
    let path = format!("/repos/{}/attestations", api.repository);
    bundle_files()
        .iter()
        .map(|file| {
            let shown = file.display().to_string();
            let text = crate::error::read_text_file(
                &dir.join(file),
                slsa_aibom_verify::bounded_read::EVIDENCE_LIMIT,
            )
            .map_err(|e| BuildError::Sign(format!("cannot read {shown}: {e}")))?;
            let bundle: Value = slsa_aibom_verify::json::from_str(&text)
                .map_err(|e| BuildError::Sign(format!("{shown} is not JSON: {e}")))?;
            let answer = api.post(&path, &json!({ "bundle": bundle }))?;
            let id = answer["id"].as_u64().ok_or_else(|| {
                BuildError::Sign(format!(
                    "attestations API accepted {shown} but returned no id: {answer}"
                ))
            })?;
            Ok(Uploaded { file: shown, id })
        })
        .collect()
}
