//! Where the train job was asked to run: the workflow's `train-runs-on`
//! input, which `detect` checks against the job's device and `attest`
//! against the runner the GitHub Jobs API reports.

use crate::error::{BuildError, Result};
use serde_json::Value;

/// Where the train job was asked to run: the workflow's `train-runs-on`
/// input (a label, an array of labels, or `{group, labels}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunsOn {
    /// The runner group, if one was asked for.
    pub group: Option<String>,
    /// The labels asked for.
    pub labels: Vec<String>,
}

impl RunsOn {
    /// Parse the input's JSON.
    pub fn parse(json: &str) -> Result<Self> {
        let bad = || {
            BuildError::Spec(format!(
                "train-runs-on {json:?} is not a label, an array of labels, or an object with group and/or labels"
            ))
        };
        let labels = |v: &Value| -> Option<Vec<String>> {
            match v {
                Value::String(s) => Some(vec![s.clone()]),
                Value::Array(a) if !a.is_empty() => {
                    a.iter().map(|l| l.as_str().map(str::to_string)).collect()
                }
                _ => None,
            }
        };
        let v: Value = slsa_aibom_verify::json::from_str(json).map_err(|_| bad())?;
        match &v {
            Value::Object(o) => {
                if o.keys().any(|k| k != "group" && k != "labels") || o.is_empty() {
                    return Err(bad());
                }
                let group = match o.get("group") {
                    None => None,
                    Some(g) => Some(g.as_str().ok_or_else(bad)?.to_string()),
                };
                let labels = match o.get("labels") {
                    None => Vec::new(),
                    Some(l) => labels(l).ok_or_else(bad)?,
                };
                Ok(RunsOn { group, labels })
            }
            other => Ok(RunsOn {
                group: None,
                labels: labels(other).ok_or_else(bad)?,
            }),
        }
    }

    /// Whether a job with `labels` in `group` is what was asked for: the
    /// group, when one was asked for, and every label asked for (GitHub
    /// reports exactly the labels of `runs-on`).
    pub(crate) fn admits(&self, group: &str, labels: &[String]) -> std::result::Result<(), String> {
        if let Some(want) = &self.group {
            if want != group {
                return Err(format!(
                    "it ran in runner group {group:?}, train-runs-on asks for {want:?}"
                ));
            }
        }
        let mut have: Vec<String> = labels.iter().map(|l| l.to_ascii_lowercase()).collect();
        let mut want: Vec<String> = self.labels.iter().map(|l| l.to_ascii_lowercase()).collect();
        have.sort();
        want.sort();
        if have != want {
            return Err(format!(
                "the Jobs API reports the labels {labels:?}, train-runs-on asks for {:?}",
                self.labels
            ));
        }
        Ok(())
    }
}
