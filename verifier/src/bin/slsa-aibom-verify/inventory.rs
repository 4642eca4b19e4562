//! `inventory`: index the verified attestations under directories and
//! answer blast-radius queries.

use crate::policy_args::PolicyArgs;
use crate::Format;
use clap::Args;
use slsa_aibom_verify::inventory::{Inventory, Model};
use slsa_aibom_verify::{Digest, Error, Policy};
use std::path::PathBuf;

#[derive(Args)]
pub struct InventoryArgs {
    /// Directories to search for `*.sigstore.json`, `*.sigstore` and `*.jsonl` evidence.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Models trained on this dataset (`sha256:HEX`).
    #[arg(long)]
    dataset: Option<String>,
    /// Models built with this trainer or framework in a semver range,
    /// `NAME@RANGE` (e.g. `candle-core@>=0.9, <0.9.2`).
    #[arg(long)]
    uses: Option<String>,
    /// Models whose signing certificate names this builder commit (7+ hex digits).
    #[arg(long)]
    builder_commit: Option<String>,
    /// The base-model chain of this model (a file's `sha256:HEX`, or its name).
    #[arg(long, conflicts_with_all = ["dataset", "uses", "builder_commit"])]
    lineage: Option<String>,
    /// Who must have signed what is indexed.
    #[command(flatten)]
    pub signer: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// What a query found.
pub struct Answer {
    inventory: Inventory,
    /// The models that answer, in answer order.
    hits: Vec<Model>,
    /// For --lineage: the base the chain stops at, unvouched.
    unresolved_base: Option<String>,
    lineage: bool,
}

impl InventoryArgs {
    /// Index and query.
    pub fn run(&self) -> Result<Answer, Error> {
        let policy = self.signer.apply(Policy::default())?;
        policy.validate()?;
        let uses = match &self.uses {
            None => None,
            Some(u) => {
                let (name, range) = u
                    .split_once('@')
                    .ok_or_else(|| Error::Input(format!("--uses {u:?}: expected NAME@RANGE")))?;
                let range = semver::VersionReq::parse(range)
                    .map_err(|e| Error::Input(format!("--uses {u:?}: bad semver range: {e}")))?;
                Some((name.to_string(), range))
            }
        };
        let dataset = match &self.dataset {
            None => None,
            Some(d) => Some(Digest::parse(d).and_then(|d| {
                if d.algorithm == "sha256" {
                    Ok(d.value)
                } else {
                    Err(Error::Input(format!(
                        "--dataset must be sha256:HEX, not {d}"
                    )))
                }
            })?),
        };
        if let Some(c) = &self.builder_commit {
            if c.len() < 7 || !c.chars().all(|ch| ch.is_ascii_hexdigit()) {
                return Err(Error::Input(format!(
                    "--builder-commit {c:?}: expected at least 7 hex digits"
                )));
            }
        }
        let inventory = Inventory::build(&policy, &self.dirs, None)?;
        let (hits, unresolved_base) = match &self.lineage {
            Some(key) => {
                let chain = inventory.lineage(key)?;
                let unresolved = chain.last().and_then(|m| m.base_model.clone());
                let hits = chain.into_iter().cloned().collect();
                (hits, unresolved)
            }
            None => {
                let hits = inventory
                    .models()
                    .iter()
                    .filter(|m| dataset.as_deref().is_none_or(|d| m.trained_on(d)))
                    .filter(|m| uses.as_ref().is_none_or(|(n, r)| m.uses(n, r)))
                    .filter(|m| self.builder_commit.as_deref().is_none_or(|c| m.built_at(c)))
                    .cloned()
                    .collect();
                (hits, None)
            }
        };
        Ok(Answer {
            inventory,
            hits,
            unresolved_base,
            lineage: self.lineage.is_some(),
        })
    }
}

fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

impl Answer {
    /// Print the answer.
    pub fn print(&self, format: Format) {
        let models = &self.hits;
        if format == Format::Json {
            let j = serde_json::json!({
                "indexed": self.inventory.models().len(),
                "rejected": self.inventory.rejected(),
                "other_predicates": self.inventory.other(),
                "models": models,
                "unresolved_base": self.unresolved_base,
            });
            crate::print_json(&j);
            return;
        }
        println!(
            "{} model(s) indexed from verified attestations; {} match",
            self.inventory.models().len(),
            models.len()
        );
        println!(
            "{:<3} {:<28} {:<13} {:<40} {:<28} SOFTWARE",
            "#", "MODEL", "WEIGHTS", "SIGNER", "DATASETS"
        );
        for (n, m) in models.iter().enumerate() {
            let weights = m.weights().map_or_else(
                || format!("({} files)", m.files.len()),
                |(_, d)| short(d).to_string(),
            );
            let mut by_digest = std::collections::BTreeMap::new();
            for (name, d) in &m.datasets {
                by_digest.entry(short(d)).or_insert(name.as_str());
            }
            let datasets: Vec<String> = by_digest.iter().map(|(d, n)| format!("{n}:{d}")).collect();
            let software: Vec<String> =
                m.software.iter().map(|(n, v)| format!("{n}@{v}")).collect();
            let signer = match &m.builder_commit {
                Some(c) => format!("{} ({})", m.signer, short(c)),
                None => m.signer.clone(),
            };
            println!(
                "{:<3} {:<28} {:<13} {:<40} {:<28} {}",
                if self.lineage && n > 0 {
                    format!("^{n}")
                } else {
                    n.to_string()
                },
                m.name,
                weights,
                signer,
                datasets.join(","),
                software.join(",")
            );
        }
        if let Some(base) = &self.unresolved_base {
            let how = models
                .last()
                .and_then(|m| m.base_model_verified_by.as_deref())
                .map(|v| {
                    format!(
                        " (checked by {} before training, as its train job recorded)",
                        slsa_aibom_verify::display::one_line(v)
                    )
                })
                .unwrap_or_default();
            println!("the chain continues with base model sha256:{base}{how}, which no verified attestation here vouches for");
        }
        if !self.inventory.rejected().is_empty() {
            let n = self.inventory.rejected().len();
            let entries = if n == 1 { "entry" } else { "entries" };
            println!("{n} evidence {entries} did not verify and were not indexed:");
            for r in self.inventory.rejected() {
                println!("  {} #{}: {}", r.file, r.entry, r.reason);
            }
        }
    }
}
