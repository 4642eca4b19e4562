//! `[[metrics]]`: bounds on the model card's metrics, each on a slice that
//! must hold enough rows (per the provenance's split record counts).

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::documents::mlbom::MlBom;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use serde::{Deserialize, Serialize};

/// A bound on one model-card metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRule {
    /// Metric type in the ML-BOM (`accuracy`, `f1`, `loss`, ...).
    pub name: String,
    /// Data slice (`test`, `validation`).
    #[serde(default = "test_slice")]
    pub slice: String,
    /// The value must be at least this.
    pub min: Option<f64>,
    /// The value must be at most this.
    pub max: Option<f64>,
    /// The slice must hold at least this many rows, per the provenance's
    /// split record counts [default: 1]: a metric on a handful of rows
    /// proves nothing.
    #[serde(default = "one_row")]
    pub min_rows: u64,
}

fn test_slice() -> String {
    "test".into()
}

fn one_row() -> u64 {
    1
}

impl MetricRule {
    /// A rule without a bound, or with a bound that is not a finite number.
    pub(super) fn problems(&self, problems: &mut Vec<String>) {
        if self.min.is_none() && self.max.is_none() {
            problems.push(format!(
                "metrics: {} on {} has neither min nor max",
                self.name, self.slice
            ));
        }
        if let Some(v) = self
            .min
            .into_iter()
            .chain(self.max)
            .find(|v| !v.is_finite())
        {
            problems.push(format!(
                "metrics: {} on {} has the bound {v}; bounds must be finite numbers",
                self.name, self.slice
            ));
        }
    }

    /// The bound as the report states it (`0.9 <= accuracy`).
    fn bound(&self) -> String {
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => format!("{lo} <= {} <= {hi}", self.name),
            (Some(lo), None) => format!("{} >= {lo}", self.name),
            (None, Some(hi)) => format!("{} <= {hi}", self.name),
            (None, None) => String::new(),
        }
    }

    /// Why a metric of `actual` on a slice of `rows` fails the rule.
    fn refusal(&self, actual: Option<f64>, rows: Option<u64>) -> Option<String> {
        let within = |v: f64| {
            v.is_finite() && self.min.is_none_or(|lo| v >= lo) && self.max.is_none_or(|hi| v <= hi)
        };
        match (actual, rows) {
            (None, _) => Some(format!(
                "the ML-BOM reports no {} on the {} slice",
                self.name, self.slice
            )),
            (Some(v), _) if !within(v) => Some(format!(
                "{} on {} is {v}, the policy requires {}",
                self.name,
                self.slice,
                self.bound()
            )),
            (Some(_), None) => Some(format!(
                "the provenance records no row count for the {} slice",
                self.slice
            )),
            (Some(_), Some(n)) if n < self.min_rows => Some(format!(
                "{} on {} was measured on {n} row(s), the policy requires at least {}",
                self.name, self.slice, self.min_rows
            )),
            (Some(_), Some(_)) => None,
        }
    }
}

/// Each rule against the ML-BOM's metric and the provenance's row count.
pub(super) fn check(
    rules: &[MetricRule],
    provenance: &Statement,
    bom: &MlBom,
    checks: &mut Checks,
) -> Result<()> {
    let rows = crate::release::consistency::split_rows(provenance);
    for m in rules {
        let actual = bom.metric(&m.name, &m.slice);
        let bound = m.bound();
        let slice_rows = rows.get(&m.slice).copied();
        let result = m.refusal(actual, slice_rows).map_or(Ok(()), Err);
        checks.record(
            CheckId::PolicyMetric,
            Some(format!("{bound} on >= {} rows ({})", m.min_rows, m.slice)),
            actual.map(|v| match slice_rows {
                Some(n) => format!("{v} on {n} rows"),
                None => v.to_string(),
            }),
            format!("{bound} on {} ({} rows)", m.slice, slice_rows.unwrap_or(0)),
            result.map_err(Error::Policy),
        )?;
    }
    Ok(())
}
