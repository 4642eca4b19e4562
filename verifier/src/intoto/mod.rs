//! in-toto links and layouts: the classic in-toto metadata (a signed JSON
//! "metablock") that Python's `in-toto-verify` reads, handled with the
//! `in-toto` crate.
//!
//! - [`verify_layout`]: a signed layout with its links (signatures, expiry,
//!   signature thresholds, artifact rules), as `in-toto-verify` does it,
//!   except that layouts with inspections are refused: this verifier never
//!   runs commands.
//! - [`verify_file`] and [`verify_dir`]: stored artifacts against a signed
//!   link's materials and products.
//! - [`verify_bom`]: a signed ML-BOM together with the link and layout it
//!   references by digest.
//! - [`release`]: the `intoto/` files of a release from this builder, which
//!   [`crate::release::verify_release`] checks when they are at hand.
//! - [`Functionary`]: the Ed25519 key a builder signs its links and layout
//!   with, written so that the Python reference reads them.

mod artifacts;
mod bom;
mod key;
mod layout;
mod link;
pub mod release;

pub use artifacts::{verify_dir, verify_file, Side};
pub use bom::verify_bom;
pub use key::{public_key_from_pem, Functionary};
pub use layout::verify_layout;
pub use link::LinkTrust;

use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::verdict::Verdict;
use crate::verifier::{Report, SubjectVerdict};
use in_toto::models::Metablock;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// A metablock read from disk, with the sha256 of its exact bytes.
pub(crate) struct Loaded {
    /// The parsed metablock.
    pub block: Metablock,
    /// Lower-case hex sha256 of the file.
    pub sha256: String,
}

/// Read and parse an in-toto metablock (a link or a layout).
pub(crate) fn load(path: &Path) -> Result<Loaded> {
    let bytes = crate::bounded_read::read_evidence(
        path,
        crate::bounded_read::EVIDENCE_LIMIT,
        "in-toto metadata",
    )?;
    let block = parse(&bytes).map_err(|e| match e {
        Error::Crypto(why) => Error::Crypto(format!("{}: {why}", path.display())),
        other => Error::Input(format!(
            "{}: not in-toto link or layout metadata: {}",
            path.display(),
            other.detail()
        )),
    })?;
    Ok(Loaded {
        block,
        sha256: hex::encode(Sha256::digest(&bytes)),
    })
}

/// Parse an in-toto metablock (a link or a layout), refusing one whose
/// signatures would not cover all that it says (see `signed_bytes_covered`).
/// Signatures themselves are checked later, against the keys that must
/// have signed.
pub fn parse(bytes: &[u8]) -> Result<Metablock> {
    let raw: serde_json::Value =
        crate::json::from_slice(bytes).map_err(|e| Error::Input(e.to_string()))?;
    let block: Metablock =
        crate::json::from_slice(bytes).map_err(|e| Error::Input(e.to_string()))?;
    signed_bytes_covered(&raw, &block).map_err(|why| {
        Error::Crypto(format!(
            "{why}; its signatures do not cover what the file says"
        ))
    })?;
    Ok(block)
}

/// The signatures are checked over the canonical form of the *parsed*
/// `signed` object. Refuse a file whose `signed` object is not exactly
/// that (a changed `_type`, fields this in-toto version drops), or that
/// holds anything beside `signatures` and `signed`: those bytes would be
/// read by others but vouched for by no signature.
fn signed_bytes_covered(
    raw: &serde_json::Value,
    block: &Metablock,
) -> std::result::Result<(), String> {
    use in_toto::interchange::{DataInterchange as _, Json};
    let top: Vec<&String> = raw
        .as_object()
        .map(|o| {
            o.keys()
                .filter(|k| *k != "signatures" && *k != "signed")
                .collect()
        })
        .unwrap_or_default();
    if !top.is_empty() {
        return Err(format!("unknown top-level field(s) {top:?}"));
    }
    let present = Json::canonicalize(&raw["signed"]).map_err(|e| e.to_string())?;
    let covered = block.metadata.to_bytes().map_err(|e| e.to_string())?;
    if present != covered {
        return Err(
            "the `signed` object holds fields or values that its canonical, signed form does not (unknown fields, or a changed `_type`)"
                .into(),
        );
    }
    Ok(())
}

/// Refuse a `key` that lies in the same folder as the `metadata` it would
/// vouch for: a release cannot vouch for itself. Returns how the report
/// names the key.
pub(crate) fn key_from_outside(key: &Path, metadata: &Path) -> Result<String> {
    let folder = |p: &Path| {
        p.canonicalize()
            .ok()
            .and_then(|c| c.parent().map(Path::to_path_buf))
    };
    match (folder(key), folder(metadata)) {
        (Some(k), Some(m)) if k == m => Err(Error::Input(format!(
            "the key {} lies beside {}, in the release it would vouch for; give a key from outside the release, or verify the release with `model` or `intoto bom`, where the signed ML-BOM pins the layout",
            key.display(),
            metadata.display()
        ))),
        _ => Ok(format!("{} (given from outside the release)", key.display())),
    }
}

/// The sha256 an in-toto artifact entry records, lower-case hex.
pub(crate) fn sha256_of(entry: &in_toto::models::TargetDescription) -> Option<String> {
    entry
        .get(&in_toto::crypto::HashAlgorithm::Sha256)
        .map(|v| hex::encode(v.value()))
}

/// One report over `subject`: verified when `outcome` is `Ok`.
pub(crate) fn report(
    evidence: &Path,
    trust: String,
    subject: String,
    checks: Checks,
    outcome: Result<()>,
) -> Report {
    let failure = outcome.as_ref().err().map(|e| checks.failure(e));
    Report {
        verified: failure.is_none(),
        evidence: evidence.display().to_string(),
        trust_root: trust,
        results: vec![SubjectVerdict {
            subject,
            verdict: Verdict {
                verified: failure.is_none(),
                checks: checks.0,
                failure,
                signer: None,
                predicate_type: None,
                entry: 0,
                statement: None,
            },
        }],
    }
}
