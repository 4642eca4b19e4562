//! Seeded dropout: masks come from the job's seed (its own stream), so a
//! run's weights do not depend on anything but the job and the data.

use crate::rng::{streams, SeededRng};
use candle_core::{Result, Tensor};

/// Inverted dropout at rate `p`: each value is zeroed with probability `p`
/// and the rest scaled by `1 / (1 - p)`, as in PyTorch and Keras.
pub struct Dropout {
    rate: f32,
    rng: SeededRng,
}

impl Dropout {
    /// Dropout at `rate` with masks drawn from `seed`.
    pub fn new(rate: f64, seed: u64) -> Self {
        Dropout {
            rate: rate as f32,
            rng: SeededRng::new(seed, streams::DROPOUT),
        }
    }

    /// Apply a fresh mask to `x` (a no-op at rate 0, which draws nothing).
    pub fn apply(&mut self, x: &Tensor) -> Result<Tensor> {
        if self.rate == 0.0 {
            return Ok(x.clone());
        }
        let keep = 1.0 / (1.0 - self.rate);
        let mask: Vec<f32> = (0..x.elem_count())
            .map(|_| {
                if self.rng.unit_f32() < self.rate {
                    0.0
                } else {
                    keep
                }
            })
            .collect();
        x * Tensor::from_vec(mask, x.shape(), x.device())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn drops_about_the_rate_scales_the_rest_and_repeats_under_the_seed() {
        let x = Tensor::ones((100, 100), candle_core::DType::F32, &Device::Cpu).unwrap();
        let draw = |seed| {
            Dropout::new(0.3, seed)
                .apply(&x)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        };
        let a = draw(7);
        assert_eq!(a, draw(7));
        assert_ne!(a, draw(8));
        let zeros = a.iter().filter(|&&v| v == 0.0).count();
        assert!((2700..3300).contains(&zeros), "{zeros}");
        assert!(a.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-6));
    }
}
