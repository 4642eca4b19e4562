//! CSV tables described by `dataset.definition.columns`.

use super::{class_index, files, Dataset};
use crate::error::{BuildError, Result};
use crate::spec::{ColumnType, DatasetDefinition, Job, Task};
use slsa_aibom_trainer::split::SplitName;
use slsa_aibom_verify::commitment::Record;
use std::collections::BTreeSet;

/// A CSV file's header, each name trimmed (`name` for messages).
pub(crate) fn header(reader: &mut csv::Reader<&[u8]>, name: &str) -> Result<Vec<String>> {
    Ok(reader
        .headers()
        .map_err(|e| BuildError::Data(format!("{name}: cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect())
}

/// Where each role sits among the declared columns (which the header
/// equals, so these are the header's indexes too).
struct Roles<'a> {
    def: &'a DatasetDefinition,
    task: Task,
    features: Vec<usize>,
    label: usize,
    key: Option<usize>,
    split: Option<usize>,
}

impl<'a> Roles<'a> {
    fn of(def: &'a DatasetDefinition, task: Task) -> Self {
        let position = |name: &str| def.columns.iter().position(|c| c.name == name);
        Roles {
            def,
            task,
            features: def.feature_columns(),
            label: position(def.label.as_deref().unwrap_or_default()).unwrap_or(0),
            key: def.key.as_deref().and_then(position),
            split: def.split_column.as_deref().and_then(position),
        }
    }

    /// Validate one row and add it to `out`; `at(col)` names a cell.
    fn add(
        &self,
        out: &mut Dataset,
        keys: &mut BTreeSet<String>,
        row: &csv::StringRecord,
        row_no: usize,
        at: &dyn Fn(usize) -> String,
    ) -> Result<()> {
        let def = self.def;
        for &c in &self.features {
            out.features
                .push(number(&row[c], def.columns[c].kind, &|| at(c))?);
        }
        let label = row[self.label].trim();
        let n_classes = def.output_shape[0].max(2);
        out.targets.push(match self.task {
            Task::Regression => number(label, ColumnType::Float, &|| at(self.label))?,
            _ => class_index(label, def.classes.as_deref(), n_classes, &|| at(self.label))?,
        });
        if let (Some(c), Some(assigned)) = (self.split, out.assigned.as_mut()) {
            assigned.push(
                SplitName::parse(&row[c])
                    .map_err(|e| BuildError::Data(format!("{}: {e}", at(c))))?,
            );
        }
        let key = match self.key {
            Some(k) => row[k].trim().to_string(),
            None => format!("{row_no:010}"),
        };
        if !keys.insert(key.clone()) {
            return Err(BuildError::Data(format!(
                "{}: duplicate record key {key:?}",
                at(self.key.unwrap_or(0))
            )));
        }
        let fields: Vec<&str> = row.iter().collect();
        let data = serde_json::to_vec(&fields).map_err(|e| BuildError::Data(e.to_string()))?;
        out.records.push(Record { key, data });
        Ok(())
    }
}

/// Load a CSV dataset: the header must equal the declared columns, every
/// feature must be a finite number, every label known, every key unique.
pub fn load(job: &Job) -> Result<Dataset> {
    let spec = &job.spec.dataset;
    let def = &spec.definition;
    let name = spec.path.display().to_string();
    let (bytes, file) = files::read(&job.resolve(&spec.path), &name)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header = header(&mut reader, &name)?;
    let declared: Vec<&str> = def.columns.iter().map(|c| c.name.as_str()).collect();
    if header != declared {
        return Err(BuildError::Data(format!(
            "{name}: header has {} columns [{}], the definition declares {} [{}]",
            header.len(),
            header.join(", "),
            declared.len(),
            declared.join(", ")
        )));
    }
    let roles = Roles::of(def, job.spec.model.task);
    let width: usize = def.input_shape.iter().product();
    if width != roles.features.len() {
        return Err(BuildError::Data(format!(
            "{name}: input_shape {:?} holds {width} values but the definition has {} feature columns",
            def.input_shape,
            roles.features.len()
        )));
    }
    let mut out = Dataset {
        features: Vec::new(),
        targets: Vec::new(),
        records: Vec::new(),
        width,
        classes: def.classes.clone(),
        files: vec![file],
        croissant: None,
        assigned: roles.split.map(|_| Vec::new()),
        texts: Vec::new(),
    };
    let mut keys = BTreeSet::new();
    let mut lines = super::lines::LineCounter::new(bytes.as_slice());
    for (i, row) in reader.records().enumerate() {
        let row_no = i + 1;
        let row = row.map_err(|e| BuildError::Data(format!("{name}: row {row_no}: {e}")))?;
        let line = lines.line_of(row.position(), row_no as u64 + 1);
        if row.len() != def.columns.len() {
            return Err(BuildError::Data(format!(
                "{name}: row {row_no} (line {line}) has {} fields, expected {}",
                row.len(),
                def.columns.len()
            )));
        }
        let at = |col: usize| {
            format!(
                "{name}: row {row_no} (line {line}), column {:?}",
                def.columns[col].name
            )
        };
        roles.add(&mut out, &mut keys, &row, row_no, &at)?;
    }
    Ok(out)
}

/// Parse a feature value: finite, and whole for `int` columns.
pub(super) fn number(raw: &str, kind: ColumnType, at: &dyn Fn() -> String) -> Result<f32> {
    let v: f64 = raw
        .trim()
        .parse()
        .map_err(|_| BuildError::Data(format!("{}: {raw:?} is not a number", at())))?;
    if !v.is_finite() {
        return Err(BuildError::Data(format!(
            "{}: {raw:?} is not finite (NaN and infinity are rejected)",
            at()
        )));
    }
    if kind == ColumnType::Int && v.fract() != 0.0 {
        return Err(BuildError::Data(format!(
            "{}: {raw:?} is not a whole number",
            at()
        )));
    }
    Ok(v as f32)
}
