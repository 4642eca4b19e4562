//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod crafted;
pub mod release_fixture;
pub mod synthetic;

use std::path::{Path, PathBuf};
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
    verifier_cli()
        .args(args)
        .output()
        .expect("run slsa-aibom-verify")
}

/// The CLI, with a trust cache of its own that no `trust update` has
/// filled: the tests' output must not depend on the machine's cache.
pub fn verifier_cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-verify"));
    let none =
        std::env::temp_dir().join(format!("slsa-aibom-no-trust-cache-{}", std::process::id()));
    cmd.env("SLSA_AIBOM_CACHE", none);
    cmd
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

/// Copy the directory tree `from` to `to` (created), files and folders.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
