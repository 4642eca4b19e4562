//! Attestations of a training run: SLSA v1 provenance, the CycloneDX ML-BOM
//! and the OpenSSF model signature, each signed into a Sigstore bundle.

pub mod aibom;
pub mod model_signature;
pub mod provenance;
pub mod record;
pub mod statement;
pub mod train_runner;

use crate::error::{BuildError, Result};
use crate::signing::Signer;
use record::BuildRecord;
use sha2::{Digest as _, Sha256};

/// File name of the unsigned ML-BOM in the output directory.
pub const AIBOM_FILE: &str = "aibom.cdx.json";

/// The signed documents of one run.
pub struct Attestations {
    /// The ML-BOM JSON (also the predicate of `aibom_bundle`).
    pub aibom_json: String,
    /// Bundle over the SLSA provenance.
    pub provenance_bundle: String,
    /// Bundle over the ML-BOM statement.
    pub aibom_bundle: String,
    /// Bundle over the model-signing statement.
    pub model_signature_bundle: String,
}

/// Build and sign all three documents from `record`.
pub fn attest(
    record: &BuildRecord,
    builder_id: &str,
    train_runner: Option<&train_runner::TrainRunner>,
    signer: &Signer,
) -> Result<Attestations> {
    let bom = aibom::bom(record);
    let mut aibom_json =
        serde_json::to_string_pretty(&bom).map_err(|e| BuildError::Sign(e.to_string()))?;
    aibom_json.push('\n');
    let aibom_sha256 = hex::encode(Sha256::digest(aibom_json.as_bytes()));
    let bom_statement = statement::Statement::new(
        provenance::subjects(record),
        aibom::CYCLONEDX_PREDICATE,
        &bom,
    );
    let provenance = provenance::statement(record, builder_id, train_runner, &aibom_sha256);
    let model_sig = model_signature::statement("model", &record.model_files);
    Ok(Attestations {
        provenance_bundle: signer.sign_statement(&provenance.to_bytes())?,
        aibom_bundle: signer.sign_statement(&bom_statement.to_bytes())?,
        model_signature_bundle: signer.sign_statement(&model_sig.to_bytes())?,
        aibom_json,
    })
}
