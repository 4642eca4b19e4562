//! Attestations of a training run: SLSA v1 provenance, the CycloneDX ML-BOM
//! and the OpenSSF model signature, each signed into a Sigstore bundle.

pub mod aibom;
pub mod intoto;
pub mod model_signature;
pub mod provenance;
pub mod record;
pub mod statement;
pub mod train_runner;

use crate::error::{BuildError, Result};
use crate::layout::{AIBOM_BUNDLE, ATTESTATIONS_DIR, KEY_PUB, MODEL_SIG, PROVENANCE};
use crate::signing::Signer;
use record::{BuildRecord, OutputFile};
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
    /// The in-toto layout, links and functionary key, as `(path relative to
    /// the output directory, contents)`.
    pub intoto: Vec<(String, String)>,
}

/// Build and sign all three documents from `record`.
pub fn attest(
    record: &BuildRecord,
    builder_id: &str,
    train_runner: Option<&train_runner::TrainRunner>,
    signer: &Signer,
) -> Result<Attestations> {
    let mut intoto = intoto::InTotoFiles::new(record)?;
    let bom = aibom::bom(record, intoto.references());
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
    let provenance_bundle = signer.sign_statement(&provenance.to_bytes())?;
    let aibom_bundle = signer.sign_statement(&bom_statement.to_bytes())?;
    let model_signature_bundle = signer.sign_statement(&model_sig.to_bytes())?;
    let key_pub = signer.public_key_pem();
    let signed = [
        (AIBOM_FILE.to_string(), Some(aibom_json.as_str())),
        (
            format!("{ATTESTATIONS_DIR}/{PROVENANCE}"),
            Some(provenance_bundle.as_str()),
        ),
        (
            format!("{ATTESTATIONS_DIR}/{AIBOM_BUNDLE}"),
            Some(aibom_bundle.as_str()),
        ),
        (MODEL_SIG.to_string(), Some(model_signature_bundle.as_str())),
        (KEY_PUB.to_string(), key_pub),
    ];
    let outputs: Vec<OutputFile> = signed
        .iter()
        .filter_map(|(path, text)| {
            text.map(|t| OutputFile {
                path: path.clone(),
                sha256: hex::encode(Sha256::digest(t.as_bytes())),
                size: t.len() as u64,
            })
        })
        .collect();
    intoto.add_attest_link(record, &outputs)?;
    Ok(Attestations {
        provenance_bundle,
        aibom_bundle,
        model_signature_bundle,
        aibom_json,
        intoto: intoto.files,
    })
}
