//! Typed serde model of the CycloneDX 1.6 JSON subset an ML-BOM uses.
//! (`cyclonedx-bom` 0.8 cannot write 1.6.) Field names follow the official
//! schema; tests validate our output against `bom-1.6.schema.json`.

use serde::{Deserialize, Serialize};

/// A BOM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    /// Always `CycloneDX`.
    pub bom_format: String,
    /// `1.6`.
    pub spec_version: String,
    /// `urn:uuid:...`.
    pub serial_number: String,
    /// BOM version (1).
    pub version: u32,
    /// Metadata.
    pub metadata: Metadata,
    /// Components.
    pub components: Vec<Component>,
    /// How the components were made.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub formulation: Vec<Formula>,
    /// Dependency graph.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dependencies: Vec<Dependency>,
}

/// BOM metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// When the BOM was made (RFC 3339).
    pub timestamp: String,
    /// The tool that made it.
    pub tools: Tools,
    /// The component the BOM describes (the model).
    pub component: Component,
    /// Extra name/value pairs.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<Property>,
}

/// Tools (1.5+ object form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tools {
    /// Tool components.
    pub components: Vec<Component>,
}

/// A name/value property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

impl Property {
    /// A property.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hash {
    /// `SHA-256`.
    pub alg: String,
    /// Hex value.
    pub content: String,
}

impl Hash {
    /// A SHA-256 hash.
    pub fn sha256(hex: impl Into<String>) -> Self {
        Hash {
            alg: "SHA-256".into(),
            content: hex.into(),
        }
    }
}

/// A licence choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LicenseChoice {
    /// An SPDX expression.
    Expression {
        /// The expression.
        expression: String,
    },
}

/// An external reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalReference {
    /// URL.
    pub url: String,
    /// Type (`website`, `distribution`, `vcs`, `attestation`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Hashes of what it points at.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub hashes: Vec<Hash>,
}

/// A component.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Component {
    /// `machine-learning-model`, `data`, `framework`, `application`, `operating-system`, `device`...
    #[serde(rename = "type")]
    pub kind: String,
    /// Reference ID within the BOM.
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Authors.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub authors: Vec<Contact>,
    /// Package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Hashes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub hashes: Vec<Hash>,
    /// Licences.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub licenses: Vec<LicenseChoice>,
    /// External references.
    #[serde(
        rename = "externalReferences",
        skip_serializing_if = "Vec::is_empty",
        default
    )]
    pub external_references: Vec<ExternalReference>,
    /// Model card (ML models).
    #[serde(rename = "modelCard", skip_serializing_if = "Option::is_none")]
    pub model_card: Option<ModelCard>,
    /// Data descriptions (data components).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub data: Vec<ComponentData>,
    /// Properties.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<Property>,
    /// What the component was derived from (a fine-tuned model's base).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pedigree: Option<Pedigree>,
}

/// A component's pedigree: its ancestors and how they were checked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Pedigree {
    /// The components it was derived from.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ancestors: Vec<Component>,
    /// Free-text notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// An organizational contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    pub name: String,
}

/// The model card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelCard {
    /// Parameters of the model (absent when the builder does not know
    /// them: a team's own script trained it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_parameters: Option<ModelParameters>,
    /// Evaluation results.
    pub quantitative_analysis: QuantitativeAnalysis,
    /// Uses, limitations and ethics.
    pub considerations: Considerations,
    /// Extra properties.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<Property>,
}

/// modelCard.modelParameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelParameters {
    /// Learning approach.
    pub approach: Approach,
    /// The task (classification, regression).
    pub task: String,
    /// Architecture family (MLP, CNN).
    pub architecture_family: String,
    /// Concrete architecture.
    pub model_architecture: String,
    /// Datasets, by reference to data components.
    pub datasets: Vec<ResourceRef>,
    /// Input formats.
    pub inputs: Vec<Format>,
    /// Output formats.
    pub outputs: Vec<Format>,
}

/// Learning approach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approach {
    /// `supervised`, ...
    #[serde(rename = "type")]
    pub kind: String,
}

/// An input or output format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Format {
    /// Free text, e.g. `float32 tensor [13]`.
    pub format: String,
}

/// modelCard.quantitativeAnalysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuantitativeAnalysis {
    /// Metrics.
    pub performance_metrics: Vec<PerformanceMetric>,
}

/// One metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceMetric {
    /// e.g. `accuracy`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Value as text.
    pub value: String,
    /// The split it was measured on.
    pub slice: String,
}

/// modelCard.considerations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Considerations {
    /// Intended users.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub users: Vec<String>,
    /// Intended uses.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub use_cases: Vec<String>,
    /// Limitations, including out-of-scope uses.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub technical_limitations: Vec<String>,
    /// Ethical risks and mitigations (misuse).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ethical_considerations: Vec<Risk>,
    /// Energy the model's activities used (training, where measured).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub environmental_considerations: Option<EnvironmentalConsiderations>,
}

/// modelCard.considerations.environmentalConsiderations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentalConsiderations {
    /// One entry per activity.
    pub energy_consumptions: Vec<EnergyConsumption>,
}

/// The energy one activity (`training`) used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnergyConsumption {
    /// The activity: `training` here.
    pub activity: String,
    /// Who provided the energy (the schema requires at least one).
    pub energy_providers: Vec<EnergyProvider>,
    /// The energy used.
    pub activity_energy_cost: EnergyMeasure,
    /// How it was measured.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<Property>,
}

/// Who provided energy, and how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnergyProvider {
    /// What is known of the provider.
    pub description: String,
    /// The provider.
    pub organization: Organization,
    /// One of the schema's sources; `unknown` when nobody recorded it.
    pub energy_source: String,
    /// The energy provided.
    pub energy_provided: EnergyMeasure,
}

/// An organization, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Its name.
    pub name: String,
}

/// An amount of energy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnergyMeasure {
    /// The amount.
    pub value: f64,
    /// The unit: `kWh`.
    pub unit: String,
}

/// A risk and its mitigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Risk {
    /// The risk.
    pub name: String,
    /// How it is mitigated.
    pub mitigation_strategy: String,
}

/// A data component's description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentData {
    /// `dataset`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the contents are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<DataContents>,
    /// Data classification (e.g. `public`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
}

/// data.contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataContents {
    /// Where the data can be found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Properties (record counts, commitment roots).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<Property>,
}

/// A formula (how components were made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formula {
    /// Reference ID.
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    /// Workflows.
    pub workflows: Vec<Workflow>,
}

/// A workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    /// Reference ID.
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    /// Unique ID (the invocation).
    pub uid: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Task types (`build`, `test`).
    pub task_types: Vec<String>,
    /// Steps.
    pub steps: Vec<Step>,
    /// Inputs.
    pub inputs: Vec<WorkflowInput>,
    /// Outputs.
    pub outputs: Vec<WorkflowOutput>,
    /// Start time.
    pub time_start: String,
    /// End time.
    pub time_end: String,
    /// Properties.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub properties: Vec<Property>,
}

/// A workflow step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// A workflow input: a referenced resource or parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WorkflowInput {
    /// A component of this BOM.
    Resource {
        /// The reference.
        resource: ResourceRef,
    },
    /// Named parameters.
    Parameters {
        /// The parameters.
        parameters: Vec<Parameter>,
    },
}

/// A workflow output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowOutput {
    /// The produced component.
    pub resource: ResourceRef,
}

/// A reference to another component of the BOM: `{"ref": "..."}` (model
/// card datasets, workflow inputs and outputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The bom-ref.
    #[serde(rename = "ref")]
    pub reference: String,
}

/// A named parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Type (`number`, `string`).
    pub data_type: String,
}

/// A dependency edge list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The dependent.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What it depends on.
    pub depends_on: Vec<String>,
}
