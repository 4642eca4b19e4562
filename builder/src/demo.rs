//! The README's main job: train the shipped example (embedded in the binary,
//! so it runs from anywhere, offline) with a fresh local key, verify the
//! outputs with the verifier library, and report.

use crate::error::{BuildError, Result};
use crate::pipeline::{build, BuildOptions, BuildSummary};
use crate::spec::Job;
use std::path::Path;

/// The example files, as `(path under the repository, bytes)`.
pub const EXAMPLE: &[(&str, &[u8])] = &[
    ("examples/demo/job.toml", include_bytes!("../demo/job.toml")),
    (
        "examples/demo/croissant.json",
        include_bytes!("../demo/croissant.json"),
    ),
    (
        "examples/demo/data/transactions.csv",
        include_bytes!("../demo/data/transactions.csv"),
    ),
];

/// Write the example under `dir`.
pub fn write_example(dir: &Path) -> Result<()> {
    for (rel, bytes) in EXAMPLE {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
        }
        std::fs::write(&p, bytes).map_err(|e| BuildError::io(&p, e))?;
    }
    Ok(())
}

/// Train the example into `out` (replacing it).
pub fn run(out: &Path, threads: usize, device: Option<&str>, quiet: bool) -> Result<BuildSummary> {
    let inputs = std::env::temp_dir().join(format!("slsa-aibom-demo-{}", std::process::id()));
    write_example(&inputs)?;
    let result = (|| {
        let job = Job::load(&inputs.join(EXAMPLE[0].0))?;
        build(
            &job,
            &BuildOptions::local(out, threads, device, quiet, EXAMPLE[0].0)?,
        )
    })();
    let _ = std::fs::remove_dir_all(&inputs);
    result
}
