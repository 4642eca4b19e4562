//! SLSA v1 provenance of a command-tier training, with the command build
//! type (`docs/buildtype-command-v1.md`): the subjects are the model files,
//! the dependencies what our binary hashed before the run (the job, the
//! declared files, datasets and models, the lock and the packages it
//! installed, our binary), the internal parameters how the command was
//! confined.

use super::record::CommandRecord;
use super::spec::{InputKind, Network};
use serde_json::json;
use slsa_aibom_types::command_provenance::{
    CommandExternalParameters, CommandInternalParameters, COMMAND_BUILD_TYPE, FILE_PREFIX,
    MODEL_INPUT_PREFIX, PYTHON_PREFIX, REQUIREMENTS,
};
use slsa_aibom_types::intoto::SLSA_PROVENANCE_V1;
use slsa_aibom_types::provenance::{
    BuildDefinition, JobFile, Provenance, ResourceDescriptor, DATASET_PREFIX, TRAINER,
};
use slsa_aibom_types::statement::{Statement, Subject};
use std::collections::BTreeMap;

/// The command build type's provenance predicate.
pub type CommandProvenance = Provenance<CommandExternalParameters, CommandInternalParameters>;

/// The subjects: every file of the model directory.
pub fn subjects(record: &CommandRecord) -> Vec<Subject> {
    record
        .model_files
        .iter()
        .map(|f| Subject::sha256(&f.path, &f.sha256))
        .collect()
}

/// What the build read, each hashed by our binary before the command ran
/// (the packages: after pip checked them against the lock's hashes).
pub fn dependencies(record: &CommandRecord) -> Vec<ResourceDescriptor> {
    let file = |p: &str| Some(format!("file:{p}"));
    let mut deps = vec![ResourceDescriptor::sha256(
        "job",
        file(&record.job.path),
        &record.job.sha256,
    )];
    for f in &record.files {
        deps.push(ResourceDescriptor::sha256(
            format!("{FILE_PREFIX}{}", f.path),
            file(&f.path),
            &f.sha256,
        ));
    }
    for input in &record.inputs {
        let prefix = match input.kind {
            InputKind::Dataset => DATASET_PREFIX,
            InputKind::Model => MODEL_INPUT_PREFIX,
        };
        let mut d = ResourceDescriptor::sha256(
            format!("{prefix}{}", input.file.path),
            file(&input.file.path),
            &input.file.sha256,
        );
        d.annotations = Some(json!({ "size": input.file.size }));
        deps.push(d);
    }
    if let Some(env) = &record.python_environment {
        deps.push(ResourceDescriptor::sha256(
            REQUIREMENTS,
            file(&env.requirements.path),
            &env.requirements.sha256,
        ));
        deps.extend(env.packages.iter().map(|p| ResourceDescriptor {
            name: format!("{PYTHON_PREFIX}{}", p.name),
            uri: Some(p.purl.clone()),
            digest: BTreeMap::new(),
            annotations: None,
        }));
    }
    let t = &record.trainer;
    deps.push(ResourceDescriptor::sha256(
        TRAINER,
        Some(format!("pkg:cargo/slsa-aibom-builder@{}", t.version)),
        &t.binary_sha256,
    ));
    deps
}

/// The provenance statement; `aibom_sha256` binds the ML-BOM file as a
/// byproduct. `train_runner` is the Jobs API's record (workflow builds).
pub fn statement(
    record: &CommandRecord,
    builder_id: &str,
    inputs: Option<BTreeMap<String, serde_json::Value>>,
    train_runner: Option<serde_json::Value>,
    aibom_sha256: &str,
) -> Statement<CommandProvenance> {
    let spec = &record.job.spec;
    let predicate = Provenance {
        build_definition: BuildDefinition {
            build_type: COMMAND_BUILD_TYPE.to_string(),
            external_parameters: CommandExternalParameters {
                command: spec.run.command.clone(),
                inputs,
                job: JobFile {
                    digest: BTreeMap::from([("sha256".into(), record.job.sha256.clone())]),
                    path: record.job.path.clone(),
                },
                network: match spec.run.network {
                    Network::None => "none",
                    Network::Allowed => "allowed",
                }
                .into(),
                spec: json!(spec),
            },
            internal_parameters: Some(CommandInternalParameters {
                isolation: json!(record.isolation),
                python_environment: record.python_environment.as_ref().map(|e| json!(e)),
                command_seconds: record.command_seconds,
                train_runner,
            }),
            resolved_dependencies: dependencies(record),
        },
        run_details: crate::attest::provenance::run_details(
            builder_id,
            &record.trainer.version,
            [
                &record.invocation_id,
                &record.started_on,
                &record.finished_on,
            ],
            crate::attest::provenance::byproducts(&record.byproducts, aibom_sha256),
        ),
    };
    Statement::new(subjects(record), SLSA_PROVENANCE_V1, predicate)
}
