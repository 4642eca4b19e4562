//! Attestations of a training run: SLSA v1 provenance, the CycloneDX ML-BOM
//! and the OpenSSF model signature, each signed into a Sigstore bundle.

pub mod aibom;
pub mod intoto;
pub mod lineage_check;
pub mod model_signature;
pub mod platform;
pub mod provenance;
pub mod record;
pub mod signing_check;
pub mod train_runner;

use crate::error::{BuildError, Result};
use crate::layout::{AIBOM_BUNDLE, ATTESTATIONS_DIR, KEY_PUB, MODEL_SIG, PROVENANCE};
use crate::signing::Signer;
use record::BuildRecord;
use sha2::{Digest as _, Sha256};

pub use crate::layout::AIBOM_FILE;

/// The signed outputs of one run, as `(path relative to the output
/// directory, contents)`: the ML-BOM file, the three bundles and the public
/// key of a keyed run (the products of the in-toto `attest` step), then the
/// in-toto layout, links and functionary key.
pub struct Attestations {
    /// The files, in writing order.
    pub files: Vec<(String, String)>,
}

/// Build and sign all three documents from `record`.
pub fn attest(
    record: &BuildRecord,
    builder_id: &str,
    platform: Option<&platform::Platform>,
    signer: &Signer,
) -> Result<Attestations> {
    let mut intoto = intoto::InTotoFiles::new(record)?;
    let bom = aibom::bom(record, intoto.references());
    let mut aibom_json =
        serde_json::to_string_pretty(&bom).map_err(|e| BuildError::Sign(e.to_string()))?;
    aibom_json.push('\n');
    let aibom_sha256 = hex::encode(Sha256::digest(aibom_json.as_bytes()));
    let bom_statement = slsa_aibom_types::statement::Statement::new(
        provenance::subjects(record),
        aibom::CYCLONEDX_PREDICATE,
        &bom,
    );
    let provenance = provenance::statement(record, builder_id, platform, &aibom_sha256);
    let model_sig = model_signature::statement("model", &record.model_files);
    let mut files = vec![
        (AIBOM_FILE.to_string(), aibom_json),
        (
            format!("{ATTESTATIONS_DIR}/{PROVENANCE}"),
            signer.sign_statement(&statement_bytes(&provenance)?)?,
        ),
        (
            format!("{ATTESTATIONS_DIR}/{AIBOM_BUNDLE}"),
            signer.sign_statement(&statement_bytes(&bom_statement)?)?,
        ),
        (
            MODEL_SIG.to_string(),
            signer.sign_statement(&statement_bytes(&model_sig)?)?,
        ),
    ];
    if let Some(pem) = signer.public_key_pem() {
        files.push((KEY_PUB.to_string(), pem.to_string()));
    }
    intoto.add_attest_link(record, &files)?;
    files.extend(intoto.files);
    Ok(Attestations { files })
}

/// The bytes of `statement` that get signed.
fn statement_bytes<P: serde::Serialize>(
    statement: &slsa_aibom_types::statement::Statement<P>,
) -> Result<Vec<u8>> {
    statement
        .to_bytes()
        .map_err(|e| BuildError::Sign(format!("cannot serialise a statement: {e}")))
}
