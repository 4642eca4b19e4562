//! A read-only view of a CycloneDX 1.6 ML-BOM: the fields a release check,
//! a policy or a passport needs, with nothing interpreted beyond them.
//!
//! A release's ML-BOM is ours, so it is read through the typed model of the
//! formats crate ([`MlBom::from_release`]): one that does not fit that model
//! is refused. ML-BOMs that other tools wrote (in-toto, inventory) are read
//! leniently ([`MlBom::from_json`]); a test holds the two readings equal on
//! what the builder writes.

use crate::error::{Error, Result};
use serde_json::Value;
use slsa_aibom_types::cyclonedx::{Bom, Component, LicenseChoice};

/// The predicate type of a CycloneDX BOM statement.
pub use slsa_aibom_types::intoto::CYCLONEDX_PREDICATE;

/// One performance metric of the model card.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The metric (`accuracy`, `loss`, ...).
    pub kind: String,
    /// The data slice it was measured on (`test`, `validation`).
    pub slice: String,
    /// Its value as written.
    pub value: String,
}

/// A component: its name, version, sha256 hashes and licence expressions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    /// `bom-ref`, if any.
    pub bom_ref: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Lower-case hex sha256 values of its `SHA-256` hashes.
    pub sha256: Vec<String>,
    /// SPDX expressions (or ids) of its licences.
    pub licenses: Vec<String>,
    /// `purl`, if any.
    pub purl: Option<String>,
}

/// What the ML-BOM states.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MlBom {
    /// `serialNumber`.
    pub serial_number: Option<String>,
    /// The machine-learning-model component (`metadata.component`, else the
    /// first component of that type).
    pub model: Part,
    /// The model's authors.
    pub authors: Vec<String>,
    /// Model-card metrics.
    pub metrics: Vec<Metric>,
    /// `data` components.
    pub datasets: Vec<Part>,
    /// `framework` components.
    pub frameworks: Vec<Part>,
    /// `application` components (the trainer).
    pub applications: Vec<Part>,
    /// `formulation[].workflows[].uid`: the invocations that produced it.
    pub workflow_uids: Vec<String>,
    /// The model's `slsa-aibom:base-model` property, if any.
    pub base_model: Option<String>,
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// `v` as a slice; empty when it is not an array.
pub fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn part(c: &Value) -> Part {
    Part {
        bom_ref: s(&c["bom-ref"]),
        name: s(&c["name"]).unwrap_or_default(),
        version: s(&c["version"]),
        sha256: array(&c["hashes"])
            .iter()
            .filter(|h| h["alg"] == "SHA-256")
            .filter_map(|h| s(&h["content"]).map(|c| c.to_ascii_lowercase()))
            .collect(),
        licenses: array(&c["licenses"])
            .iter()
            .filter_map(|l| s(&l["expression"]).or_else(|| s(&l["license"]["id"])))
            .collect(),
        purl: s(&c["purl"]),
    }
}

/// The machine-learning-model component: `metadata.component`, else the
/// first component of that type (`null` when there is none).
pub fn model_component(bom: &Value) -> &Value {
    match &bom["metadata"]["component"] {
        c if c["type"] == "machine-learning-model" => c,
        _ => array(&bom["components"])
            .iter()
            .find(|c| c["type"] == "machine-learning-model")
            .unwrap_or(&Value::Null),
    }
}

/// The typed component's view.
fn typed_part(c: &Component) -> Part {
    Part {
        bom_ref: c.bom_ref.clone(),
        name: c.name.clone(),
        version: c.version.clone(),
        sha256: c
            .hashes
            .iter()
            .filter(|h| h.alg == "SHA-256")
            .map(|h| h.content.to_ascii_lowercase())
            .collect(),
        licenses: c
            .licenses
            .iter()
            .map(|LicenseChoice::Expression { expression }| expression.clone())
            .collect(),
        purl: c.purl.clone(),
    }
}

impl MlBom {
    /// Read a release's ML-BOM through the formats crate's typed CycloneDX
    /// 1.6 model; one that does not fit it is an input error.
    pub fn from_release(bom: &Value) -> Result<Self> {
        let typed: Bom = serde_json::from_value(bom.clone()).map_err(|e| {
            Error::Input(format!(
                "the ML-BOM does not fit the CycloneDX 1.6 ML-BOM this builder writes: {e}"
            ))
        })?;
        Ok(Self::from_bom(&typed))
    }

    /// The view of a typed BOM.
    pub fn from_bom(bom: &Bom) -> Self {
        let ml = "machine-learning-model";
        let model = Some(&bom.metadata.component)
            .filter(|c| c.kind == ml)
            .or_else(|| bom.components.iter().find(|c| c.kind == ml));
        let of_type = |t: &str| -> Vec<Part> {
            bom.components
                .iter()
                .filter(|c| c.kind == t)
                .map(typed_part)
                .collect()
        };
        let card = model.and_then(|m| m.model_card.as_ref());
        let metrics = card
            .map(|c| &c.quantitative_analysis.performance_metrics[..])
            .unwrap_or_default()
            .iter()
            .map(|m| Metric {
                kind: m.kind.clone(),
                slice: m.slice.clone(),
                value: m.value.clone(),
            })
            .collect();
        MlBom {
            serial_number: Some(bom.serial_number.clone()),
            model: model.map(typed_part).unwrap_or_default(),
            authors: model
                .map(|m| m.authors.iter().map(|a| a.name.clone()).collect())
                .unwrap_or_default(),
            metrics,
            datasets: of_type("data"),
            frameworks: of_type("framework"),
            applications: of_type("application"),
            workflow_uids: bom
                .formulation
                .iter()
                .flat_map(|f| f.workflows.iter().map(|w| w.uid.clone()))
                .collect(),
            base_model: model
                .and_then(|m| {
                    m.properties
                        .iter()
                        .find(|p| p.name == slsa_aibom_types::property::BASE_MODEL)
                })
                .map(|p| p.value.clone()),
        }
    }

    /// Read a CycloneDX JSON document. Unknown or missing fields are left
    /// empty; the checks that need them say so.
    pub fn from_json(bom: &Value) -> Self {
        let components = array(&bom["components"]);
        let of_type = |t: &str| -> Vec<Part> {
            components
                .iter()
                .filter(|c| c["type"] == t)
                .map(part)
                .collect()
        };
        let model_json = model_component(bom);
        let metrics = array(&model_json["modelCard"]["quantitativeAnalysis"]["performanceMetrics"])
            .iter()
            .map(|m| Metric {
                kind: s(&m["type"]).unwrap_or_default(),
                slice: s(&m["slice"]).unwrap_or_default(),
                value: s(&m["value"]).unwrap_or_default(),
            })
            .collect();
        MlBom {
            serial_number: s(&bom["serialNumber"]),
            model: part(model_json),
            authors: array(&model_json["authors"])
                .iter()
                .filter_map(|a| s(&a["name"]))
                .collect(),
            metrics,
            datasets: of_type("data"),
            frameworks: of_type("framework"),
            applications: of_type("application"),
            workflow_uids: array(&bom["formulation"])
                .iter()
                .flat_map(|f| array(&f["workflows"]))
                .filter_map(|w| s(&w["uid"]))
                .collect(),
            base_model: array(&model_json["properties"])
                .iter()
                .find(|p| p["name"] == slsa_aibom_types::property::BASE_MODEL)
                .and_then(|p| s(&p["value"])),
        }
    }

    /// The value of `kind` on `slice`, as a number.
    pub fn metric(&self, kind: &str, slice: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.kind == kind && m.slice == slice)
            .and_then(|m| m.value.parse().ok())
    }
}
