//! The CSV a trained model is run on (`predict`): its header and rows, each
//! named by the recorded job's key column or its 1-based row number.

use crate::error::{BuildError, Result};
use crate::spec::JobSpec;
use std::path::Path;

/// A whole input CSV, read from a regular file.
pub struct InputTable {
    /// The file's name, for messages.
    pub name: String,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl InputTable {
    /// Read `input` whole; refuse a malformed row (by number) or a file
    /// without rows.
    pub fn read(input: &Path) -> Result<Self> {
        let name = input.display().to_string();
        let bytes = crate::data::read_regular(input)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes.as_slice());
        let header = crate::data::csv_header(&mut reader, &name)?;
        let rows = reader
            .records()
            .enumerate()
            .map(|(n, r)| r.map_err(|e| BuildError::Data(format!("{name} row {}: {e}", n + 1))))
            .collect::<Result<Vec<_>>>()?;
        if rows.is_empty() {
            return Err(BuildError::Data(format!("{name}: no rows to predict")));
        }
        Ok(Self { name, header, rows })
    }

    /// The index of `column`, which the model needs as `role` (named in
    /// the error when the header lacks it).
    pub fn column(&self, column: &str, role: &str) -> Result<usize> {
        self.header.iter().position(|h| h == column).ok_or_else(|| {
            BuildError::Data(format!(
                "{}: the header has no column {column:?}, {role}",
                self.name
            ))
        })
    }

    /// Each row's 1-based number, its key (the job's key column when the
    /// header has it, else the number) and its cells.
    pub fn rows<'a>(
        &'a self,
        spec: &JobSpec,
    ) -> impl Iterator<Item = (usize, String, &'a csv::StringRecord)> + 'a {
        let key = spec
            .dataset
            .definition
            .key
            .as_deref()
            .and_then(|k| self.header.iter().position(|h| h == k));
        self.rows.iter().enumerate().map(move |(n, record)| {
            let key = match key {
                Some(k) => record.get(k).unwrap_or_default().to_string(),
                None => (n + 1).to_string(),
            };
            (n + 1, key, record)
        })
    }
}
