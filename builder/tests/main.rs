//! The builder's integration tests, one binary (each module was a file of its
//! own): bad input, the CLI, the keyless path against the fakes, outputs,
//! releases, the two stages, the workflow contract, and the CycloneDX schema
//! check on real vectors (`vectors_*`).

mod common;

mod architecture;
mod bad_input;
mod cli_build;
mod command_tier;
mod fine_tune;
mod fine_tune_lineage;
mod hosted_jobs;
mod keyless;
mod nvml_fake;
mod optimizer_reference;
mod outputs;
mod release;
mod release_workflow;
mod stages;
mod training_features;
mod vectors_cyclonedx_schema;
mod verifier_layers;
mod workflow_contract;
