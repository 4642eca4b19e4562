//! An inventory of verified attestations, for blast-radius questions:
//! which models were trained on a dataset, use a framework version, came
//! from a builder commit, and what a model's base-model chain is.
//!
//! Every bundle found is verified under the caller's policy (signature,
//! signer identity, transparency evidence) against the digests its own
//! statement names: the inventory indexes what was *attested*, and
//! needs no model files. Evidence that does not verify is listed with the
//! reason, never indexed and never dropped silently.

use crate::documents::mlbom::MlBom;
use crate::documents::mlbom::CYCLONEDX_PREDICATE;
use crate::documents::provenance::SLSA_PROVENANCE_V1;
use crate::error::{Error, Result};
use crate::evidence;
use crate::evidence::statement::Statement;
use crate::policy::Policy;
use crate::release::consistency::{dependencies, subjects};
use crate::verifier::{Subject, Verifier};
use crate::Digest;
use serde::Serialize;
use slsa_aibom_types::provenance::{BASE_MODEL, DATASET_PREFIX, TRAINER};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One model, from its verified provenance and/or ML-BOM statements.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Model {
    /// `name@version` from the ML-BOM, else the first subject's name.
    pub name: String,
    /// `(file, sha256)` of the model files (the statements' subjects).
    pub files: BTreeSet<(String, String)>,
    /// The evidence files it was read from.
    pub evidence: Vec<String>,
    /// Who signed: the certificate SAN, or `key` for keyed evidence.
    pub signer: String,
    /// The builder commit: the certificate's Build Signer Digest (keyless only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder_commit: Option<String>,
    /// `(name, sha256)` of the datasets.
    pub datasets: BTreeSet<(String, String)>,
    /// `(name, version)` of the trainer and frameworks.
    pub software: BTreeSet<(String, String)>,
    /// sha256 of the base model's weights (or, for a pretrained model
    /// directory, of its model-signing manifest), when fine-tuned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_model: Option<String>,
    /// How the builder verified that base model before training, as its
    /// train job recorded it (`model signature (keyless)`, `pinned digest,
    /// no signature`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_model_verified_by: Option<String>,
    /// sha256 of the model directory's manifest as model-signing computes
    /// it, from the provenance's subjects (every file of the directory): a
    /// model fine-tuned from this one names it as its base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_root: Option<String>,
}

/// The model-signing manifest root over `(path, sha256)` subjects: sha256
/// over the raw file digests in path-component order. `None` when a digest
/// is not 32 bytes of hex.
fn manifest_root(st: &Statement) -> Option<String> {
    use sha2::Digest as _;
    let mut files: Vec<(Vec<&str>, Vec<u8>)> = st
        .subject
        .iter()
        .map(|s| {
            let raw = hex::decode(s.digest.get("sha256")?).ok()?;
            (raw.len() == 32).then(|| (s.name.split('/').collect(), raw))
        })
        .collect::<Option<_>>()?;
    files.sort();
    let mut root = sha2::Sha256::new();
    for (_, raw) in &files {
        root.update(raw);
    }
    Some(hex::encode(root.finalize()))
}

/// File endings of model weights, most specific first.
const WEIGHT_ENDINGS: [&str; 10] = [
    ".safetensors",
    ".gguf",
    ".onnx",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".keras",
    ".npz",
    ".bin",
];

impl Model {
    /// The weights file, `(file, sha256)`: the first file with a weights
    /// ending (`.safetensors` before `.bin`, ...), else the only file; `None`
    /// when several files and none looks like weights.
    pub fn weights(&self) -> Option<&(String, String)> {
        WEIGHT_ENDINGS
            .iter()
            .find_map(|end| self.files.iter().find(|(name, _)| name.ends_with(end)))
            .or_else(|| {
                (self.files.len() == 1)
                    .then(|| self.files.first())
                    .flatten()
            })
    }

    /// Trained on the dataset with this sha256.
    pub fn trained_on(&self, sha256: &str) -> bool {
        self.datasets
            .iter()
            .any(|(_, d)| d.eq_ignore_ascii_case(sha256))
    }

    /// Built with `name` (trainer or framework) at a version in `range`.
    /// Versions that are not semver never match.
    pub fn uses(&self, name: &str, range: &semver::VersionReq) -> bool {
        self.software
            .iter()
            .any(|(n, v)| n == name && semver::Version::parse(v).is_ok_and(|v| range.matches(&v)))
    }

    /// Its certificate names this builder commit (a prefix of at least 7
    /// hex digits matches).
    pub fn built_at(&self, commit: &str) -> bool {
        let commit = commit.to_ascii_lowercase();
        commit.len() >= 7
            && self
                .builder_commit
                .as_deref()
                .is_some_and(|c| c.to_ascii_lowercase().starts_with(&commit))
    }
}

/// Evidence that was found but not indexed.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    /// The file.
    pub file: String,
    /// Which entry of it (JSON Lines), 0-based.
    pub entry: usize,
    /// Why.
    pub reason: String,
}

/// The index.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    /// The models, by their file set.
    pub(crate) models: Vec<Model>,
    /// Evidence files that held no verifying attestation.
    pub(crate) rejected: Vec<Rejected>,
    /// Verified statements of other predicate types (not indexed).
    pub(crate) other: usize,
}

impl Inventory {
    /// The models, by their file set.
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// Evidence files that held no verifying attestation.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }

    /// Verified statements of other predicate types (not indexed).
    pub fn other(&self) -> usize {
        self.other
    }
}

/// Is `path` evidence by its name: `*.sigstore.json`, `*.sigstore`,
/// `*.jsonl` (JSON Lines of bundles or DSSE envelopes).
fn is_evidence(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.ends_with(".sigstore.json") || name.ends_with(".sigstore") || name.ends_with(".jsonl")
}

fn find(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("cannot list {}: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| Error::Input(format!("cannot list {}: {e}", dir.display())))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
        if kind.is_dir() {
            find(&path, out)?;
        } else if kind.is_file() && is_evidence(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// One verified statement and who signed it.
struct Found {
    file: String,
    statement: Statement,
    signer: String,
    builder_commit: Option<String>,
}

/// Verify every entry of `path`.
fn verify_file(verifier: &Verifier, path: &Path) -> Vec<std::result::Result<Found, Rejected>> {
    let reject = |entry: usize, reason: String| Rejected {
        file: path.display().to_string(),
        entry,
        reason,
    };
    let entries = match evidence::load(path) {
        Ok(e) => e,
        Err(e) => return vec![Err(reject(0, e.detail().to_string()))],
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let ev = entry
                .as_ref()
                .map_err(|e| reject(i, e.detail().to_string()))?;
            let statement = ev
                .statement()
                .ok_or_else(|| reject(i, "not an in-toto statement".into()))?
                .map_err(|e| reject(i, e.detail().to_string()))?;
            let digest = statement.subject[0]
                .digest
                .iter()
                .next()
                .map(|(a, v)| Digest {
                    algorithm: a.clone(),
                    value: v.clone(),
                })
                .ok_or_else(|| reject(i, "a subject without digest".into()))?;
            let verdict = verifier.verify_entries(
                std::slice::from_ref(entry),
                &Subject::Digest(digest),
                path,
            );
            if let Some(f) = &verdict.failure {
                // A keyed signature that does not verify was made by another
                // key, or over other bytes: the signature cannot tell which.
                let keyed = verifier.policy().anchor.key().is_some()
                    && f.class == crate::ErrorClass::Crypto;
                let why = if keyed {
                    format!(
                        "not signed by the given key: signed by another key, or changed after signing ([crypto] {})",
                        f.message
                    )
                } else {
                    format!("[{}] {}", f.class.name(), f.message)
                };
                return Err(reject(i, why));
            }
            let (signer, builder_commit) = match &verdict.signer {
                Some(s) => (
                    s.san.clone().unwrap_or_default(),
                    s.claims.build_signer_digest.clone(),
                ),
                None => ("key".to_string(), None),
            };
            Ok(Found {
                file: path.display().to_string(),
                statement,
                signer,
                builder_commit,
            })
        })
        .collect()
}

/// Fold one verified statement into the model it is about.
fn merge(model: &mut Model, found: Found) {
    let st = &found.statement;
    model.evidence.push(found.file);
    model.signer = found.signer;
    model.builder_commit = model.builder_commit.take().or(found.builder_commit);
    if st.predicate_type == SLSA_PROVENANCE_V1 {
        for (name, sha256) in dependencies(st, DATASET_PREFIX) {
            let name = name.trim_start_matches(DATASET_PREFIX).to_string();
            model.datasets.insert((name, sha256));
        }
        model.manifest_root = manifest_root(st);
        let provenance = crate::documents::provenance::slsa_v1(st).ok();
        let deps = provenance
            .iter()
            .flat_map(|p| &p.build_definition.resolved_dependencies);
        for d in deps {
            if let Some(a) = d.base_model_annotations() {
                model.base_model = d.sha256_hex();
                model.base_model_verified_by = Some(a.verification.verified_by);
                continue;
            }
            match d.name.as_str() {
                BASE_MODEL => model.base_model = d.sha256_hex(),
                TRAINER => {
                    if let Some((name, version)) = d
                        .uri
                        .as_deref()
                        .and_then(|u| u.strip_prefix("pkg:cargo/"))
                        .and_then(|u| u.split_once('@'))
                    {
                        model.software.insert((name.into(), version.into()));
                    }
                }
                _ => {}
            }
        }
    } else {
        let bom = MlBom::from_json(&st.predicate);
        if !bom.model.name.is_empty() {
            model.name = match &bom.model.version {
                Some(v) => format!("{}@{v}", bom.model.name),
                None => bom.model.name.clone(),
            };
        }
        for d in &bom.datasets {
            for h in &d.sha256 {
                model
                    .datasets
                    .insert((d.name.clone(), h.to_ascii_lowercase()));
            }
        }
        for p in bom.frameworks.iter().chain(&bom.applications) {
            if let Some(v) = &p.version {
                model.software.insert((p.name.clone(), v.clone()));
            }
        }
    }
    if model.name.is_empty() {
        model.name = st.subject[0].name.clone();
    }
}

impl Inventory {
    /// Find, verify and index every attestation under `dirs`, on `threads`
    /// workers (all cores when `None`).
    pub fn build(policy: &Policy, dirs: &[PathBuf], threads: Option<usize>) -> Result<Self> {
        let verifier = Verifier::new(policy.clone())?;
        let mut files = Vec::new();
        for d in dirs {
            find(d, &mut files)?;
        }
        files.sort();
        let workers = threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, files.len().max(1));
        let chunk = files.len().div_ceil(workers).max(1);
        let results: Vec<_> = std::thread::scope(|scope| -> Result<Vec<_>> {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    let verifier = &verifier;
                    scope.spawn(move || {
                        part.iter()
                            .flat_map(|f| verify_file(verifier, f))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut all = Vec::new();
            for h in handles {
                all.extend(
                    h.join()
                        .map_err(|_| Error::Input("a verification worker panicked".into()))?,
                );
            }
            Ok(all)
        })?;
        let mut by_files: BTreeMap<BTreeSet<(String, String)>, Model> = BTreeMap::new();
        let mut inventory = Inventory::default();
        for r in results {
            match r {
                Err(rejected) => inventory.rejected.push(rejected),
                Ok(found)
                    if found.statement.predicate_type == SLSA_PROVENANCE_V1
                        || found.statement.predicate_type == CYCLONEDX_PREDICATE =>
                {
                    let files = subjects(&found.statement);
                    let model = by_files.entry(files.clone()).or_default();
                    model.files = files;
                    merge(model, found);
                }
                Ok(_) => inventory.other += 1,
            }
        }
        inventory.models = by_files.into_values().collect();
        Ok(inventory)
    }

    /// Models trained on the dataset with this sha256.
    pub fn trained_on(&self, sha256: &str) -> Vec<&Model> {
        self.models
            .iter()
            .filter(|m| m.trained_on(sha256))
            .collect()
    }

    /// Models built with `name` (trainer or framework) at a version in `range`.
    pub fn using(&self, name: &str, range: &semver::VersionReq) -> Vec<&Model> {
        self.models.iter().filter(|m| m.uses(name, range)).collect()
    }

    /// Models whose certificate names this builder commit.
    pub fn from_builder_commit(&self, commit: &str) -> Vec<&Model> {
        self.models.iter().filter(|m| m.built_at(commit)).collect()
    }

    /// The model with a file (or a model-signing manifest) of this sha256,
    /// or with this name.
    pub fn model(&self, key: &str) -> Option<&Model> {
        let key_lower = key.to_ascii_lowercase();
        let digest = key_lower.strip_prefix("sha256:").unwrap_or(&key_lower);
        self.models
            .iter()
            .find(|m| {
                m.files.iter().any(|(_, d)| d == digest)
                    || m.manifest_root.as_deref() == Some(digest)
            })
            .or_else(|| self.models.iter().find(|m| m.name == key))
    }

    /// The base-model chain of the model `key` names: the model first, then
    /// its base, its base's base... It stops at a base with no verified
    /// attestation in the inventory: the last model's `base_model` is then
    /// still set, and nothing vouches for the chain past it. `Err` on a loop.
    pub fn lineage(&self, key: &str) -> Result<Vec<&Model>> {
        let mut chain = vec![self
            .model(key)
            .ok_or_else(|| Error::Input(format!("no verified model {key} in the inventory")))?];
        let mut seen = BTreeSet::new();
        while let Some(base) = chain.last().and_then(|m| m.base_model.clone()) {
            if !seen.insert(base.clone()) {
                return Err(Error::Input(format!(
                    "the base-model chain loops at sha256:{base}"
                )));
            }
            match self.model(&base) {
                Some(next) => chain.push(next),
                None => break,
            }
        }
        Ok(chain)
    }
}
