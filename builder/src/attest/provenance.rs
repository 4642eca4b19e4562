//! SLSA v1 provenance for a training run, with our build type
//! (documented in `docs/buildtype-v1.md`).

use super::record::BuildRecord;
use serde_json::json;
use slsa_aibom_types::intoto::SLSA_PROVENANCE_V1;
use slsa_aibom_types::provenance::{
    BaseModelAnnotations, BuildDefinition, Builder, DatasetAnnotations, ExternalParameters,
    InternalParameters, JobFile, Provenance, RecordRoot, ResourceDescriptor, RunDetails,
    RunMetadata, BASE_MODEL_PREFIX,
};
use slsa_aibom_types::statement::{Statement, Subject};
use std::collections::BTreeMap;

pub use slsa_aibom_types::provenance::BUILD_TYPE;

/// The builder ID of local (keyed) runs; the workflow's own URI in GitHub Actions.
pub const LOCAL_BUILDER_ID: &str = "https://github.com/ORG/slsa-aibom/slsa-aibom-build@v1";

/// Our provenance predicate, with our build type's parameters.
pub type OurProvenance = Provenance<ExternalParameters, InternalParameters>;

/// The subjects: every file of the model directory.
pub fn subjects(record: &BuildRecord) -> Vec<Subject> {
    record
        .model_files
        .iter()
        .map(|f| Subject::sha256(&f.path, &f.sha256))
        .collect()
}

/// The resolved dependencies: job file, data files (with per-split record
/// roots), Croissant metadata, base model, trainer binary and `Cargo.lock`.
pub fn dependencies(record: &BuildRecord) -> Vec<ResourceDescriptor> {
    let mut deps = vec![ResourceDescriptor::sha256(
        "job",
        Some(format!("file:{}", record.job.path)),
        &record.job.sha256,
    )];
    let record_roots: BTreeMap<String, RecordRoot> = record
        .splits
        .iter()
        .map(|(name, c)| {
            let root = RecordRoot {
                records: c.records as u64,
                root: c.root.clone(),
            };
            (name.as_str().to_string(), root)
        })
        .collect();
    for f in &record.data_files {
        let mut d = ResourceDescriptor::sha256(
            format!("dataset:{}", f.name),
            Some(format!("file:{}", f.name)),
            &f.sha256,
        );
        let annotations = DatasetAnnotations {
            record_roots: record_roots.clone(),
            size: f.size,
        };
        d.annotations = Some(json!(annotations));
        deps.push(d);
    }
    if let Some(c) = &record.croissant {
        deps.push(ResourceDescriptor::sha256(
            "croissant",
            Some(format!("file:{}", c.name)),
            &c.sha256,
        ));
    }
    if let Some(b) = &record.base_model {
        let mut d =
            ResourceDescriptor::sha256("base-model", Some(format!("file:{}", b.path)), &b.sha256);
        d.annotations = Some(json!({ "attestationSha256": b.attestation_sha256 }));
        deps.push(d);
    }
    if let Some(p) = &record.pretrained {
        let mut d = ResourceDescriptor::sha256(
            format!("{BASE_MODEL_PREFIX}{}", p.path),
            Some(format!("file:{}", p.path)),
            &p.manifest_sha256,
        );
        let annotations = BaseModelAnnotations {
            verification: p.verification.clone(),
            files: p
                .files
                .iter()
                .map(|f| (f.path.clone(), f.sha256.clone()))
                .collect(),
        };
        d.annotations = Some(json!(annotations));
        deps.push(d);
    }
    let t = &record.environment.trainer;
    deps.push(ResourceDescriptor::sha256(
        "trainer",
        Some(format!("pkg:cargo/slsa-aibom-builder@{}", t.version)),
        &t.binary_sha256,
    ));
    deps.push(ResourceDescriptor::sha256(
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
) -> Statement<OurProvenance> {
    let env = &record.environment;
    let predicate = Provenance {
        build_definition: BuildDefinition {
            build_type: BUILD_TYPE.to_string(),
            external_parameters: external_parameters(record, platform),
            internal_parameters: Some(internal_parameters(record, platform)),
            resolved_dependencies: dependencies(record),
        },
        run_details: run_details(
            builder_id,
            &env.trainer.version,
            [
                &record.invocation_id,
                &record.started_on,
                &record.finished_on,
            ],
            byproducts(&record.byproducts, aibom_sha256),
        ),
    };
    Statement::new(subjects(record), SLSA_PROVENANCE_V1, predicate)
}

/// The byproducts: the files beside the model, and the ML-BOM file
/// (`aibom_sha256`).
pub(crate) fn byproducts(
    files: &[super::record::OutputFile],
    aibom_sha256: &str,
) -> Vec<ResourceDescriptor> {
    files
        .iter()
        .map(|f| ResourceDescriptor::sha256(&f.path, None, &f.sha256))
        .chain([ResourceDescriptor::sha256(
            super::AIBOM_FILE,
            None,
            aibom_sha256,
        )])
        .collect()
}

/// `runDetails`: our builder at `version`, the run (`[invocation ID,
/// started, finished]`) and its byproducts.
pub(crate) fn run_details(
    builder_id: &str,
    version: &str,
    [invocation_id, started_on, finished_on]: [&String; 3],
    byproducts: Vec<ResourceDescriptor>,
) -> RunDetails {
    RunDetails {
        builder: Builder {
            id: builder_id.to_string(),
            version: BTreeMap::from([("slsa-aibom-build".into(), version.to_string())]),
        },
        metadata: RunMetadata {
            invocation_id: Some(invocation_id.clone()),
            started_on: Some(started_on.clone()),
            finished_on: Some(finished_on.clone()),
        },
        byproducts,
    }
}

/// What the caller controlled: the job file and its parsed spec, the
/// device, and (in the workflow) the workflow's inputs.
fn external_parameters(
    record: &BuildRecord,
    platform: Option<&super::platform::Platform>,
) -> ExternalParameters {
    ExternalParameters {
        device: record.environment.backend.device.clone(),
        inputs: platform.map(|p| p.definition.inputs.clone()),
        job: JobFile {
            digest: BTreeMap::from([("sha256".into(), record.job.sha256.clone())]),
            path: record.job.path.clone(),
        },
        spec: json!(record.job.spec),
    }
}

/// What the builder, the train runner and (in the workflow) the signing
/// job recorded.
fn internal_parameters(
    record: &BuildRecord,
    platform: Option<&super::platform::Platform>,
) -> InternalParameters {
    let env = &record.environment;
    InternalParameters {
        cpu_features: env.cpu.features.clone(),
        determinism: json!(crate::determinism::Determinism::of(env)),
        framework: env.backend.framework.clone(),
        nvidia: env.nvml.as_ref().map(|n| json!(n)),
        threads: env.backend.threads,
        train_runner: platform.map(|p| json!(p.runner)),
        tokenization: record.tokenization.as_ref().map(|t| json!(t)),
        training_energy: env.training_energy.as_ref().map(|e| json!(e)),
    }
}
