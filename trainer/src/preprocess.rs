//! Feature preprocessing in the documented order: `scale`, then `clip`, then
//! `normalize` (standardisation with the training split's statistics). The
//! fitted parameters are saved in the model's config so inference can repeat
//! them exactly.

use serde::{Deserialize, Serialize};

/// Preprocessing, applied per feature in this order: `scale`, `clip`, `normalize`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preprocessing {
    /// Standardise each feature to zero mean and unit variance, with the
    /// mean and deviation of the training split.
    #[serde(default)]
    pub normalize: bool,
    /// Multiply every feature by this factor (for example 1/255 for pixels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Clamp every feature to `[min, max]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<[f64; 2]>,
    /// Regression: train on targets standardised with the training split's
    /// mean and deviation; predictions and metrics are put back on the
    /// original scale.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standardize_target: bool,
}

/// Fitted preprocessing: everything needed to transform new inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Factor applied first, if any.
    pub scale: Option<f64>,
    /// Clamp applied second, if any.
    pub clip: Option<[f64; 2]>,
    /// Per-feature mean (normalize only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub mean: Vec<f32>,
    /// Per-feature standard deviation, 1 where the feature is constant.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub std: Vec<f32>,
    /// Regression targets' `[mean, deviation]` (`standardize_target`):
    /// the model predicts `(y - mean) / deviation`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target: Option<[f32; 2]>,
}

/// Mean and deviation from a sum, a sum of squares and a count; a
/// deviation of 1 where the values are constant.
fn mean_std(sum: f64, sq: f64, n: f64) -> [f32; 2] {
    let mean = sum / n;
    let std = (sq / n - mean * mean).max(0.0).sqrt();
    [mean as f32, if std > 1e-12 { std as f32 } else { 1.0 }]
}

impl Standardizer {
    /// Fit on the rows `fit_rows` of `features` (row-major, `width` per row).
    /// With `standardize_target`, also fit the targets of those rows.
    pub fn fit(
        p: &Preprocessing,
        features: &[f32],
        targets: &[f32],
        width: usize,
        fit_rows: &[usize],
    ) -> Self {
        let mut s = Standardizer {
            scale: p.scale,
            clip: p.clip,
            mean: Vec::new(),
            std: Vec::new(),
            target: None,
        };
        if p.normalize {
            // f64 sums in row order: deterministic, whatever the thread count.
            let mut sum = vec![0f64; width];
            let mut sq = vec![0f64; width];
            for &r in fit_rows {
                for (j, &v) in features[r * width..(r + 1) * width].iter().enumerate() {
                    let v = f64::from(s.scale_clip(v));
                    sum[j] += v;
                    sq[j] += v * v;
                }
            }
            let n = fit_rows.len().max(1) as f64;
            for j in 0..width {
                let [mean, std] = mean_std(sum[j], sq[j], n);
                s.mean.push(mean);
                s.std.push(std);
            }
        }
        if p.standardize_target {
            let (sum, sq) = fit_rows.iter().fold((0f64, 0f64), |(sum, sq), &r| {
                let t = f64::from(targets[r]);
                (sum + t, sq + t * t)
            });
            s.target = Some(mean_std(sum, sq, fit_rows.len().max(1) as f64));
        }
        s
    }

    /// Targets as the model is trained on them.
    pub fn scale_targets(&self, targets: &[f32]) -> Vec<f32> {
        match self.target {
            Some([mean, std]) => targets.iter().map(|&t| (t - mean) / std).collect(),
            None => targets.to_vec(),
        }
    }

    /// Model outputs (or scaled targets) back on the targets' own scale.
    pub fn unscale_targets(&self, values: &mut [f32]) {
        if let Some([mean, std]) = self.target {
            for v in values {
                *v = *v * std + mean;
            }
        }
    }

    fn scale_clip(&self, mut v: f32) -> f32 {
        if let Some(f) = self.scale {
            v = (f64::from(v) * f) as f32;
        }
        if let Some([lo, hi]) = self.clip {
            v = v.clamp(lo as f32, hi as f32);
        }
        v
    }

    /// Transform `features` in place.
    pub fn apply(&self, features: &mut [f32], width: usize) {
        for row in features.chunks_exact_mut(width) {
            for (j, v) in row.iter_mut().enumerate() {
                let mut x = self.scale_clip(*v);
                if !self.mean.is_empty() {
                    x = (x - self.mean[j]) / self.std[j];
                }
                *v = x;
            }
        }
    }
}
