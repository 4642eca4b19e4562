//! Helpers shared by the builder's integration tests.
#![allow(dead_code)]

use slsa_aibom_builder::demo::write_example;
use slsa_aibom_builder::pipeline::{build, BuildOptions, BuildSummary};
use slsa_aibom_builder::spec::Job;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The example job's path under an inputs directory.
pub const JOB: &str = "examples/demo/job.toml";

/// The demo example in a fresh directory, trained for `epochs` epochs.
pub fn example(epochs: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_example(dir.path()).expect("write example");
    edit(
        &dir.path().join(JOB),
        "epochs = 20",
        &format!("epochs = {epochs}"),
    );
    dir
}

/// Replace `from` by `to` in a file, insisting that `from` occurs.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Build the job under `inputs` into `out`, in process.
pub fn build_into(inputs: &Path, out: &Path) -> BuildSummary {
    let job = Job::load(&inputs.join(JOB)).expect("job");
    build(
        &job,
        &BuildOptions::local(out, 2, "cpu", true, JOB).expect("options"),
    )
    .expect("build")
}

/// Run the CLI with `args`.
pub fn cli<I: AsRef<std::ffi::OsStr>>(args: &[I]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .args(args)
        .output()
        .expect("run slsa-aibom-build")
}

/// Exit code of a finished run (panics on a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or_else(|| {
        panic!(
            "killed by a signal: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The sha256 of a file.
pub fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

/// `../shared/vectors`; tests that need it are named `vectors_*`.
pub fn vectors() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    assert!(
        dir.join("expected.jsonl").is_file(),
        "../shared/vectors is not present: this test did NOT run (see README, 'Test vectors')"
    );
    dir
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("list") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}
