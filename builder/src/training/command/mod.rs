//! The command tier: a team's own training script, run by our binary in a
//! fresh working directory with its declared files and inputs hashed
//! before, confined while it runs ([`sandbox`]), and its model directory
//! and metrics checked and hashed after. The result is a training
//! directory with [`layout::COMMAND_RECORD`](crate::layout::COMMAND_RECORD);
//! signing it is not implemented yet (README, "What is missing").

pub mod outputs;
pub mod record;
#[cfg(target_os = "linux")]
pub mod sandbox;
pub mod script_metrics;
pub mod spec;
pub mod workdir;

use crate::error::{BuildError, Result};
use crate::layout::{self, Layout};
use sha2::{Digest as _, Sha256};
use spec::CommandSpec;
use std::path::{Path, PathBuf};

/// A command-tier job file, read and checked.
pub struct CommandJob {
    /// The parsed job.
    pub spec: CommandSpec,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The file's path.
    pub path: PathBuf,
    /// The directory declared paths are relative to.
    pub base_dir: PathBuf,
}

impl CommandJob {
    /// Read and check a job file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = crate::error::read_file(path, slsa_aibom_verify::bounded_read::SMALL_LIMIT)?;
        let spec = CommandSpec::parse(&bytes)
            .map_err(|e| BuildError::Spec(format!("{}: {e}", path.display())))?;
        Ok(CommandJob {
            spec,
            bytes,
            path: path.to_path_buf(),
            base_dir: path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
        })
    }
}

/// Run `job` into `out` (replaced when `force`); on any failure nothing is
/// left there. `job_name` is the job's path as the record names it.
#[cfg(target_os = "linux")]
pub fn train(
    job: &CommandJob,
    out: &Path,
    force: bool,
    job_name: Option<&str>,
) -> Result<record::CommandRecord> {
    crate::pipeline::staged(out, force, |dir| run_into(job, dir, job_name))
}

/// The command tier needs Linux (Landlock and namespaces).
#[cfg(not(target_os = "linux"))]
pub fn train(_: &CommandJob, _: &Path, _: bool, _: Option<&str>) -> Result<record::CommandRecord> {
    Err(BuildError::Train(
        "the command tier runs only on Linux, where its confinement (Landlock, namespaces) exists; nothing was run".into(),
    ))
}

#[cfg(target_os = "linux")]
fn run_into(
    job: &CommandJob,
    dir: &Layout,
    job_name: Option<&str>,
) -> Result<record::CommandRecord> {
    use sandbox::{Confinement, Ending};
    let started_on = crate::pipeline::now();
    let clock = std::time::Instant::now();
    let run = &job.spec.run;
    std::fs::create_dir_all(&dir.root).map_err(|e| BuildError::io(&dir.root, e))?;
    let scratch = scratch_dir(&dir.root)?;
    let work = workdir::prepare(&scratch.path().join("work"), &job.base_dir, run)?;
    let mut read_only: Vec<PathBuf> = sandbox::SYSTEM_READ_ONLY
        .iter()
        .map(PathBuf::from)
        .collect();
    read_only.extend(run.read_only.iter().cloned());
    read_only.extend(work.input_paths.iter().cloned());
    // Only what exists is listed (and recorded): `/lib32` is on some
    // systems, not others.
    read_only.retain(|p| p.exists());
    let confinement = Confinement {
        read_only,
        read_write: vec![work.root.clone(), PathBuf::from("/dev/shm")],
        network: run.network,
    };
    let log_path = dir.path(layout::COMMAND_LOG);
    let log = std::fs::File::create_new(&log_path).map_err(|e| BuildError::io(&log_path, e))?;
    let prepared = clock.elapsed();
    let finished = sandbox::run(
        &run.command,
        &work.root,
        &environment(&work, run),
        &confinement,
        log,
        std::time::Duration::from_secs(run.timeout),
    )?;
    let after = std::time::Instant::now();
    match finished.ending {
        Ending::Exited(0) => {}
        Ending::Exited(code) => {
            return Err(failed(&format!("exited with status {code}"), &log_path))
        }
        Ending::Signalled(sig) => {
            return Err(failed(&format!("was killed by signal {sig}"), &log_path))
        }
        Ending::TimedOut => {
            return Err(failed(
                &format!("ran past run.timeout ({} s) and was killed", run.timeout),
                &log_path,
            ))
        }
    }
    let metrics_path = work.metrics_file(run);
    regular_output(&metrics_path, "metrics file")?;
    let script_metrics = script_metrics::ScriptMetrics::read(&metrics_path)?;
    let model_dir = work.model_dir(run);
    regular_output(&model_dir, "model directory")?;
    // Moved out of the working directory first: whatever the command left
    // behind can no longer open it for writing.
    std::fs::rename(&model_dir, dir.model_dir()).map_err(|e| BuildError::io(&model_dir, e))?;
    let model_files = outputs::model_files(&dir.model_dir())?;
    let mut byproducts = vec![
        crate::written::write(
            &dir.path(layout::METRICS),
            &crate::written::pretty(&script_metrics)?,
        )?,
        output_of(&log_path, layout::COMMAND_LOG)?,
    ];
    byproducts.sort_by(|a, b| a.path.cmp(&b.path));
    let overhead = prepared + after.elapsed();
    let record = record::CommandRecord {
        job: record::CommandJobRecord {
            path: job_name.map_or_else(|| job.path.display().to_string(), str::to_string),
            sha256: hex::encode(Sha256::digest(&job.bytes)),
            spec: job.spec.clone(),
        },
        files: work.files,
        inputs: work.inputs,
        isolation: finished.isolation,
        exit_code: 0,
        command_seconds: finished.seconds,
        overhead_seconds: overhead.as_secs_f64(),
        model_files,
        script_metrics,
        byproducts,
        started_on,
        finished_on: crate::pipeline::now(),
    };
    crate::written::write(
        &dir.path(layout::COMMAND_RECORD),
        &crate::written::pretty(&record)?,
    )?;
    Ok(record)
}

/// The command's whole environment: nothing of ours passes (no tokens, no
/// `GITHUB_*`), only a plain `PATH`, its private home and temporary
/// directory, and where to write.
#[cfg(target_os = "linux")]
fn environment(work: &workdir::WorkDir, run: &spec::RunSpec) -> Vec<(String, String)> {
    let s = |p: PathBuf| p.display().to_string();
    vec![
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("HOME".into(), s(work.home())),
        ("TMPDIR".into(), s(work.tmp())),
        ("LANG".into(), "C.UTF-8".into()),
        ("SLSA_AIBOM_MODEL_DIR".into(), s(work.model_dir(run))),
        ("SLSA_AIBOM_METRICS".into(), s(work.metrics_file(run))),
    ]
}

/// A scratch directory beside the output (same file system, so the model
/// directory moves rather than copies), removed when dropped.
#[cfg(target_os = "linux")]
fn scratch_dir(staging: &Path) -> Result<tempfile::TempDir> {
    let parent = staging.parent().unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(".slsa-aibom-work-")
        .tempdir_in(parent)
        .map_err(|e| BuildError::io(parent, e))
}

/// Refuse an output that is a link or is missing.
#[cfg(target_os = "linux")]
fn regular_output(path: &Path, what: &str) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(BuildError::Train(format!(
            "the command's {what} ({}) is a symbolic link; outputs are files the command wrote; nothing was signed",
            path.display()
        ))),
        Ok(_) => Ok(()),
        Err(e) => Err(BuildError::Train(format!(
            "the command left no {what} at {} ({e}); nothing was signed",
            path.display()
        ))),
    }
}

#[cfg(target_os = "linux")]
fn output_of(path: &Path, name: &str) -> Result<crate::attest::record::OutputFile> {
    Ok(crate::attest::record::OutputFile {
        path: name.into(),
        sha256: crate::error::sha256_hex(path)?,
        size: std::fs::metadata(path)
            .map_err(|e| BuildError::io(path, e))?
            .len(),
    })
}

/// The last 4 KiB of the command's log (a bounded read of a file that may
/// be large), lossily as text.
#[cfg(target_os = "linux")]
fn log_tail(log: &Path) -> String {
    use std::io::{Read as _, Seek as _, SeekFrom};
    const TAIL: u64 = 4096;
    let mut text = Vec::new();
    if let Ok(mut file) = std::fs::OpenOptions::new().read(true).open(log) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(TAIL)));
        let _ = file.take(TAIL).read_to_end(&mut text);
    }
    String::from_utf8_lossy(&text).into_owned()
}

/// A failed command's error: how it ended and the last lines it printed,
/// each made safe to show.
#[cfg(target_os = "linux")]
fn failed(how: &str, log: &Path) -> BuildError {
    let text = log_tail(log);
    let lines: Vec<&str> = text.lines().collect();
    let tail: Vec<String> = lines[lines.len().saturating_sub(10)..]
        .iter()
        .map(|l| format!("  | {}", slsa_aibom_verify::display::one_line(l)))
        .collect();
    BuildError::Train(format!(
        "the command {how}; nothing was signed. Its last lines:\n{}",
        tail.join("\n")
    ))
}
