//! The CycloneDX 1.6 ML-BOM of a training run. Every hash in it is a
//! provenance subject or resolved dependency, so the two documents bind.

use super::record::BuildRecord;
use crate::cyclonedx::*;
use crate::spec::{Architecture, JobSpec, Task};
use sha2::{Digest as _, Sha256};
use slsa_aibom_trainer::metrics::Evaluation;
use slsa_aibom_types::property;

/// The predicate type the ML-BOM is signed under (the verifier's constant).
pub use slsa_aibom_verify::release::CYCLONEDX_PREDICATE;

const MODEL_REF: &str = "model";
const TRAINER_REF: &str = "trainer";

fn metrics_of(slice: &str, e: &Evaluation) -> Vec<PerformanceMetric> {
    e.figures()
        .map(|(k, v)| PerformanceMetric {
            kind: k.into(),
            value: format!("{v:.6}"),
            slice: slice.into(),
        })
        .collect()
}

/// Every training key of the job, flattened to dotted names
/// (`schedule.kind`, `early_stopping.patience`), and the model's activation
/// and dropout: each key the job spec gains is recorded without a list to
/// keep in step.
fn training_parameters(spec: &JobSpec) -> Vec<Parameter> {
    fn flatten(name: String, value: &serde_json::Value, out: &mut Vec<Parameter>) {
        use serde_json::Value;
        let (value, data_type) = match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if name.is_empty() {
                        k.clone()
                    } else {
                        format!("{name}.{k}")
                    };
                    flatten(key, v, out);
                }
                return;
            }
            Value::Null => return,
            Value::Bool(b) => (b.to_string(), "boolean"),
            Value::Number(n) => (n.to_string(), "number"),
            Value::String(s) => (s.clone(), "string"),
            Value::Array(_) => (value.to_string(), "array"),
        };
        out.push(Parameter {
            name,
            value,
            data_type: data_type.into(),
        });
    }
    let mut out = Vec::new();
    let training = serde_json::to_value(&spec.training).unwrap_or_default();
    flatten(String::new(), &training, &mut out);
    let model = serde_json::json!({
        "activation": spec.model.activation,
        "dropout": spec.model.dropout,
    });
    flatten("model".into(), &model, &mut out);
    out
}

/// A UUID-shaped serial derived from the model digest and invocation, so a
/// BOM names exactly one run.
pub(crate) fn serial(invocation_id: &str, model_sha256: &str) -> String {
    let h = Sha256::digest(format!("{invocation_id}|{model_sha256}"));
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5 layout (name-based)
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

/// Build the ML-BOM; `references` go on the model component (the in-toto
/// layout and training link, by sha256).
pub fn bom(record: &BuildRecord, references: Vec<ExternalReference>) -> Bom {
    let env = &record.environment;
    let mut model = model_component(record);
    model.external_references = references;
    let (datasets, dataset_refs) = dataset_components(record);
    if let Some(mc) = model.model_card.as_mut() {
        if let Some(p) = mc.model_parameters.as_mut() {
            p.datasets = dataset_refs;
        }
    }
    let mut components = vec![model.clone()];
    components.extend(datasets);
    components.extend(environment_components(env));
    let workflow = training_workflow(record);
    let mut depends_on: Vec<String> = record
        .splits
        .keys()
        .map(|s| format!("dataset-{}", s.as_str()))
        .collect();
    depends_on.push(TRAINER_REF.into());
    assemble(Assembly {
        serial_number: serial(
            &record.invocation_id,
            record.weights().map(|w| w.sha256.as_str()).unwrap_or(""),
        ),
        timestamp: record.finished_on.clone(),
        builder_version: env.trainer.version.clone(),
        model,
        components,
        workflow,
        depends_on,
    })
}

/// What an ML-BOM is made of, whichever tier trained.
pub(crate) struct Assembly {
    /// [`serial`]'s serial number.
    pub serial_number: String,
    /// When the training finished.
    pub timestamp: String,
    /// Our builder's version (the BOM's tool).
    pub builder_version: String,
    /// The model component (also the BOM's subject, without its ref).
    pub model: Component,
    /// Every component, the model first.
    pub components: Vec<Component>,
    /// The training run.
    pub workflow: Workflow,
    /// What the model depends on, by bom-ref.
    pub depends_on: Vec<String>,
}

/// The CycloneDX 1.6 document around an [`Assembly`].
pub(crate) fn assemble(a: Assembly) -> Bom {
    Bom {
        bom_format: "CycloneDX".into(),
        spec_version: "1.6".into(),
        serial_number: a.serial_number,
        version: 1,
        metadata: Metadata {
            timestamp: a.timestamp,
            tools: Tools {
                components: vec![Component {
                    kind: "application".into(),
                    name: "slsa-aibom-build".into(),
                    version: Some(a.builder_version),
                    ..Component::default()
                }],
            },
            component: Component {
                bom_ref: None,
                ..a.model
            },
            properties: Vec::new(),
        },
        components: a.components,
        formulation: vec![Formula {
            bom_ref: "formulation".into(),
            workflows: vec![a.workflow],
        }],
        dependencies: vec![Dependency {
            reference: MODEL_REF.into(),
            depends_on: a.depends_on,
        }],
    }
}

/// How the rows were split, for the dataset components.
fn split_method(spec: &JobSpec) -> String {
    match (
        &spec.dataset.definition.split_column,
        spec.training.stratify,
    ) {
        (Some(column), _) => format!("split by its column {column:?}"),
        (None, true) => format!(
            "split by class (stratified) with seed {}",
            spec.training.seed
        ),
        (None, false) => format!("split by seed {}", spec.training.seed),
    }
}

/// One data component per split, and references to them.
fn dataset_components(record: &BuildRecord) -> (Vec<Component>, Vec<ResourceRef>) {
    let spec = &record.job.spec;
    let def = &spec.dataset.definition;
    let mut components = Vec::new();
    let mut dataset_refs = Vec::new();
    for (split, c) in &record.splits {
        let bom_ref = format!("dataset-{}", split.as_str());
        dataset_refs.push(ResourceRef {
            reference: bom_ref.clone(),
        });
        components.push(Component {
            kind: "data".into(),
            bom_ref: Some(bom_ref),
            name: format!("{} ({} split)", spec.dataset.name, split.as_str()),
            hashes: record
                .data_files
                .iter()
                .map(|f| Hash::sha256(&f.sha256))
                .collect(),
            licenses: spec
                .dataset
                .license
                .iter()
                .map(|l| LicenseChoice::Expression {
                    expression: l.clone(),
                })
                .collect(),
            data: vec![ComponentData {
                kind: "dataset".into(),
                name: spec.dataset.name.clone(),
                description: Some(format!(
                    "{} records of {} ({:?}), {}",
                    c.records,
                    record
                        .data_files
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    spec.dataset.format,
                    split_method(spec)
                )),
                contents: Some(DataContents {
                    url: spec.dataset.url.clone(),
                    properties: vec![
                        Property::new(property::RECORDS, c.records.to_string()),
                        Property::new(property::RECORD_ROOT, &c.root),
                        Property::new(property::INPUT_SHAPE, format!("{:?}", def.input_shape)),
                        Property::new(property::OUTPUT_SHAPE, format!("{:?}", def.output_shape)),
                        Property::new(
                            property::PREPROCESSING,
                            serde_json::to_string(&def.preprocessing).unwrap_or_default(),
                        ),
                    ],
                }),
                classification: None,
            }],
            ..Component::default()
        });
    }
    (components, dataset_refs)
}

/// The trainer, its framework, the operating system and the devices.
fn environment_components(env: &crate::environment::Environment) -> Vec<Component> {
    let mut components = Vec::new();
    components.push(Component {
        kind: "application".into(),
        bom_ref: Some(TRAINER_REF.into()),
        name: "slsa-aibom-build".into(),
        version: Some(env.trainer.version.clone()),
        purl: Some(format!(
            "pkg:cargo/slsa-aibom-builder@{}",
            env.trainer.version
        )),
        hashes: vec![Hash::sha256(&env.trainer.binary_sha256)],
        ..Component::default()
    });
    if let Some(candle) = env
        .trainer
        .dependencies
        .iter()
        .find(|p| p.name == "candle-core")
    {
        components.push(Component {
            kind: "framework".into(),
            bom_ref: Some("framework".into()),
            name: "candle-core".into(),
            version: Some(candle.version.clone()),
            purl: Some(format!("pkg:cargo/candle-core@{}", candle.version)),
            properties: vec![Property::new(property::BACKEND, &env.backend.device)],
            ..Component::default()
        });
    }
    components.push(Component {
        kind: "operating-system".into(),
        bom_ref: Some("os".into()),
        name: env.os.name.clone().unwrap_or_else(|| env.os.family.clone()),
        version: env.os.kernel.clone(),
        properties: vec![Property::new(property::ARCH, &env.os.arch)],
        ..Component::default()
    });
    let mut cpu_props = vec![
        Property::new(property::LOGICAL_CORES, env.cpu.logical_cores.to_string()),
        Property::new(property::CPU_FEATURES, env.cpu.features.join(" ")),
        Property::new(property::THREADS, env.backend.threads.to_string()),
    ];
    if let Some(m) = env.memory_bytes {
        cpu_props.push(Property::new(property::MEMORY_BYTES, m.to_string()));
    }
    components.push(Component {
        kind: "device".into(),
        bom_ref: Some("device-cpu".into()),
        name: env.cpu.model.clone().unwrap_or_else(|| "CPU".into()),
        properties: cpu_props,
        ..Component::default()
    });
    for (i, gpu) in env.gpu_adapters.iter().enumerate() {
        components.push(Component {
            kind: "device".into(),
            bom_ref: Some(format!("device-gpu-{i}")),
            name: gpu.name.clone(),
            properties: vec![
                Property::new(property::DEVICE_TYPE, &gpu.device_type),
                Property::new(property::BACKEND, &gpu.backend),
                Property::new(
                    property::DRIVER,
                    format!("{} {}", gpu.driver, gpu.driver_info),
                ),
                Property::new(
                    property::PCI_ID,
                    format!("{:04x}:{:04x}", gpu.vendor, gpu.device),
                ),
            ],
            ..Component::default()
        });
    }
    components.extend(nvidia_components(env));
    components
}

/// The NVIDIA GPUs NVML reported, as device components (none without NVML).
fn nvidia_components(env: &crate::environment::Environment) -> Vec<Component> {
    let Some(nvml) = &env.nvml else {
        return Vec::new();
    };
    nvml.gpus
        .iter()
        .map(|gpu| {
            let mut properties = vec![
                Property::new(property::GPU_UUID, &gpu.uuid),
                Property::new(property::PCI_BUS_ID, &gpu.pci_bus_id),
                Property::new(property::MEMORY_BYTES, gpu.memory_bytes.to_string()),
                Property::new(property::COMPUTE_CAPABILITY, &gpu.compute_capability),
                Property::new(property::DRIVER, &nvml.driver_version),
                Property::new(property::CUDA_VERSION, &nvml.cuda_version),
                Property::new(property::SOURCE, "NVML (asserted by the train runner)"),
            ];
            if let Some(mig) = gpu.mig_enabled {
                properties.push(Property::new(property::MIG_ENABLED, mig.to_string()));
            }
            Component {
                kind: "device".into(),
                bom_ref: Some(format!("device-nvidia-{}", gpu.index)),
                name: gpu.name.clone(),
                properties,
                ..Component::default()
            }
        })
        .collect()
}

/// The training's GPU energy as CycloneDX states it, where NVML measured
/// it; absent otherwise (CPU time alone is no energy figure).
fn training_energy(env: &crate::environment::Environment) -> Option<EnvironmentalConsiderations> {
    let energy = env.training_energy.as_ref()?;
    let kwh = energy.gpu_kwh?;
    let measure = || EnergyMeasure {
        value: kwh,
        unit: "kWh".into(),
    };
    let mut properties = vec![Property::new(
        property::ENERGY_MEASURED_BY,
        "NVML total-energy counters of every NVIDIA GPU, before and after training (asserted by the train runner)",
    )];
    if let Some(cpu) = energy.cpu_seconds {
        properties.push(Property::new(property::CPU_SECONDS, format!("{cpu:.3}")));
    }
    Some(EnvironmentalConsiderations {
        energy_consumptions: vec![EnergyConsumption {
            activity: "training".into(),
            energy_providers: vec![EnergyProvider {
                description: "the train runner's electricity supply, not recorded".into(),
                organization: Organization {
                    name: "unknown".into(),
                },
                energy_source: "unknown".into(),
                energy_provided: measure(),
            }],
            activity_energy_cost: measure(),
            properties,
        }],
    })
}

/// The formulation's workflow: the steps, the inputs (each split and every
/// training parameter) and the output.
fn training_workflow(record: &BuildRecord) -> Workflow {
    let (spec, env) = (&record.job.spec, &record.environment);
    let meta = &spec.metadata;
    let parameters = training_parameters(spec);
    let mut inputs: Vec<WorkflowInput> = record
        .splits
        .keys()
        .map(|s| WorkflowInput::Resource {
            resource: ResourceRef {
                reference: format!("dataset-{}", s.as_str()),
            },
        })
        .collect();
    inputs.push(WorkflowInput::Parameters { parameters });
    Workflow {
        bom_ref: "training-workflow".into(),
        uid: record.invocation_id.clone(),
        name: format!("train {}", meta.name),
        description: format!(
            "slsa-aibom-build training job {} (sha256 {})",
            record.job.path, record.job.sha256
        ),
        task_types: vec!["build".into(), "test".into()],
        steps: vec![
            Step {
                name: "load".into(),
                description: "validate the dataset and commit to each split".into(),
            },
            Step {
                name: "train".into(),
                description: match &record.metrics.early_stopping {
                    Some(stop) => format!(
                        "{} epochs on {}; validation {} was best at epoch {}{}",
                        record.metrics.epochs.len(),
                        env.backend.device,
                        stop.monitor,
                        stop.best_epoch + 1,
                        if stop.restored_best {
                            ", whose weights were kept"
                        } else {
                            ""
                        }
                    ),
                    None => format!(
                        "{} epochs on {}",
                        record.metrics.epochs.len(),
                        env.backend.device
                    ),
                },
            },
            Step {
                name: "evaluate".into(),
                description: "final validation and test metrics".into(),
            },
        ],
        inputs,
        outputs: vec![WorkflowOutput {
            resource: ResourceRef {
                reference: MODEL_REF.into(),
            },
        }],
        time_start: record.started_on.clone(),
        time_end: record.finished_on.clone(),
        properties: vec![Property::new(property::TRAINER_REF, TRAINER_REF)],
    }
}

/// The model's family, task and layer-by-layer architecture, in words.
fn architecture(spec: &JobSpec) -> (&'static str, &'static str, String) {
    let (def, m) = (&spec.dataset.definition, &spec.model);
    let (family, task) = (
        match m.architecture {
            Architecture::Mlp => "multilayer perceptron",
            Architecture::Cnn => "convolutional neural network",
            Architecture::Bert => "BERT-family transformer encoder",
        },
        match m.task {
            Task::Binary => "binary classification",
            Task::Multiclass => "multi-class classification",
            Task::Regression => "regression",
        },
    );
    let act = serde_json::to_value(m.activation)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let pool = match m.pool {
        crate::spec::Pool::Max => "+maxpool2",
        crate::spec::Pool::Avg => "+avgpool2",
        crate::spec::Pool::None => "",
    };
    if let Some(text) = &def.text {
        let mode = match (&m.lora, m.freeze_encoder) {
            (Some(l), _) => format!(
                "LoRA r={} alpha={} on {}",
                l.rank,
                l.alpha,
                l.target_modules.join("+")
            ),
            (None, true) => "encoder frozen, head trained".into(),
            (None, false) => "full fine-tuning".into(),
        };
        let pooling = if m.pooling.is_cls() {
            "cls pooler"
        } else {
            "mean pooling"
        };
        let arch = format!(
            "tokens ≤{} → pretrained encoder → {pooling} → dense({}); {mode}",
            text.max_length, def.output_shape[0]
        );
        return (family, task, arch);
    }
    let mut arch = format!("input {:?}", def.input_shape);
    for c in &m.conv {
        let (k, s) = (m.kernel_size, m.stride);
        arch += &format!(" → conv{k}x{k}/{s}({c})+{act}{pool}");
    }
    for h in &m.hidden {
        arch += &format!(" → dense({h})+{act}");
        if m.dropout > 0.0 {
            arch += &format!("+dropout({})", m.dropout);
        }
    }
    arch += &format!(" → dense({})", def.output_shape[0]);
    (family, task, arch)
}

fn model_component(record: &BuildRecord) -> Component {
    let spec = &record.job.spec;
    let meta = &spec.metadata;
    let def = &spec.dataset.definition;
    let (family, task, arch) = architecture(spec);
    let mut performance_metrics = Vec::new();
    if let Some(v) = &record.metrics.validation {
        performance_metrics.extend(metrics_of("validation", v));
    }
    if let Some(t) = &record.metrics.test {
        performance_metrics.extend(metrics_of("test", t));
    }
    let mut limitations = Vec::new();
    if !meta.out_of_scope.is_empty() {
        limitations.push(format!("Out of scope: {}", meta.out_of_scope));
    }
    let ethical = if meta.misuse.is_empty() {
        Vec::new()
    } else {
        vec![Risk {
            name: meta.misuse.clone(),
            mitigation_strategy: "Documented in the model card; verify provenance before use."
                .into(),
        }]
    };
    let mut properties = vec![
        Property::new(
            property::PARAMETER_COUNT,
            record.parameter_count.to_string(),
        ),
        Property::new(property::MODEL_TYPE, &meta.model_type),
    ];
    if let Some(b) = &meta.base_model {
        properties.push(Property::new(property::BASE_MODEL, b));
    }
    if let Some(s) = &meta.base_model_source {
        properties.push(Property::new(property::BASE_MODEL_SOURCE, s));
    }
    Component {
        hashes: record
            .weights()
            .map(|w| Hash::sha256(&w.sha256))
            .into_iter()
            .collect(),
        licenses: vec![LicenseChoice::Expression {
            expression: meta.license.clone(),
        }],
        model_card: Some(ModelCard {
            model_parameters: Some(ModelParameters {
                approach: Approach {
                    kind: "supervised".into(),
                },
                task: task.into(),
                architecture_family: family.into(),
                model_architecture: arch,
                datasets: Vec::new(),
                inputs: vec![Format {
                    format: match &def.text {
                        Some(t) => format!(
                            "text, at most {} tokens of the base model's tokenizer",
                            t.max_length
                        ),
                        None => format!("float32 tensor {:?}", def.input_shape),
                    },
                }],
                outputs: vec![Format {
                    format: format!("float32 tensor {:?}", def.output_shape),
                }],
            }),
            quantitative_analysis: QuantitativeAnalysis {
                performance_metrics,
            },
            considerations: Considerations {
                users: Vec::new(),
                use_cases: (!meta.intended_use.is_empty())
                    .then(|| meta.intended_use.clone())
                    .into_iter()
                    .collect(),
                technical_limitations: limitations,
                ethical_considerations: ethical,
                environmental_considerations: training_energy(&record.environment),
            },
            properties: Vec::new(),
        }),
        properties,
        pedigree: record.pretrained.as_ref().map(|p| pedigree(p, meta)),
        ..model_named(meta)
    }
}

/// The model component's kind, ref, name, version, description and
/// author, from the job's metadata (both tiers).
pub(crate) fn model_named(meta: &crate::spec::Metadata) -> Component {
    Component {
        kind: "machine-learning-model".into(),
        bom_ref: Some(MODEL_REF.into()),
        name: meta.name.clone(),
        version: Some(meta.version.clone()),
        description: (!meta.description.is_empty()).then(|| meta.description.clone()),
        authors: (!meta.author.is_empty())
            .then(|| Contact {
                name: meta.author.clone(),
            })
            .into_iter()
            .collect(),
        ..Component::default()
    }
}

/// The bom-ref of a fine-tuned model's base.
pub const BASE_MODEL_REF: &str = "base-model";

/// A fine-tuned model's pedigree: its base model, by manifest digest, and
/// how the builder verified it before training.
fn pedigree(p: &crate::attest::record::PretrainedRecord, meta: &crate::spec::Metadata) -> Pedigree {
    let mut properties = vec![
        Property::new(property::BASE_MODEL_PATH, &p.path),
        Property::new(property::VERIFIED_BY, &p.verification.verified_by),
    ];
    if let Some(s) = &p.verification.signer {
        properties.push(Property::new(property::SIGNER, s));
    }
    if let Some(s) = &p.verification.signature_sha256 {
        properties.push(Property::new(property::SIGNATURE_SHA256, s));
    }
    Pedigree {
        ancestors: vec![Component {
            kind: "machine-learning-model".into(),
            bom_ref: Some(BASE_MODEL_REF.into()),
            name: meta.base_model.clone().unwrap_or_else(|| p.path.clone()),
            description: Some("The pretrained model this one was fine-tuned from; the hash is the sha256 of its file manifest, as model-signing computes it.".into()),
            hashes: vec![Hash::sha256(&p.manifest_sha256)],
            external_references: meta
                .base_model_source
                .iter()
                .map(|url| ExternalReference {
                    kind: "distribution".into(),
                    url: url.clone(),
                    comment: None,
                    hashes: Vec::new(),
                })
                .collect(),
            properties,
            ..Component::default()
        }],
        notes: Some(format!("fine-tuned from {} ({})", p.path, p.verification.verified_by)),
    }
}
