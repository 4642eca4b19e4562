//! Threshold-free binary metrics from (score, is positive) pairs: ROC AUC
//! and average precision, with scikit-learn's definitions (ties in score
//! share a threshold).

/// The `(start, end)` ranges of equal scores in a sorted list.
fn ties(sorted: &[(f32, bool)]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let first = sorted.get(start)?.0;
        let end = start + sorted[start..].iter().take_while(|s| s.0 == first).count();
        let range = (start, end);
        start = end;
        Some(range)
    })
}

/// Area under the ROC curve: the probability that a random positive scores
/// above a random negative, ties counting one half (the Mann-Whitney
/// statistic with average ranks). `None` without both classes.
pub fn roc_auc(scored: &[(f32, bool)]) -> Option<f64> {
    let positives = scored.iter().filter(|(_, p)| *p).count();
    let negatives = scored.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut sorted: Vec<(f32, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0f64;
    for (i, j) in ties(&sorted) {
        // Ranks i+1 ..= j share their mean.
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * sorted[i..j].iter().filter(|s| s.1).count() as f64;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
}

/// Average precision, `Σ (Rₙ − Rₙ₋₁) · Pₙ` over the distinct score
/// thresholds from the highest down. `None` without positives.
pub fn average_precision(scored: &[(f32, bool)]) -> Option<f64> {
    let positives = scored.iter().filter(|(_, p)| *p).count();
    if positives == 0 {
        return None;
    }
    let mut sorted: Vec<(f32, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut last_recall, mut ap) = (0usize, 0f64, 0f64);
    for (i, j) in ties(&sorted) {
        tp += sorted[i..j].iter().filter(|s| s.1).count();
        let recall = tp as f64 / positives as f64;
        ap += (recall - last_recall) * (tp as f64 / j as f64);
        last_recall = recall;
    }
    Some(ap)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values scikit-learn 1.9 gives for the same inputs
    /// (`roc_auc_score`, `average_precision_score`).
    #[test]
    fn match_scikit_learn() {
        let s = [(0.1, false), (0.4, false), (0.35, true), (0.8, true)];
        assert_eq!(roc_auc(&s), Some(0.75));
        let ap = average_precision(&s).unwrap();
        assert!((ap - 0.833_333_333_333_333_4).abs() < 1e-12, "{ap}");
        // Ties: y = [0, 1, 0, 1], scores [0.5, 0.5, 0.2, 0.9] → 0.875 and 0.8333….
        let t = [(0.5, false), (0.5, true), (0.2, false), (0.9, true)];
        assert_eq!(roc_auc(&t), Some(0.875));
        let ap = average_precision(&t).unwrap();
        assert!((ap - 0.833_333_333_333_333_4).abs() < 1e-12, "{ap}");
    }

    #[test]
    fn undefined_without_both_classes() {
        assert_eq!(roc_auc(&[(0.3, true), (0.9, true)]), None);
        assert_eq!(average_precision(&[(0.3, false)]), None);
        assert_eq!(roc_auc(&[]), None);
    }
}
