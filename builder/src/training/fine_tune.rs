//! Fine-tuning a pretrained BERT-family encoder, verified against its
//! signature, with a classification or regression head.

use super::input_table::InputTable;
use super::{Inferred, Session, Training, TrainingOutcome, VerifiedInputs};
use crate::error::{BuildError, Result};
use crate::spec::JobSpec;
use crate::transformer::{fine_tune, inference, TextRecords};
use std::path::Path;

/// The fine-tuning trainer of the reproducible tier.
pub struct FineTune;

impl Training for FineTune {
    /// Nothing to refuse early: the encoder's size is known only once its
    /// verified configuration is read.
    fn check_resources(&self, _spec: &JobSpec) -> Result<()> {
        Ok(())
    }

    /// Tokenise the texts with the base model's tokenizer, train, and write
    /// a Hugging Face model directory.
    fn run(&self, inputs: VerifiedInputs<'_>, session: Session<'_>) -> Result<TrainingOutcome> {
        let base = inputs.pretrained.ok_or_else(|| {
            BuildError::Spec(
                "a BERT job needs model.pretrained, the base model to fine-tune".into(),
            )
        })?;
        let data = &*inputs.data;
        let records = TextRecords {
            texts: &data.texts,
            keys: inputs.keys,
            targets: &data.targets,
            classes: data.classes.as_deref(),
        };
        let model_dir = session.out.model_dir();
        fine_tune(
            &inputs.job.spec,
            base,
            &records,
            inputs.split,
            session.device,
            session.progress,
            session.log,
            &model_dir,
        )
    }

    fn infer(&self, model_dir: &Path, input: &Path, spec: &JobSpec) -> Result<Inferred> {
        let (keys, texts) = read_texts(input, spec)?;
        let outputs = inference::logits(model_dir, spec, &texts, &keys)?;
        Ok(Inferred {
            keys,
            outputs,
            task: spec.model.task,
            classes: spec.dataset.definition.classes.clone(),
        })
    }
}

/// A text model's input rows: their keys and texts. The header must name
/// the recorded job's text column; the key column is used when present.
fn read_texts(input: &Path, spec: &JobSpec) -> Result<(Vec<String>, Vec<String>)> {
    let column = spec
        .dataset
        .definition
        .text
        .as_ref()
        .map(|t| t.column.as_str())
        .unwrap_or("text");
    let table = InputTable::read(input)?;
    let text = table.column(column, "the recorded job's text")?;
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    for (row, key, record) in table.rows(spec) {
        let value = record.get(text).unwrap_or_default();
        if value.trim().is_empty() {
            return Err(BuildError::Data(format!(
                "{} row {row} column {column:?}: the text is empty",
                table.name
            )));
        }
        texts.push(value.to_string());
        keys.push(key);
    }
    Ok((keys, texts))
}
