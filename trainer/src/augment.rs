//! Seeded image augmentation for training batches: random horizontal and
//! vertical flips and random shifts with zero fill (padding by `shift`
//! pixels and cropping back, as CIFAR training does). Draws come from the
//! job's seed (stream 5) in a fixed order, image by image, so augmented
//! runs are as reproducible as plain ones. Validation and test rows are
//! never augmented.

use crate::rng::{streams, SeededRng};
use serde::{Deserialize, Serialize};

/// Which augmentations to draw (`[training.augmentation]` of a job).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Augmentation {
    /// Mirror left-right with probability 1/2.
    #[serde(default)]
    pub horizontal_flip: bool,
    /// Mirror top-bottom with probability 1/2.
    #[serde(default)]
    pub vertical_flip: bool,
    /// Shift by up to this many pixels each way, filling with zeros (pad
    /// and random crop).
    #[serde(default)]
    pub shift: usize,
}

/// Augments channels-last images of one shape.
pub struct Augmenter {
    spec: Augmentation,
    /// `[height, width, channels]`.
    shape: [usize; 3],
    rng: SeededRng,
    scratch: Vec<f32>,
}

impl Augmenter {
    /// An augmenter for `[h, w, c]` images, drawing from `seed`.
    pub fn new(spec: Augmentation, shape: [usize; 3], seed: u64) -> Self {
        Augmenter {
            spec,
            shape,
            rng: SeededRng::new(seed, streams::AUGMENT),
            scratch: Vec::new(),
        }
    }

    /// Transform one image in place.
    pub fn apply(&mut self, image: &mut [f32]) {
        let [h, w, c] = self.shape;
        let mut coin = |on: bool| on && self.rng.unit_f32() < 0.5;
        let (flip_x, flip_y) = (
            coin(self.spec.horizontal_flip),
            coin(self.spec.vertical_flip),
        );
        let s = self.spec.shift;
        let mut offset = || (self.rng.below(2 * s + 1) as isize) - s as isize;
        let (dy, dx) = if s > 0 { (offset(), offset()) } else { (0, 0) };
        if !(flip_x || flip_y || dy != 0 || dx != 0) {
            return;
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(image);
        for y in 0..h {
            for x in 0..w {
                let to = (y * w + x) * c;
                let (sy, sx) = (y as isize - dy, x as isize - dx);
                if sy < 0 || sx < 0 || sy >= h as isize || sx >= w as isize {
                    image[to..to + c].fill(0.0);
                    continue;
                }
                let sy = if flip_y {
                    h - 1 - sy as usize
                } else {
                    sy as usize
                };
                let sx = if flip_x {
                    w - 1 - sx as usize
                } else {
                    sx as usize
                };
                let from = (sy * w + sx) * c;
                image[to..to + c].copy_from_slice(&self.scratch[from..from + c]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aug(horizontal_flip: bool, vertical_flip: bool, shift: usize) -> Augmentation {
        Augmentation {
            horizontal_flip,
            vertical_flip,
            shift,
        }
    }

    /// A 2×3 single-channel image, values 1..6 row by row.
    fn image() -> Vec<f32> {
        (1..=6).map(|v| v as f32).collect()
    }

    #[test]
    fn flips_mirror_and_shifts_fill_with_zeros() {
        // Find seeds whose draws flip / do not flip, and check each result.
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..64 {
            let mut a = Augmenter::new(aug(true, false, 0), [2, 3, 1], seed);
            let mut img = image();
            a.apply(&mut img);
            assert!(
                img == image() || img == vec![3.0, 2.0, 1.0, 6.0, 5.0, 4.0],
                "{img:?}"
            );
            seen.insert(img == image());
        }
        assert_eq!(seen.len(), 2, "both outcomes occur");
        for seed in 0..64 {
            let mut a = Augmenter::new(aug(false, false, 1), [2, 3, 1], seed);
            let mut img = image();
            a.apply(&mut img);
            // Every value is 0 or one of the originals, and the survivors keep their order.
            let kept: Vec<f32> = img.iter().copied().filter(|&v| v != 0.0).collect();
            assert!(kept.windows(2).all(|p| p[0] < p[1]), "{img:?}");
        }
    }

    #[test]
    fn the_seed_decides() {
        let run = |seed| {
            let mut a = Augmenter::new(aug(true, true, 1), [2, 3, 1], seed);
            (0..8)
                .map(|_| {
                    let mut img = image();
                    a.apply(&mut img);
                    img
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }
}
