//! The CycloneDX 1.6 ML-BOM of a command-tier training: the model (every
//! file's hash, the script's metrics marked as its own word), the declared
//! datasets and models, the Python distributions the setup phase installed
//! (with purls), our binary as the trainer, and the run as a formulation
//! workflow.

use super::record::CommandRecord;
use super::spec::InputKind;
use crate::cyclonedx::*;
use slsa_aibom_types::property;

const MODEL_REF: &str = "model";
const TRAINER_REF: &str = "trainer";
/// The metrics' vouching party, as [`property::METRICS_ASSERTED_BY`] says it.
pub const TRAINING_SCRIPT: &str = "training-script";

/// The ML-BOM; `references` go on the model component (the in-toto layout
/// and training link, by sha256).
pub fn bom(record: &CommandRecord, references: Vec<ExternalReference>) -> Bom {
    let mut model = model_component(record);
    model.external_references = references;
    let inputs = input_components(record);
    let packages = package_components(record);
    let mut depends_on: Vec<String> = inputs
        .iter()
        .chain(&packages)
        .filter_map(|c| c.bom_ref.clone())
        .collect();
    depends_on.push(TRAINER_REF.into());
    let mut components = vec![model.clone()];
    components.extend(inputs);
    components.push(Component {
        kind: "application".into(),
        bom_ref: Some(TRAINER_REF.into()),
        name: "slsa-aibom-build".into(),
        version: Some(record.trainer.version.clone()),
        description: Some(
            "ran and confined the caller's command, hashed its inputs and outputs".into(),
        ),
        hashes: vec![Hash::sha256(&record.trainer.binary_sha256)],
        ..Component::default()
    });
    components.extend(packages);
    crate::attest::aibom::assemble(crate::attest::aibom::Assembly {
        serial_number: crate::attest::aibom::serial(
            &record.invocation_id,
            record.model_files.first().map_or("", |f| f.sha256.as_str()),
        ),
        timestamp: record.finished_on.clone(),
        builder_version: record.trainer.version.clone(),
        model,
        components,
        workflow: workflow(record),
        depends_on,
    })
}

fn model_component(record: &CommandRecord) -> Component {
    let meta = &record.job.spec.metadata;
    let metrics = &record.script_metrics;
    let performance_metrics = [("validation", &metrics.validation), ("test", &metrics.test)]
        .into_iter()
        .flat_map(|(slice, values)| {
            values.iter().map(move |(name, value)| PerformanceMetric {
                kind: name.clone(),
                value: value.to_string(),
                slice: slice.into(),
            })
        })
        .collect();
    let limitations = (!meta.out_of_scope.is_empty())
        .then(|| format!("Out of scope: {}", meta.out_of_scope))
        .into_iter()
        .collect();
    Component {
        hashes: record
            .model_files
            .iter()
            .map(|f| Hash::sha256(&f.sha256))
            .collect(),
        licenses: vec![LicenseChoice::Expression {
            expression: meta.license.clone(),
        }],
        model_card: Some(ModelCard {
            model_parameters: None,
            quantitative_analysis: QuantitativeAnalysis {
                performance_metrics,
            },
            considerations: Considerations {
                use_cases: (!meta.intended_use.is_empty())
                    .then(|| meta.intended_use.clone())
                    .into_iter()
                    .collect(),
                technical_limitations: limitations,
                ..Considerations::default()
            },
            properties: vec![Property::new(
                property::METRICS_ASSERTED_BY,
                TRAINING_SCRIPT,
            )],
        }),
        properties: vec![
            Property::new(property::MODEL_TYPE, &meta.model_type),
            Property::new(property::TRAINER_TIER, "command"),
        ],
        ..crate::attest::aibom::model_named(meta)
    }
}

/// The declared datasets (`data`) and models, each by its digest.
fn input_components(record: &CommandRecord) -> Vec<Component> {
    record
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let licenses = input
                .license
                .iter()
                .map(|l| LicenseChoice::Expression { expression: l.clone() })
                .collect();
            let hashes = vec![Hash::sha256(&input.file.sha256)];
            let name = input.file.path.clone();
            match input.kind {
                InputKind::Dataset => Component {
                    kind: "data".into(),
                    bom_ref: Some(format!("dataset-{i}")),
                    data: vec![ComponentData {
                        kind: "dataset".into(),
                        name: name.clone(),
                        description: Some(format!(
                            "declared input of {} bytes, hashed before the command ran",
                            input.file.size
                        )),
                        contents: None,
                        classification: None,
                    }],
                    name,
                    hashes,
                    licenses,
                    ..Component::default()
                },
                InputKind::Model => Component {
                    kind: "file".into(),
                    bom_ref: Some(format!("model-input-{i}")),
                    description: Some("declared model input, hashed before the command ran; no signature was checked".into()),
                    name,
                    hashes,
                    licenses,
                    ..Component::default()
                },
            }
        })
        .collect()
}

/// The Python distributions the setup phase installed.
fn package_components(record: &CommandRecord) -> Vec<Component> {
    record
        .python_environment
        .iter()
        .flat_map(|env| &env.packages)
        .map(|p| Component {
            kind: "library".into(),
            bom_ref: Some(format!("python-{}", p.name)),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            purl: Some(p.purl.clone()),
            ..Component::default()
        })
        .collect()
}

fn workflow(record: &CommandRecord) -> Workflow {
    let spec = &record.job.spec;
    let command = spec.run.command.join(" ");
    let mut inputs: Vec<WorkflowInput> = record
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == InputKind::Dataset)
        .map(|(i, _)| WorkflowInput::Resource {
            resource: ResourceRef {
                reference: format!("dataset-{i}"),
            },
        })
        .collect();
    let parameter = |name: &str, value: String| Parameter {
        name: name.into(),
        value,
        data_type: "string".into(),
    };
    inputs.push(WorkflowInput::Parameters {
        parameters: vec![
            parameter("command", command.clone()),
            parameter("network", format!("{:?}", spec.run.network).to_lowercase()),
            parameter("timeout", spec.run.timeout.to_string()),
        ],
    });
    let mut steps = Vec::new();
    if let Some(env) = &record.python_environment {
        steps.push(Step {
            name: "setup".into(),
            description: format!(
                "pip install --require-hashes of {} ({} distributions)",
                env.requirements.path,
                env.packages.len()
            ),
        });
    }
    steps.push(Step {
        name: "run".into(),
        description: format!(
            "the caller's command, confined, for {:.1} s",
            record.command_seconds
        ),
    });
    steps.push(Step {
        name: "collect".into(),
        description: "the model directory and the script's metrics, checked and hashed".into(),
    });
    Workflow {
        bom_ref: "training-workflow".into(),
        uid: record.invocation_id.clone(),
        name: format!("train {}", spec.metadata.name),
        description: format!(
            "the caller's command `{command}` from job {} (sha256 {}): command tier, not re-derived",
            record.job.path, record.job.sha256
        ),
        task_types: vec!["build".into()],
        steps,
        inputs,
        outputs: vec![WorkflowOutput {
            resource: ResourceRef { reference: MODEL_REF.into() },
        }],
        time_start: record.started_on.clone(),
        time_end: record.finished_on.clone(),
        properties: vec![Property::new(property::TRAINER_REF, TRAINER_REF)],
    }
}
