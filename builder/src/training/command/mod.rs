//! The command tier: a team's own training script, run by our binary in a
//! fresh working directory with its declared files and inputs hashed
//! before, confined while it runs ([`sandbox`]), and its model directory
//! and metrics checked and hashed after. The result is a training
//! directory with [`layout::COMMAND_RECORD`](crate::layout::COMMAND_RECORD);
//! signing it is not implemented yet (README, "What is missing"). Linux
//! only: the confinement is Landlock and namespaces.

pub mod aibom;
pub mod outputs;
pub mod phase;
pub mod provenance;
pub mod python_env;
pub mod rebuild;
pub mod record;
pub mod release;
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
        Self::from_bytes(path, bytes)
    }

    /// The job in `bytes`, read from `path` (its folder is the base of the
    /// job's relative paths).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self> {
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
pub fn train(
    job: &CommandJob,
    out: &Path,
    force: bool,
    job_name: Option<&str>,
) -> Result<record::CommandRecord> {
    crate::pipeline::staged(out, force, |dir| run_into(job, dir, job_name))
}

/// Run `job` and sign its release into `opts.train.out`: the model, the
/// byproducts, the three signed documents and the in-toto files, verified
/// by our own verifier before they are moved into place.
pub fn build(
    job: &CommandJob,
    opts: &crate::pipeline::BuildOptions,
) -> Result<record::CommandRecord> {
    let train = &opts.train;
    if !job
        .spec
        .run
        .inputs
        .iter()
        .any(|i| i.kind == spec::InputKind::Dataset)
    {
        return Err(BuildError::Spec(format!(
            "{}: a signed release names the data its model was trained on: declare at least one [[run.inputs]] with kind = \"dataset\"; nothing was run",
            job.path.display()
        )));
    }
    crate::pipeline::staged(&train.out, train.force, |dir| {
        let record = run_into(job, dir, train.job_name.as_deref())?;
        release::sign_into(dir, &record, &opts.signer, &opts.builder_id)?;
        Ok(record)
    })
}

fn run_into(
    job: &CommandJob,
    dir: &Layout,
    job_name: Option<&str>,
) -> Result<record::CommandRecord> {
    let started_on = crate::pipeline::now();
    let clock = std::time::Instant::now();
    let run = &job.spec.run;
    std::fs::create_dir_all(&dir.root).map_err(|e| BuildError::io(&dir.root, e))?;
    let scratch = scratch_dir(&dir.root)?;
    let work = workdir::prepare(&scratch.path().join("work"), &job.base_dir, run)?;
    let confinement = confinement(&work, run);
    let log = dir.path(layout::COMMAND_LOG);
    let env = environment(&work, run);
    let phase = phase::Phase {
        cwd: &work.root,
        env: &env,
        confinement: &confinement,
        log: &log,
        timeout: std::time::Duration::from_secs(run.timeout),
    };
    let mut python = run
        .environment
        .as_ref()
        .map(|e| python_env::set_up(e, &job.base_dir, &work.root, &phase))
        .transpose()?;
    let setup = python.as_ref().map_or(0.0, |p| p.setup_seconds);
    let prepared = clock.elapsed().as_secs_f64() - setup;
    let finished = phase.run("the command", &run.command)?;
    let after = std::time::Instant::now();
    let metrics_path = work.metrics_file(run);
    regular_output(&metrics_path, "metrics file")?;
    let script_metrics = script_metrics::ScriptMetrics::read(&metrics_path)?;
    let model_dir = work.model_dir(run);
    regular_output(&model_dir, "model directory")?;
    // Moved out of the working directory first: whatever the command left
    // behind can no longer open it for writing.
    std::fs::rename(&model_dir, dir.model_dir()).map_err(|e| BuildError::io(&model_dir, e))?;
    let model_files = outputs::model_files(&dir.model_dir())?;
    if let Some(environment) = python.as_mut() {
        python_env::tear_down(&work.root, environment)?;
    }
    let teardown = python.as_ref().map_or(0.0, |p| p.teardown_seconds);
    let mut byproducts = vec![
        crate::written::write(
            &dir.path(layout::METRICS),
            &crate::written::pretty(&script_metrics)?,
        )?,
        output_of(&log, layout::COMMAND_LOG)?,
    ];
    byproducts.sort_by(|a, b| a.path.cmp(&b.path));
    let record = record::CommandRecord {
        job: record::CommandJobRecord {
            path: job_name.map_or_else(|| job.path.display().to_string(), str::to_string),
            sha256: hex::encode(Sha256::digest(&job.bytes)),
            spec: job.spec.clone(),
        },
        files: work.files,
        inputs: work.inputs,
        python_environment: python,
        isolation: finished.isolation,
        exit_code: 0,
        command_seconds: finished.seconds,
        // Removing the environment is the environment's cost, recorded apart.
        overhead_seconds: prepared + after.elapsed().as_secs_f64() - teardown,
        model_files,
        script_metrics,
        byproducts,
        trainer: crate::environment::trainer::TrainerInfo::capture()?,
        invocation_id: crate::pipeline::invocation_id(),
        started_on,
        finished_on: crate::pipeline::now(),
    };
    crate::written::write(
        &dir.path(layout::COMMAND_RECORD),
        &crate::written::pretty(&record)?,
    )?;
    Ok(record)
}

/// The command may read the system directories, `read_only` and its
/// inputs (those that exist are listed and recorded: `/lib32` is on some
/// systems, not others), and write its working directory and `/dev/shm`.
fn confinement(work: &workdir::WorkDir, run: &spec::RunSpec) -> sandbox::Confinement {
    let mut read_only: Vec<PathBuf> = sandbox::SYSTEM_READ_ONLY
        .iter()
        .map(PathBuf::from)
        .collect();
    read_only.extend(run.read_only.iter().cloned());
    read_only.extend(work.input_paths.iter().cloned());
    read_only.retain(|p| p.exists());
    sandbox::Confinement {
        read_only,
        read_write: vec![work.root.clone(), PathBuf::from("/dev/shm")],
        network: run.network,
    }
}

/// The command's whole environment: nothing of ours passes (no tokens, no
/// `GITHUB_*`), only a plain `PATH` (the virtual environment's first, when
/// the job has one), its private home and temporary directory, and where
/// to write.
fn environment(work: &workdir::WorkDir, run: &spec::RunSpec) -> Vec<(String, String)> {
    let s = |p: PathBuf| p.display().to_string();
    let system = "/usr/local/bin:/usr/bin:/bin";
    let mut env = vec![
        ("PATH".to_string(), system.to_string()),
        ("HOME".into(), s(work.home())),
        ("TMPDIR".into(), s(work.tmp())),
        ("LANG".into(), "C.UTF-8".into()),
        ("SLSA_AIBOM_MODEL_DIR".into(), s(work.model_dir(run))),
        ("SLSA_AIBOM_METRICS".into(), s(work.metrics_file(run))),
    ];
    if run.environment.is_some() {
        let venv = work.root.join(python_env::VENV);
        env[0].1 = format!("{}:{system}", venv.join("bin").display());
        env.push(("VIRTUAL_ENV".into(), s(venv)));
    }
    env
}

/// A scratch directory beside the output (same file system, so the model
/// directory moves rather than copies), removed when dropped.
fn scratch_dir(staging: &Path) -> Result<tempfile::TempDir> {
    let parent = staging.parent().unwrap_or(Path::new("."));
    tempfile::Builder::new()
        .prefix(".slsa-aibom-work-")
        .tempdir_in(parent)
        .map_err(|e| BuildError::io(parent, e))
}

/// Refuse an output that is a link or is missing.
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

fn output_of(path: &Path, name: &str) -> Result<crate::attest::record::OutputFile> {
    Ok(crate::attest::record::OutputFile {
        path: name.into(),
        sha256: crate::error::sha256_hex(path)?,
        size: std::fs::metadata(path)
            .map_err(|e| BuildError::io(path, e))?
            .len(),
    })
}
