//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod crafted;
pub mod synthetic;

use std::path::PathBuf;
use std::process::{Command, Output};

/// `../shared/vectors`, relative to the repository root. Tests that need it
/// are named `vectors_*`; `.ci/run` skips them (loudly) only when the folder
/// is absent, and a test run without it fails rather than passing silently.
pub fn vectors() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    assert!(
        dir.join("expected.jsonl").is_file(),
        "../shared/vectors is not present: this test did NOT run (see README, 'Test vectors')"
    );
    dir
}

/// Our own fixtures.
pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// Run the CLI.
pub fn cli(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slsa-aibom-verify"))
        .args(args)
        .output()
        .expect("run slsa-aibom-verify")
}

/// Exit code of a finished CLI run (panics on a signal, e.g. a crash).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or_else(|| {
        panic!(
            "killed by a signal: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
