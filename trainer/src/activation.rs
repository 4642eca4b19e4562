//! Hidden-layer activations (`model.activation`).

use candle_core::{Result, Tensor};
use serde::{Deserialize, Serialize};

/// Hidden-layer activations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// max(0, x).
    #[default]
    Relu,
    /// x·Φ(x), with the exact normal CDF (PyTorch's default `GELU`).
    Gelu,
    /// Hyperbolic tangent.
    Tanh,
    /// 1 / (1 + e^-x).
    Sigmoid,
}

impl Activation {
    /// ReLU, the default (kept out of serialised specs).
    pub fn is_relu(&self) -> bool {
        *self == Activation::Relu
    }
}

/// Apply `a` elementwise.
pub fn apply(a: Activation, x: &Tensor) -> Result<Tensor> {
    match a {
        Activation::Relu => x.relu(),
        Activation::Gelu => x.gelu_erf(),
        Activation::Tanh => x.tanh(),
        Activation::Sigmoid => candle_nn::ops::sigmoid(x),
    }
}

/// Whether `a` never decreases, so that max-pooling before it gives the
/// same values as after it (pooling first does a quarter of the work).
pub fn is_monotone(a: Activation) -> bool {
    a != Activation::Gelu
}
