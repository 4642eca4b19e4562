//! SLSA provenance v1, as typed structs, and the parameters of this
//! project's build type (`docs/buildtype-v1.md`).
//!
//! [`Provenance`] reads any SLSA v1 predicate: its parameters default to
//! JSON, and fields other builders add are ignored. The builder writes
//! `Provenance<ExternalParameters, InternalParameters>`; the verifier reads
//! `Provenance` and, for our build type, the typed parameters.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The build type of our provenance.
pub const BUILD_TYPE: &str = "https://github.com/ORG/slsa-aibom/buildtypes/train/v1";

/// The keys our build type's `externalParameters` may hold.
pub const EXTERNAL_PARAMETERS: [&str; 4] = ["job", "spec", "device", "inputs"];

/// The prefix of a dataset's resolved dependency name (`dataset:FILE`).
pub const DATASET_PREFIX: &str = "dataset:";

/// The name of the base model's resolved dependency.
pub const BASE_MODEL: &str = "base-model";

/// The name of the trainer binary's resolved dependency.
pub const TRAINER: &str = "trainer";

/// An SLSA v1 provenance predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance<E = Value, I = Value> {
    /// What was built, and from what.
    pub build_definition: BuildDefinition<E, I>,
    /// Who built it, when, and what else came out.
    pub run_details: RunDetails,
}

/// `buildDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition<E, I> {
    /// The build type URI: how to read the parameters.
    pub build_type: String,
    /// What the caller controlled.
    pub external_parameters: E,
    /// What the builder chose (optional in SLSA v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_parameters: Option<I>,
    /// The artifacts the build read.
    #[serde(default)]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// `runDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    /// The builder.
    pub builder: Builder,
    /// The run.
    #[serde(default)]
    pub metadata: RunMetadata,
    /// Other artifacts the build wrote.
    #[serde(default)]
    pub byproducts: Vec<ResourceDescriptor>,
}

/// `runDetails.builder`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Builder {
    /// The builder ID (for keyless builds, held to the certificate).
    pub id: String,
    /// Component versions.
    #[serde(default)]
    pub version: BTreeMap<String, String>,
}

/// `runDetails.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunMetadata {
    /// The run's ID (for our builds, the workflow run and attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    /// When the build started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    /// When the build finished (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

/// An SLSA ResourceDescriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    /// Name (a file path, or `dataset:FILE`, `trainer`, ...).
    #[serde(default)]
    pub name: String,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Algorithm to hex value.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
    /// Type-specific facts (for datasets, [`DatasetAnnotations`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
}

impl ResourceDescriptor {
    /// A descriptor with one sha256 and no annotations.
    pub fn sha256(name: impl Into<String>, uri: Option<String>, hex: &str) -> Self {
        ResourceDescriptor {
            name: name.into(),
            uri,
            digest: BTreeMap::from([("sha256".into(), hex.to_string())]),
            annotations: None,
        }
    }

    /// The sha256, lower-cased, if there is one.
    pub fn sha256_hex(&self) -> Option<String> {
        self.digest.get("sha256").map(|d| d.to_ascii_lowercase())
    }

    /// A pretrained base model's annotations, if this is one and they parse.
    pub fn base_model_annotations(&self) -> Option<BaseModelAnnotations> {
        if !self.name.starts_with(BASE_MODEL_PREFIX) {
            return None;
        }
        serde_json::from_value(self.annotations.clone()?).ok()
    }

    /// A dataset's annotations, if this is a dataset and they parse.
    pub fn dataset_annotations(&self) -> Option<DatasetAnnotations> {
        if !self.name.starts_with(DATASET_PREFIX) {
            return None;
        }
        serde_json::from_value(self.annotations.clone()?).ok()
    }
}

/// The name prefix of a pretrained base model's dependency
/// (`base-model:PATH`); its digest is the sha256 of the directory's file
/// manifest, as model-signing computes it.
pub const BASE_MODEL_PREFIX: &str = "base-model:";

/// How a pretrained base model was verified before training: what the
/// train runner records and the provenance carries in the model's
/// dependency annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseModelVerification {
    /// `model signature (keyed)`, `model signature (keyless)`, or
    /// `pinned digest, no signature`.
    pub verified_by: String,
    /// Who signed it: `key sha256:HEX`, or `IDENTITY (issuer ISSUER)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// sha256 of the model signature that verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_sha256: Option<String>,
    /// Whether the job pinned digests, which matched.
    pub pinned: bool,
    /// `signing job` when the signing job verified the model signature
    /// itself against the recorded manifest; absent when only the train
    /// runner did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_by: Option<String>,
}

/// The annotations of a pretrained base model's dependency: how it was
/// verified before training, and every file's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseModelAnnotations {
    /// How it was verified (its keys sit beside `files`).
    #[serde(flatten)]
    pub verification: BaseModelVerification,
    /// Path inside the directory → sha256.
    pub files: BTreeMap<String, String>,
}

/// The annotations of a dataset dependency: its size and the commitment
/// root and record count of each split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetAnnotations {
    /// Split name → its records and their Merkle root.
    pub record_roots: BTreeMap<String, RecordRoot>,
    /// The file's size in bytes.
    pub size: u64,
}

/// One split's commitment: how many records, and their Merkle root (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRoot {
    /// Records in the split.
    pub records: u64,
    /// The Merkle root over them.
    pub root: String,
}

/// Our build type's `externalParameters`: what the caller controlled. The
/// fields are in the order JSON objects are written (by key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalParameters {
    /// The device the job asked for (`cpu`, `cuda:0`, ...).
    pub device: String,
    /// The reusable workflow's inputs (absent for local builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<BTreeMap<String, Value>>,
    /// The job file.
    pub job: JobFile,
    /// The job, as parsed.
    #[serde(default)]
    pub spec: Value,
}

/// The job file: its path and digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    /// Algorithm to hex value.
    pub digest: BTreeMap<String, String>,
    /// Path, relative to the caller's repository.
    pub path: String,
}

/// Our build type's `internalParameters`: what the builder, the train runner
/// and the signing job recorded (`docs/buildtype-v1.md` says who vouches for
/// each). The fields are in the order JSON objects are written (by key).
/// Each reads as empty when absent: releases from before a field existed
/// still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InternalParameters {
    /// The CPU features the trainer detected.
    #[serde(default)]
    pub cpu_features: Vec<String>,
    /// The determinism class of the run.
    #[serde(default)]
    pub determinism: Value,
    /// The tensor framework and its version.
    #[serde(default)]
    pub framework: String,
    /// The NVIDIA GPUs and driver, from NVML (absent without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvidia: Option<Value>,
    /// CPU threads.
    #[serde(default)]
    pub threads: usize,
    /// The train runner, from the GitHub Jobs API (workflow builds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_runner: Option<Value>,
    /// Text jobs: how the records were tokenised (absent for other jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenization: Option<Value>,
    /// Energy the GPUs used while training (absent without NVML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_energy: Option<Value>,
}

impl<E, I> Provenance<E, I> {
    /// The resolved dependencies whose names start with `prefix`.
    pub fn dependencies<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a ResourceDescriptor> + 'a {
        self.build_definition
            .resolved_dependencies
            .iter()
            .filter(move |d| d.name.starts_with(prefix))
    }

    /// The byproduct named `name`.
    pub fn byproduct(&self, name: &str) -> Option<&ResourceDescriptor> {
        self.run_details.byproducts.iter().find(|b| b.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_slsa_v1_predicate_reads_with_json_parameters() {
        let p: Provenance = serde_json::from_value(serde_json::json!({
            "buildDefinition": {
                "buildType": "https://example.com/other",
                "externalParameters": {"workflow": {"path": "x"}},
                "resolvedDependencies": [{"uri": "git+https://e.com", "digest": {"gitCommit": "ab"}}]
            },
            "runDetails": {"builder": {"id": "https://e.com/b"}, "extra": 1}
        }))
        .unwrap();
        assert_eq!(p.run_details.builder.id, "https://e.com/b");
        assert_eq!(p.build_definition.resolved_dependencies[0].name, "");
        assert!(p.run_details.metadata.invocation_id.is_none());
        assert!(p.build_definition.internal_parameters.is_none());
    }

    #[test]
    fn dataset_annotations_read_only_from_dataset_dependencies() {
        let mut d = ResourceDescriptor::sha256("dataset:x.csv", None, "AB");
        d.annotations = Some(serde_json::json!({
            "recordRoots": {"train": {"records": 3, "root": "cd"}}, "size": 10
        }));
        let a = d.dataset_annotations().unwrap();
        assert_eq!(a.record_roots["train"].records, 3);
        assert_eq!(d.sha256_hex().as_deref(), Some("ab"));
        d.name = "base-model".into();
        assert!(d.dataset_annotations().is_none());
    }
}
