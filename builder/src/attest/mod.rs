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
    let steps = intoto::Steps::of(record);
    let intoto = intoto::InTotoFiles::new(&steps)?;
    let bom = aibom::bom(record, intoto.references());
    sign_release(
        Unsigned {
            steps: &steps,
            intoto,
            bom: &bom,
            subjects: provenance::subjects(record),
            model_files: &record.model_files,
        },
        |aibom_sha256| provenance::statement(record, builder_id, platform, aibom_sha256),
        signer,
    )
}

/// A release's documents before signing, whichever tier trained.
pub struct Unsigned<'a> {
    /// The in-toto steps.
    pub steps: &'a intoto::Steps<'a>,
    /// The in-toto files so far (layout, training link, key).
    pub intoto: intoto::InTotoFiles,
    /// The ML-BOM.
    pub bom: &'a slsa_aibom_types::cyclonedx::Bom,
    /// The subjects of the provenance and the ML-BOM statement.
    pub subjects: Vec<slsa_aibom_types::statement::Subject>,
    /// The model files the model signature lists.
    pub model_files: &'a [record::OutputFile],
}

/// Sign a release: the ML-BOM file and statement, the provenance (made by
/// `provenance` from the ML-BOM file's sha256, which it binds as a
/// byproduct), the model signature, the public key of a keyed run, then the
/// signing step's in-toto link.
pub fn sign_release<P: serde::Serialize>(
    unsigned: Unsigned<'_>,
    provenance: impl FnOnce(&str) -> slsa_aibom_types::statement::Statement<P>,
    signer: &Signer,
) -> Result<Attestations> {
    let Unsigned {
        steps,
        mut intoto,
        bom,
        subjects,
        model_files,
    } = unsigned;
    let mut aibom_json =
        serde_json::to_string_pretty(bom).map_err(|e| BuildError::Sign(e.to_string()))?;
    aibom_json.push('\n');
    let aibom_sha256 = hex::encode(Sha256::digest(aibom_json.as_bytes()));
    let bom_statement =
        slsa_aibom_types::statement::Statement::new(subjects, aibom::CYCLONEDX_PREDICATE, bom);
    let provenance = provenance(&aibom_sha256);
    let model_sig = model_signature::statement("model", model_files);
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
    intoto.add_attest_link(steps, &files)?;
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
