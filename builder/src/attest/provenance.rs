//! SLSA v1 provenance for a training run, with our build type
//! (documented in `docs/buildtype-v1.md`).

use super::record::BuildRecord;
use super::statement::{Descriptor, Statement};
use serde::Serialize;
use serde_json::{json, Value};
use slsa_aibom_verify::documents::provenance::SLSA_PROVENANCE_V1;
use std::collections::BTreeMap;

pub use slsa_aibom_verify::identity::our_builder::BUILD_TYPE;

/// The builder ID of local (keyed) runs; the workflow's own URI in GitHub Actions.
pub const LOCAL_BUILDER_ID: &str = "https://github.com/ORG/slsa-aibom/slsa-aibom-build@v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Predicate {
    build_definition: BuildDefinition,
    run_details: RunDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition {
    build_type: &'static str,
    external_parameters: Value,
    internal_parameters: Value,
    resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunDetails {
    builder: Builder,
    metadata: RunMetadata,
    byproducts: Vec<ResourceDescriptor>,
}

#[derive(Serialize)]
struct Builder {
    id: String,
    version: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunMetadata {
    invocation_id: String,
    started_on: String,
    finished_on: String,
}

/// An SLSA ResourceDescriptor.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceDescriptor {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    digest: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<Value>,
}

impl ResourceDescriptor {
    fn new(name: impl Into<String>, uri: Option<String>, sha256: &str) -> Self {
        ResourceDescriptor {
            name: name.into(),
            uri,
            digest: BTreeMap::from([("sha256".into(), sha256.to_string())]),
            annotations: None,
        }
    }
}

/// The subjects: every file of the model directory.
pub fn subjects(record: &BuildRecord) -> Vec<Descriptor> {
    record
        .model_files
        .iter()
        .map(|f| Descriptor::sha256(&f.path, &f.sha256))
        .collect()
}

/// The resolved dependencies: job file, data files (with per-split record
/// roots), Croissant metadata, base model, trainer binary and `Cargo.lock`.
pub fn dependencies(record: &BuildRecord) -> Vec<ResourceDescriptor> {
    let mut deps = vec![ResourceDescriptor::new(
        "job",
        Some(format!("file:{}", record.job.path)),
        &record.job.sha256,
    )];
    let roots: BTreeMap<&str, Value> = record
        .splits
        .iter()
        .map(|(name, c)| {
            (
                name.as_str(),
                json!({ "records": c.records, "root": c.root }),
            )
        })
        .collect();
    for f in &record.data_files {
        let mut d = ResourceDescriptor::new(
            format!("dataset:{}", f.name),
            Some(format!("file:{}", f.name)),
            &f.sha256,
        );
        d.annotations = Some(json!({ "size": f.size, "recordRoots": roots }));
        deps.push(d);
    }
    if let Some(c) = &record.croissant {
        deps.push(ResourceDescriptor::new(
            "croissant",
            Some(format!("file:{}", c.name)),
            &c.sha256,
        ));
    }
    if let Some(b) = &record.base_model {
        let mut d =
            ResourceDescriptor::new("base-model", Some(format!("file:{}", b.path)), &b.sha256);
        d.annotations = Some(json!({ "attestationSha256": b.attestation_sha256 }));
        deps.push(d);
    }
    let t = &record.environment.trainer;
    deps.push(ResourceDescriptor::new(
        "trainer",
        Some(format!("pkg:cargo/slsa-aibom-builder@{}", t.version)),
        &t.binary_sha256,
    ));
    deps.push(ResourceDescriptor::new(
        "Cargo.lock",
        None,
        &t.cargo_lock_sha256,
    ));
    deps
}

/// The provenance statement. `aibom_sha256` binds the ML-BOM as a byproduct.
/// In the workflow, `platform` adds the workflow's inputs as
/// `externalParameters.inputs` and the Jobs API's train runner as
/// `internalParameters.trainRunner`.
pub fn statement(
    record: &BuildRecord,
    builder_id: &str,
    platform: Option<&super::platform::Platform>,
    aibom_sha256: &str,
) -> Statement<impl Serialize> {
    let mut byproducts: Vec<ResourceDescriptor> = record
        .byproducts
        .iter()
        .map(|f| ResourceDescriptor::new(&f.path, None, &f.sha256))
        .collect();
    byproducts.push(ResourceDescriptor::new(
        super::AIBOM_FILE,
        None,
        aibom_sha256,
    ));
    let env = &record.environment;
    let predicate = Predicate {
        build_definition: BuildDefinition {
            build_type: BUILD_TYPE,
            external_parameters: {
                let mut p = json!({
                    "job": { "path": record.job.path, "digest": { "sha256": record.job.sha256 } },
                    "spec": record.job.spec,
                    "device": env.backend.device,
                });
                if let Some(platform) = platform {
                    p["inputs"] = json!(platform.definition.inputs);
                }
                p
            },
            internal_parameters: {
                let mut p = json!({
                    "threads": env.backend.threads,
                    "framework": env.backend.framework,
                    "cpuFeatures": env.cpu.features,
                    "determinism": crate::determinism::Determinism::of(env),
                });
                if let Some(nvml) = &env.nvml {
                    p["nvidia"] = json!(nvml);
                }
                if let Some(energy) = &env.training_energy {
                    p["trainingEnergy"] = json!(energy);
                }
                if let Some(platform) = platform {
                    p["trainRunner"] = json!(platform.runner);
                }
                p
            },
            resolved_dependencies: dependencies(record),
        },
        run_details: RunDetails {
            builder: Builder {
                id: builder_id.to_string(),
                version: BTreeMap::from([("slsa-aibom-build".into(), env.trainer.version.clone())]),
            },
            metadata: RunMetadata {
                invocation_id: record.invocation_id.clone(),
                started_on: record.started_on.clone(),
                finished_on: record.finished_on.clone(),
            },
            byproducts,
        },
    };
    Statement::new(subjects(record), SLSA_PROVENANCE_V1, predicate)
}
