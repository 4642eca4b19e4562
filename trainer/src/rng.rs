//! The one source of randomness in training: a seeded ChaCha stream. candle's
//! CPU RNG cannot be seeded, so initialisation, splitting and shuffling all
//! draw from here, in a fixed order, which makes training reproducible.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// A seeded generator; `stream` separates independent uses of one seed.
pub struct SeededRng(ChaCha8Rng);

impl SeededRng {
    /// The generator for `seed` and purpose `stream`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        SeededRng(rng)
    }

    /// Uniform in `[0, 1)` with 24 bits of precision.
    pub fn unit_f32(&mut self) -> f32 {
        (self.0.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }

    /// Uniform in `[-bound, bound)`.
    pub fn symmetric(&mut self, bound: f32) -> f32 {
        (self.unit_f32() * 2.0 - 1.0) * bound
    }

    /// Uniform integer in `[0, n)` without modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let v = self.0.next_u64();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Stream numbers, one per purpose.
pub mod streams {
    /// Train/validation/test split.
    pub const SPLIT: u64 = 1;
    /// Weight initialisation.
    pub const INIT: u64 = 2;
    /// Per-epoch shuffling.
    pub const SHUFFLE: u64 = 3;
    /// Dropout masks.
    pub const DROPOUT: u64 = 4;
    /// Image augmentation.
    pub const AUGMENT: u64 = 5;
}
