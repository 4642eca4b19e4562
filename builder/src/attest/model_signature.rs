//! The OpenSSF model-signing v1.0 statement over `model/`: one resource per
//! file, and the root digest (sha256 over the sorted file digests) as the
//! subject, as `model_signing` computes it.

use super::record::OutputFile;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use slsa_aibom_types::statement::{Statement, Subject};
use slsa_aibom_verify::documents::model_signing::MODEL_SIGNING_V1;

#[derive(Serialize)]
struct Predicate {
    serialization: Serialization,
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Serialization {
    method: &'static str,
    hash_type: &'static str,
    allow_symlinks: bool,
    ignore_paths: Vec<String>,
}

#[derive(Serialize)]
struct Resource {
    name: String,
    algorithm: &'static str,
    digest: String,
}

/// The statement for a model directory named `dir_name` whose files (paths
/// relative to it) are `files`.
pub fn statement(dir_name: &str, files: &[OutputFile]) -> Statement<impl Serialize> {
    let mut files: Vec<&OutputFile> = files.iter().collect();
    files.sort_by(|a, b| {
        let key = |f: &OutputFile| f.path.split('/').map(str::to_string).collect::<Vec<_>>();
        key(a).cmp(&key(b))
    });
    let mut root = Sha256::new();
    for f in &files {
        root.update(hex::decode(&f.sha256).unwrap_or_default());
    }
    let predicate = Predicate {
        serialization: Serialization {
            method: "files",
            hash_type: "sha256",
            allow_symlinks: false,
            ignore_paths: Vec::new(),
        },
        resources: files
            .iter()
            .map(|f| Resource {
                name: f.path.clone(),
                algorithm: "sha256",
                digest: f.sha256.clone(),
            })
            .collect(),
    };
    Statement::new(
        vec![Subject::sha256(dir_name, hex::encode(root.finalize()))],
        MODEL_SIGNING_V1,
        predicate,
    )
}
