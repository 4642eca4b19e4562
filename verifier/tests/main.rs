//! The verifier's integration tests, one binary (each module was a file of
//! its own): the CLI end to end, crafted releases, the tamper sweep, the
//! inventory, and the real-world vectors (`vectors_*`, from ../shared/vectors).

mod common;

mod action_install;
mod adversaries;
mod cli_download;
mod cli_generated;
mod cli_intoto;
mod cli_keyed;
mod cli_model;
mod cli_reproduced;
mod cli_vsa;
mod golden_output;
mod inventory;
mod model_signing_releases;
mod tamper_sweep;
mod trust_update;
mod vectors_conformance;
mod vectors_regressions;
mod vectors_sigstore_js;
