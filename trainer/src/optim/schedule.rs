//! Learning rate at each step, from `[training.schedule]`.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Learning-rate schedules, evaluated at every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScheduleKind {
    /// The base rate throughout (after any warm-up).
    Constant,
    /// Multiply by `gamma` every `step_epochs` epochs.
    Step,
    /// Cosine decay from the base rate to `min_learning_rate` over the
    /// epochs after the warm-up.
    Cosine,
}

/// `[training.schedule]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The schedule's shape.
    pub kind: ScheduleKind,
    /// Epochs of linear warm-up from `learning_rate / steps` to the base rate.
    #[serde(default)]
    pub warmup_epochs: usize,
    /// `step` only: epochs between decays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_epochs: Option<usize>,
    /// `step` only: the decay factor (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
    /// `cosine` only: the final rate (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_learning_rate: Option<f64>,
}

/// A run's learning rate: its base rate, its schedule and its length.
#[derive(Debug, Clone, PartialEq)]
pub struct LearningRate {
    /// The base rate.
    pub base: f64,
    /// The schedule (constant when absent).
    pub schedule: Option<Schedule>,
    /// The run's epochs (the cosine schedule decays over them).
    pub epochs: usize,
}

/// The learning rate for step `step` (0-based) of `epoch` (absolute, so a
/// run that starts at `initial_epoch` continues the same curve), with
/// `steps` steps per epoch.
pub fn learning_rate(t: &LearningRate, epoch: usize, step: usize, steps: usize) -> f64 {
    let base = t.base;
    let Some(s) = &t.schedule else {
        return base;
    };
    let steps = steps.max(1) as f64;
    let now = epoch as f64 * steps + step as f64;
    let warmup = s.warmup_epochs as f64 * steps;
    if now < warmup {
        return base * (now + 1.0) / warmup;
    }
    match s.kind {
        ScheduleKind::Constant => base,
        ScheduleKind::Step => {
            let every = s.step_epochs.unwrap_or(1).max(1);
            let decays = i32::try_from(epoch / every).unwrap_or(i32::MAX);
            base * s.gamma.unwrap_or(0.1).powi(decays)
        }
        ScheduleKind::Cosine => {
            let floor = s.min_learning_rate.unwrap_or(0.0);
            let span = (t.epochs as f64 * steps - warmup).max(1.0);
            let progress = ((now - warmup) / span).clamp(0.0, 1.0);
            floor + (base - floor) * 0.5 * (1.0 + (PI * progress).cos())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten epochs at a base rate of 0.1 under `schedule`.
    fn spec(schedule: Schedule) -> LearningRate {
        LearningRate {
            base: 0.1,
            schedule: Some(schedule),
            epochs: 10,
        }
    }

    fn schedule(kind: ScheduleKind) -> Schedule {
        Schedule {
            kind,
            warmup_epochs: 0,
            step_epochs: None,
            gamma: None,
            min_learning_rate: None,
        }
    }

    #[test]
    fn warm_up_rises_linearly_to_the_base_rate() {
        let t = spec(Schedule {
            warmup_epochs: 2,
            ..schedule(ScheduleKind::Constant)
        });
        let lr: Vec<f64> = (0..4).map(|s| learning_rate(&t, s / 2, s % 2, 2)).collect();
        for (got, want) in lr.iter().zip([0.025, 0.05, 0.075, 0.1]) {
            assert!((got - want).abs() < 1e-12, "{lr:?}");
        }
        assert_eq!(learning_rate(&t, 9, 1, 2), 0.1);
    }

    #[test]
    fn step_decays_every_step_epochs() {
        let t = spec(Schedule {
            step_epochs: Some(3),
            gamma: Some(0.5),
            ..schedule(ScheduleKind::Step)
        });
        let lr: Vec<f64> = [0, 2, 3, 6, 9]
            .iter()
            .map(|&e| learning_rate(&t, e, 0, 5))
            .collect();
        assert_eq!(lr, vec![0.1, 0.1, 0.05, 0.025, 0.0125]);
    }

    #[test]
    fn cosine_goes_from_the_base_to_the_floor() {
        let t = spec(Schedule {
            min_learning_rate: Some(0.01),
            ..schedule(ScheduleKind::Cosine)
        });
        assert_eq!(learning_rate(&t, 0, 0, 4), 0.1);
        let mid = learning_rate(&t, 5, 0, 4);
        assert!((mid - 0.055).abs() < 1e-12, "{mid}");
        let last = learning_rate(&t, 9, 3, 4);
        assert!(last > 0.01 && last < 0.0102, "{last}");
    }
}
