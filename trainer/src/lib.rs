//! # slsa-aibom-trainer
//!
//! The numeric core of slsa-aibom's reproducible training tier: layers with
//! their own CPU backward passes, losses, optimisers, learning-rate
//! schedules, seeded augmentation and dropout, and the evaluation metrics.
//!
//! It knows nothing of attestations, GitHub or the job file. Its
//! configuration types ([`conv::Geometry`], [`loss::Loss`],
//! [`optim::schedule::Schedule`], [`augment::Augmentation`],
//! [`activation::Activation`], [`task::Task`]) are what the builder maps a
//! job spec onto; the job spec reuses the serialisable ones for its keys.

#![warn(missing_docs)]

pub mod activation;
pub mod augment;
pub mod batch_norm;
pub mod conv;
pub mod dense;
pub mod dropout;
pub mod loss;
pub mod matmul;
pub mod metrics;
pub mod optim;
pub mod rng;
pub mod task;
