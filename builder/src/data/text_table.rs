//! Text datasets (CSV or JSON Lines) for BERT jobs: one text and one label
//! per record, with the record's raw fields in the dataset commitment.

use super::{class_index, files, Dataset};
use crate::error::{BuildError, Result};
use crate::spec::{ColumnType, DataFormat, DatasetDefinition, Job, Task, TextSpec};
use slsa_aibom_trainer::split::SplitName;
use slsa_aibom_verify::commitment::Record;
use std::collections::BTreeSet;

/// One record's fields, as read: the commitment covers exactly these.
struct Fields {
    text: String,
    label: String,
    key: Option<String>,
    split: Option<String>,
    /// The raw record (the CSV fields, or the JSON line) for the commitment.
    raw: Vec<u8>,
}

/// Load a text dataset and check every record: UTF-8, a non-empty text no
/// longer than `max_text_bytes`, a known label, a unique key.
pub fn load(job: &Job) -> Result<Dataset> {
    let spec = &job.spec.dataset;
    let def = &spec.definition;
    let text = def
        .text
        .as_ref()
        .ok_or_else(|| BuildError::Spec("a text dataset needs dataset.definition.text".into()))?;
    let name = spec.path.display().to_string();
    let (bytes, file) = files::read(&job.resolve(&spec.path), &name)?;
    let rows = match spec.format {
        DataFormat::Jsonl => jsonl_rows(&bytes, &name, def, text)?,
        _ => csv_rows(&bytes, &name, def, text)?,
    };
    let mut out = Dataset {
        features: Vec::new(),
        targets: Vec::new(),
        records: Vec::new(),
        width: 0,
        classes: def.classes.clone(),
        files: vec![file],
        croissant: None,
        assigned: def.split_column.as_ref().map(|_| Vec::new()),
        texts: Vec::new(),
    };
    let mut keys = BTreeSet::new();
    for (i, (at, fields)) in rows.into_iter().enumerate() {
        add(
            &mut out,
            &mut keys,
            job.spec.model.task,
            def,
            text,
            i + 1,
            &at,
            fields,
        )?;
    }
    Ok(out)
}

/// Check one record and add it to `out`; `at` names it ("data.csv: row 3 (line 4)").
#[allow(clippy::too_many_arguments)]
fn add(
    out: &mut Dataset,
    keys: &mut BTreeSet<String>,
    task: Task,
    def: &DatasetDefinition,
    text: &TextSpec,
    row_no: usize,
    at: &str,
    f: Fields,
) -> Result<()> {
    let label_col = def.label.as_deref().unwrap_or_default();
    let cell = |col: &str| format!("{at}, column {col:?}");
    if f.text.trim().is_empty() {
        return Err(BuildError::Data(format!(
            "{}: the text is empty",
            cell(&text.column)
        )));
    }
    if f.text.len() > text.max_text_bytes {
        return Err(BuildError::Data(format!(
            "{}: the text is {} bytes, over dataset.definition.text.max_text_bytes = {}",
            cell(&text.column),
            f.text.len(),
            text.max_text_bytes
        )));
    }
    out.targets.push(match task {
        Task::Regression => {
            super::csv_table::number(&f.label, ColumnType::Float, &|| cell(label_col))?
        }
        _ => {
            let n = def.output_shape[0].max(2);
            class_index(f.label.trim(), def.classes.as_deref(), n, &|| {
                cell(label_col)
            })?
        }
    });
    if let (Some(split), Some(assigned)) = (&f.split, out.assigned.as_mut()) {
        let col = def.split_column.as_deref().unwrap_or_default();
        assigned.push(
            SplitName::parse(split).map_err(|e| BuildError::Data(format!("{}: {e}", cell(col))))?,
        );
    }
    let key = f.key.unwrap_or_else(|| format!("{row_no:010}"));
    if !keys.insert(key.clone()) {
        let col = def.key.as_deref().unwrap_or_default();
        return Err(BuildError::Data(format!(
            "{}: duplicate record key {key:?}",
            cell(col)
        )));
    }
    out.records.push(Record { key, data: f.raw });
    out.texts.push(f.text);
    Ok(())
}

/// The columns a text job reads, in the order [`Fields`] takes them.
fn wanted<'a>(def: &'a DatasetDefinition, text: &'a TextSpec) -> [Option<&'a str>; 4] {
    [
        Some(text.column.as_str()),
        def.label.as_deref(),
        def.key.as_deref(),
        def.split_column.as_deref(),
    ]
}

/// CSV rows: the header must name every column the job reads.
fn csv_rows(
    bytes: &[u8],
    name: &str,
    def: &DatasetDefinition,
    text: &TextSpec,
) -> Result<Vec<(String, Fields)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| BuildError::Data(format!("{name}: cannot read the header: {e}")))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let mut index = [None; 4];
    for (slot, col) in index.iter_mut().zip(wanted(def, text)) {
        let Some(col) = col else { continue };
        *slot = Some(header.iter().position(|h| h == col).ok_or_else(|| {
            BuildError::Data(format!(
                "{name}: the header has no column {col:?} (it has {})",
                header.join(", ")
            ))
        })?);
    }
    let mut rows = Vec::new();
    let mut lines = super::lines::LineCounter::new(bytes);
    for (i, row) in reader.byte_records().enumerate() {
        let row_no = i + 1;
        let row = row.map_err(|e| BuildError::Data(format!("{name}: row {row_no}: {e}")))?;
        let line = lines.line_of(row.position(), row_no as u64 + 1);
        let at = format!("{name}: row {row_no} (line {line})");
        let mut cells: Vec<String> = Vec::with_capacity(row.len());
        for (c, raw) in row.iter().enumerate() {
            cells.push(String::from_utf8(raw.to_vec()).map_err(|_| {
                BuildError::Data(format!(
                    "{at}, column {:?}: not valid UTF-8",
                    header.get(c).map(String::as_str).unwrap_or("?")
                ))
            })?);
        }
        let get = |slot: Option<usize>| slot.map(|c| cells[c].clone());
        let raw = serde_json::to_vec(&cells).map_err(|e| BuildError::Data(e.to_string()))?;
        let fields = Fields {
            text: get(index[0]).unwrap_or_default(),
            label: get(index[1]).unwrap_or_default(),
            key: get(index[2]).map(|k| k.trim().to_string()),
            split: get(index[3]),
            raw,
        };
        rows.push((at, fields));
    }
    Ok(rows)
}

/// JSON Lines: each non-blank line one object whose read fields are strings
/// (a label may also be a number).
fn jsonl_rows(
    bytes: &[u8],
    name: &str,
    def: &DatasetDefinition,
    text: &TextSpec,
) -> Result<Vec<(String, Fields)>> {
    let mut rows = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let at = format!("{name}: row {} (line {line_no})", rows.len() + 1);
        let parsed: serde_json::Value = slsa_aibom_verify::json::from_slice(line).map_err(|e| {
            let what = if std::str::from_utf8(line).is_err() {
                "not valid UTF-8".to_string()
            } else {
                format!("not a JSON object: {e}")
            };
            BuildError::Data(format!("{at}: {what}"))
        })?;
        let object = parsed
            .as_object()
            .ok_or_else(|| BuildError::Data(format!("{at}: not a JSON object")))?;
        let mut values: [Option<String>; 4] = Default::default();
        for (slot, col) in values.iter_mut().zip(wanted(def, text)) {
            let Some(col) = col else { continue };
            *slot = Some(match object.get(col) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) if col != text.column => n.to_string(),
                Some(_) => {
                    return Err(BuildError::Data(format!(
                        "{at}, column {col:?}: not a string"
                    )))
                }
                None => {
                    return Err(BuildError::Data(format!("{at}: no field {col:?}")));
                }
            });
        }
        let [text_value, label, key, split] = values;
        rows.push((
            at,
            Fields {
                text: text_value.unwrap_or_default(),
                label: label.unwrap_or_default(),
                key,
                split,
                raw: line.to_vec(),
            },
        ));
    }
    Ok(rows)
}
