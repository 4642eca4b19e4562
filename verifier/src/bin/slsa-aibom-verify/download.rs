//! `download-attestations`: fetch bundles from the GitHub attestations API.

use clap::Args;
use slsa_aibom_verify::documents::hashing::sha256_file;
use slsa_aibom_verify::evidence::github_attestations::{to_json_lines, AttestationQuery, Scope};
use slsa_aibom_verify::{Digest, Error};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct DownloadAttestations {
    /// Search this repository (OWNER/NAME).
    #[arg(long, conflicts_with = "owner", required_unless_present = "owner")]
    repo: Option<String>,
    /// Search every repository of this organisation or user.
    #[arg(long)]
    owner: Option<String>,
    /// Only bundles with this in-toto predicate type.
    #[arg(long)]
    predicate_type: Option<String>,
    /// The REST API root [default: $GITHUB_API_URL, else https://api.github.com].
    #[arg(long)]
    api_url: Option<String>,
    /// Where to write `sha256:HEX.jsonl` files.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Artifact files (hashed with sha256) or `sha256:HEX` digests. The token
    /// is read from GITHUB_TOKEN or GH_TOKEN, never from the command line.
    #[arg(required = true)]
    subjects: Vec<String>,
}

impl DownloadAttestations {
    /// Fetch and write one file per subject; the files written and their
    /// bundle counts. A subject with no attestation is an error.
    pub fn run(&self) -> Result<Vec<(PathBuf, usize)>, Error> {
        let query = AttestationQuery {
            api_url: self.api_url.clone().unwrap_or_else(|| {
                std::env::var("GITHUB_API_URL").unwrap_or_else(|_| "https://api.github.com".into())
            }),
            scope: match (&self.repo, &self.owner) {
                (Some(repo), _) => Scope::Repo(repo.clone()),
                (None, Some(owner)) => Scope::Owner(owner.clone()),
                (None, None) => return Err(Error::Input("give --repo or --owner".into())),
            },
            token: ["GITHUB_TOKEN", "GH_TOKEN"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|t| !t.is_empty())),
            predicate_type: self.predicate_type.clone(),
        };
        self.subjects
            .iter()
            .map(|s| {
                let digest = subject_digest(s)?;
                let bundles = query.fetch(&digest)?;
                if bundles.is_empty() {
                    return Err(Error::Input(format!(
                        "GitHub holds no attestation for {digest} ({s}) in {:?}",
                        query.scope
                    )));
                }
                let path = self.out.join(format!("{digest}.jsonl"));
                std::fs::write(&path, to_json_lines(&bundles))
                    .map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))?;
                Ok((path, bundles.len()))
            })
            .collect()
    }
}

fn subject_digest(arg: &str) -> Result<Digest, Error> {
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(Digest::sha256(&sha256_file(path)?));
    }
    Digest::parse(arg)
}
