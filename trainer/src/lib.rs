//! # slsa-aibom-trainer
//!
//! The ML half of slsa-aibom's reproducible training tier: layers with
//! their own CPU backward passes, losses, optimisers, learning-rate
//! schedules, seeded augmentation and dropout, splits, preprocessing, the
//! evaluation metrics, the MLP/CNN [`model`], the training loop
//! ([`train`]) and BERT fine-tuning ([`transformer`]).
//!
//! It knows nothing of attestations, GitHub or the job file. Its
//! configuration types ([`train::TrainConfig`], [`model::Layout`],
//! [`conv::Geometry`], [`loss::Loss`], [`split::SplitConfig`],
//! [`transformer::tokens::Tokenization`]) are what the builder maps a job
//! spec onto; the job spec reuses the serialisable ones ([`task::Task`],
//! [`activation::Activation`], [`optim::schedule::Schedule`]...) for its
//! keys.

#![warn(missing_docs)]

pub mod activation;
pub mod augment;
pub mod batch_norm;
pub mod conv;
pub mod dense;
pub mod dropout;
pub mod early_stopping;
pub mod error;
pub mod loss;
pub mod matmul;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod preprocess;
pub mod rng;
pub mod split;
pub mod task;
pub mod train;
pub mod trainee;
pub mod transformer;
pub mod weights_file;

pub use error::{Result, TrainError};
