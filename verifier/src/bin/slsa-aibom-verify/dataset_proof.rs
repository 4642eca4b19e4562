//! `dataset-proof`: check a dataset-commitment membership proof.

use clap::Args;
use slsa_aibom_verify::Error;
use std::path::PathBuf;

#[derive(Args)]
pub struct DatasetProof {
    /// The split's committed Merkle root (hex), from the signed provenance.
    #[arg(long)]
    root: String,
    /// The proof file (JSON, as the builder's `prove` writes it).
    #[arg(long)]
    proof: PathBuf,
    /// The record key the proof must be about.
    #[arg(long)]
    key: String,
}

impl DatasetProof {
    /// The key asked about.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the key is present; an error when the proof is bad or is
    /// about another key.
    pub fn run(&self) -> Result<bool, Error> {
        let text = slsa_aibom_verify::bounded_read::read_text(
            &self.proof,
            slsa_aibom_verify::bounded_read::SMALL_LIMIT,
            "proof",
        )?;
        let proof: slsa_aibom_verify::commitment::KeyProof =
            slsa_aibom_verify::json::from_str(&text)
                .map_err(|e| Error::Input(format!("malformed proof: {e}")))?;
        slsa_aibom_verify::commitment::VerifyKeyProof::verify_key(&proof, &self.key, &self.root)
    }
}
