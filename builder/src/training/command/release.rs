//! Signing a command-tier training: the same three documents as the Rust
//! tier's (provenance of the command build type, the ML-BOM, the model
//! signature) and the in-toto layout and links, written beside the model
//! and verified by our own verifier before anything is kept.

use super::record::CommandRecord;
use crate::attest::intoto::{self, InTotoFiles, Steps};
use crate::attest::{sign_release, Unsigned};
use crate::error::Result;
use crate::layout::{self, Layout};
use crate::signing::Signer;

/// The training step as in-toto links name it: our binary ran the job,
/// read the job file, the declared files, the inputs and the lock, and
/// wrote the model and the byproducts.
pub fn steps(record: &CommandRecord) -> Steps<'_> {
    let job = std::path::Path::new(&record.job.path)
        .file_name()
        .map_or_else(
            || record.job.path.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
    let mut materials = vec![(job, record.job.sha256.as_str())];
    materials.extend(
        record
            .files
            .iter()
            .map(|f| (f.path.clone(), f.sha256.as_str())),
    );
    materials.extend(
        record
            .inputs
            .iter()
            .map(|i| (i.file.path.clone(), i.file.sha256.as_str())),
    );
    if let Some(env) = &record.python_environment {
        materials.push((
            env.requirements.path.clone(),
            env.requirements.sha256.as_str(),
        ));
    }
    Steps {
        train_command: vec![
            "slsa-aibom-build".into(),
            "train".into(),
            "--job".into(),
            record.job.path.clone(),
        ],
        materials,
        products: intoto::products(&record.model_files, &record.byproducts),
        invocation_id: &record.invocation_id,
    }
}

/// Sign `record`'s training directory `dir` (whose `command-record.json`
/// becomes a signed byproduct) and verify the release.
pub fn sign_into(
    dir: &Layout,
    record: &CommandRecord,
    signer: &Signer,
    builder_id: &str,
) -> Result<()> {
    let mut record = record.clone();
    let record_path = dir.path(layout::COMMAND_RECORD);
    record.byproducts.push(crate::attest::record::OutputFile {
        path: layout::COMMAND_RECORD.into(),
        sha256: crate::error::sha256_hex(&record_path)?,
        size: std::fs::metadata(&record_path)
            .map_err(|e| crate::error::BuildError::io(&record_path, e))?
            .len(),
    });
    record.byproducts.sort_by(|a, b| a.path.cmp(&b.path));
    let steps = steps(&record);
    let intoto = InTotoFiles::new(&steps)?;
    let bom = super::aibom::bom(&record, intoto.references());
    let signed = sign_release(
        Unsigned {
            steps: &steps,
            intoto,
            bom: &bom,
            subjects: super::provenance::subjects(&record),
            model_files: &record.model_files,
        },
        |aibom_sha256| super::provenance::statement(&record, builder_id, None, None, aibom_sha256),
        signer,
    )?;
    crate::pipeline::write_signed(dir, &signed, signer, builder_id, None)
}
