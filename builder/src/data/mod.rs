//! Datasets: loading (CSV, IDX, image folders), validation with row and
//! column in every error, Croissant checks, preprocessing and splitting.

mod croissant;
mod csv_table;
mod files;
mod idx;
mod image_folder;
mod lines;
mod text_table;

pub(crate) use csv_table::header as csv_header;
pub use files::{read_regular, DataFile};

use crate::error::{BuildError, Result};
use crate::spec::{DataFormat, Job, Task};
use slsa_aibom_trainer::split::SplitName;
use slsa_aibom_verify::commitment::Record;

/// A loaded, validated dataset before preprocessing.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Row-major features, `len() == rows * features_per_row`.
    pub features: Vec<f32>,
    /// One target per row: the class index, or the regression value.
    pub targets: Vec<f32>,
    /// One record per row, for the dataset commitment.
    pub records: Vec<Record>,
    /// Values per row (product of the input shape).
    pub width: usize,
    /// Class names in output order (classification only).
    pub classes: Option<Vec<String>>,
    /// The files the data came from, with their digests.
    pub files: Vec<DataFile>,
    /// The Croissant metadata file, when the job names one (checked).
    pub croissant: Option<DataFile>,
    /// Each row's split, from `dataset.definition.split_column`.
    pub assigned: Option<Vec<SplitName>>,
    /// Text datasets: each record's text (empty for other formats).
    pub texts: Vec<String>,
}

impl Dataset {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.targets.len()
    }

    /// Load and validate the job's dataset, checking Croissant metadata when given.
    pub fn load(job: &Job) -> Result<Self> {
        let spec = &job.spec.dataset;
        let task = job.spec.model.task;
        let mut data = match spec.format {
            _ if spec.definition.text.is_some() => text_table::load(job)?,
            DataFormat::Csv => csv_table::load(job)?,
            DataFormat::Idx => idx::load(job)?,
            DataFormat::ImageFolder => image_folder::load(job)?,
            DataFormat::Jsonl => {
                return Err(BuildError::Spec(
                    "dataset.format = \"jsonl\" is for text datasets".into(),
                ))
            }
        };
        if data.rows() == 0 {
            return Err(BuildError::Data(format!(
                "{} has no records",
                spec.path.display()
            )));
        }
        let classes = job.spec.dataset.definition.output_shape[0];
        if task != Task::Regression {
            let n = if task == Task::Binary { 2 } else { classes };
            if let Some(row) = data.targets.iter().position(|&t| t as usize >= n) {
                return Err(BuildError::Data(format!(
                    "record {} ({}) has class index {} but the model has {n} classes",
                    row + 1,
                    data.records[row].key,
                    data.targets[row]
                )));
            }
        }
        if let Some(c) = &spec.croissant {
            let name = c.display().to_string();
            data.croissant = Some(croissant::check(&job.resolve(c), &name, &data.files)?);
        }
        Ok(data)
    }
}

/// Map a label string to a class index: by position in `classes`, else as an
/// integer below `n`. `where_` names the record for errors.
pub(crate) fn class_index(
    label: &str,
    classes: Option<&[String]>,
    n: usize,
    where_: &dyn Fn() -> String,
) -> Result<f32> {
    if let Some(names) = classes {
        return names
            .iter()
            .position(|c| c == label)
            .map(|i| i as f32)
            .ok_or_else(|| {
                BuildError::Data(format!(
                    "{}: unknown label {label:?} (classes: {})",
                    where_(),
                    names.join(", ")
                ))
            });
    }
    match label.trim().parse::<usize>() {
        Ok(i) if i < n => Ok(i as f32),
        _ => Err(BuildError::Data(format!(
            "{}: unknown label {label:?} (expected an integer class 0..{} or dataset.definition.classes)",
            where_(),
            n - 1
        ))),
    }
}
