//! One build: validate the job and data, train, write the outputs to a
//! staging directory, attest, sign, verify with our own verifier, and only
//! then move the staging directory into place. A failure at any step leaves
//! no output (and so no signature) behind.

use crate::attest;
use crate::attest::platform::Platform;
use crate::attest::record::{BaseModelRecord, BuildRecord, JobRecord, OutputFile};
use crate::commitment_file;
use crate::data::Dataset;
use crate::environment::{Environment, Meter};
use crate::error::{sha256_hex, BuildError, Result};
use crate::layout::{self, Layout};
use crate::output_check::{self, verify_evidence};
use crate::signing::Signer;
use crate::spec::Job;
use crate::training::{Session, VerifiedInputs};
use crate::written::{output_file, pretty, write};
use candle_core::Device;
use sha2::{Digest as _, Sha256};
use slsa_aibom_trainer::split::Split;
use slsa_aibom_verify::{Policy, PublicKey, Subject};
use std::path::{Path, PathBuf};

/// How to run the training stage.
pub struct TrainOptions {
    /// The output directory (must not exist, or be empty, unless `force`).
    pub out: PathBuf,
    /// Replace a non-empty output directory.
    pub force: bool,
    /// CPU threads.
    pub threads: usize,
    /// `cpu`, `cuda` or `cuda:N`, overriding the job's `training.device`
    /// (`None`: the job's, else `cpu`).
    pub device: Option<String>,
    /// Hide the progress bar and summary.
    pub quiet: bool,
    /// The job path to record (defaults to the path given).
    pub job_name: Option<String>,
}

/// How to run a whole build: training, then signing.
pub struct BuildOptions {
    /// The training stage.
    pub train: TrainOptions,
    /// The signing key.
    pub signer: Signer,
    /// The builder ID to record.
    pub builder_id: String,
}

impl BuildOptions {
    /// A local run into `out` (replaced if present) with a fresh in-memory
    /// key, recording `job_name` as the job's path.
    pub fn local(
        out: &Path,
        threads: usize,
        device: Option<&str>,
        quiet: bool,
        job_name: &str,
    ) -> Result<Self> {
        Ok(BuildOptions {
            train: TrainOptions {
                out: out.to_path_buf(),
                force: true,
                threads,
                device: device.map(str::to_string),
                quiet,
                job_name: Some(job_name.into()),
            },
            signer: Signer::ephemeral()?,
            builder_id: crate::attest::provenance::LOCAL_BUILDER_ID.into(),
        })
    }
}

/// What a successful build produced.
pub struct BuildSummary {
    /// The build record (digests, metrics, environment).
    pub record: BuildRecord,
    /// Seconds spent training.
    pub training_seconds: f64,
    /// Seconds spent hashing, writing attestations, signing and verifying.
    pub attestation_seconds: f64,
}

/// Now, in UTC, as records write it.
pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The run's ID: the workflow run and attempt, or a fresh local one.
pub(crate) fn invocation_id() -> String {
    if let Some(id) = crate::environment::runner::github_invocation_id() {
        return id;
    }
    let seed = format!(
        "{:?}|{}|{:?}",
        std::time::SystemTime::now(),
        std::process::id(),
        std::thread::current().id()
    );
    format!("local:{}", &hex::encode(Sha256::digest(seed))[..32])
}

/// The device named by `--device`, else the job's `training.device`, else
/// the CPU.
fn device_name(job: &Job, opts: &TrainOptions) -> String {
    opts.device
        .clone()
        .or_else(|| job.spec.training.device.clone())
        .unwrap_or_else(|| "cpu".into())
}

/// Open the named device. A GPU that cannot be had is an error before
/// training (exit 4) that names what is missing; there is no silent fall
/// back to the CPU.
fn device(name: &str) -> Result<Device> {
    match crate::spec::DeviceName::parse(name).map_err(BuildError::Spec)? {
        crate::spec::DeviceName::Cpu => Ok(Device::Cpu),
        #[cfg(feature = "cuda")]
        crate::spec::DeviceName::Cuda(n) => Device::new_cuda(n).map_err(|e| {
            // candle appends a backtrace when RUST_BACKTRACE is set: the
            // driver's error is its first line.
            let e = e.to_string();
            let driver = e.lines().next().unwrap_or_default();
            BuildError::Train(format!(
                "CUDA device {n} is not usable ({driver}): check the NVIDIA driver, the CUDA libraries and that the device exists; nothing was trained or signed"
            ))
        }),
        #[cfg(not(feature = "cuda"))]
        crate::spec::DeviceName::Cuda(n) => Err(BuildError::Train(format!(
            "device cuda:{n} was asked for, but this trainer was built without the `cuda` feature (build with --features cuda and the CUDA toolkit, or ask for device cpu); nothing was trained or signed"
        ))),
    }
}

/// Verify a base model's attestation with the key given in the job, and
/// describe it for the provenance.
fn verify_base(job: &Job) -> Result<Option<BaseModelRecord>> {
    let Some(base) = &job.spec.model.base else {
        return Ok(None);
    };
    let weights = job.resolve(&base.weights);
    let attestation = job.resolve(&base.attestation);
    let key = PublicKey::from_file(&job.resolve(&base.key))
        .map_err(|e| BuildError::Verify(format!("base model key: {e}")))?;
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(key),
        ..Policy::default()
    };
    verify_evidence(policy, &attestation, vec![Subject::File(weights.clone())]).map_err(|e| {
        BuildError::Verify(format!(
            "base model {} is not vouched for by {}: {e}",
            base.weights.display(),
            base.attestation.display()
        ))
    })?;
    Ok(Some(BaseModelRecord {
        path: base.weights.display().to_string(),
        sha256: sha256_hex(&weights)?,
        attestation_sha256: sha256_hex(&attestation)?,
    }))
}

/// Run `job` end to end: train, sign, verify, and only then put the outputs
/// in place.
pub fn build(job: &Job, opts: &BuildOptions) -> Result<BuildSummary> {
    staged(&opts.train.out, opts.train.force, |dir| {
        let (record, record_file) = train_into(job, &opts.train, dir)?;
        let started = std::time::Instant::now();
        attest_into(
            dir,
            &record,
            record_file,
            &opts.signer,
            &opts.builder_id,
            None,
        )?;
        Ok(BuildSummary {
            training_seconds: record.metrics.timing.training_seconds,
            attestation_seconds: started.elapsed().as_secs_f64(),
            record,
        })
    })
}

/// The training stage alone (the workflow's `train` job, which holds no
/// signing power): the model, the byproducts and [`layout::RECORD`], and no
/// signatures.
pub fn train_only(job: &Job, opts: &TrainOptions) -> Result<BuildRecord> {
    staged(&opts.out, opts.force, |dir| {
        Ok(train_into(job, opts, dir)?.0)
    })
}

/// The signing stage alone (the workflow's `attest` job): check every file
/// of a training directory against its [`layout::RECORD`], then sign and
/// self-verify. `platform`, in the workflow, holds the record to what the
/// platform says (`Platform::vouch`: definition, trainer, invocation,
/// times) and adds the train runner and the workflow inputs to the
/// provenance. On failure, no signed output is left in `dir`.
pub fn attest_only(
    dir: &Path,
    signer: &Signer,
    builder_id: &str,
    platform: Option<&Platform>,
) -> Result<BuildRecord> {
    let out = Layout::new(dir);
    // What attest writes must not be there already: a link named
    // `model.sig` would redirect the signed bundle, and a planted
    // `attestations/extra.sigstore.json` would be published with ours.
    if let Some(name) = layout::SIGNED
        .iter()
        .find(|name| std::fs::symlink_metadata(out.path(name)).is_ok())
    {
        return Err(BuildError::Verify(format!(
            "{} already holds {name}, which only attest writes: nothing was signed",
            dir.display()
        )));
    }
    let record_path = out.path(layout::RECORD);
    let record_bytes = crate::error::read_file(
        &record_path,
        slsa_aibom_verify::bounded_read::EVIDENCE_LIMIT,
    )?;
    let record: BuildRecord = slsa_aibom_verify::json::from_slice(&record_bytes)
        .map_err(|e| BuildError::Verify(format!("{}: {e}", record_path.display())))?;
    let listed = record
        .model_files
        .iter()
        .map(|f| (out.path(layout::MODEL_DIR).join(&f.path), f))
        .chain(record.byproducts.iter().map(|f| (out.path(&f.path), f)));
    for (path, file) in listed {
        let got = sha256_hex(&path)?;
        if got != file.sha256 {
            return Err(BuildError::Verify(format!(
                "{} has sha256 {got}, but {} records {}",
                path.display(),
                layout::RECORD,
                file.sha256
            )));
        }
    }
    let record_file = output_file(layout::RECORD, &record_bytes);
    let record = match platform {
        Some(p) => p.vouch(&record)?,
        None => record,
    };
    if let Err(e) = attest_into(&out, &record, record_file, signer, builder_id, platform) {
        for signed in layout::SIGNED {
            let p = out.path(signed);
            let _ = std::fs::remove_file(&p).or_else(|_| std::fs::remove_dir_all(&p));
        }
        return Err(e);
    }
    Ok(record)
}

/// Validate, train and write the unsigned outputs into `dir`; returns the
/// record and the description of its file.
/// Write the metrics, the environment record, the dataset commitment and
/// the training log; their descriptions, sorted by path.
fn write_byproducts(
    dir: &Layout,
    metrics: &slsa_aibom_trainer::metrics::Metrics,
    environment: &Environment,
    commitment: &impl serde::Serialize,
    log: &[String],
) -> Result<Vec<OutputFile>> {
    let mut log_text = log.join("\n");
    log_text.push('\n');
    let mut byproducts = vec![
        write(&dir.path(layout::METRICS), &pretty(metrics)?)?,
        write(&dir.path(layout::ENVIRONMENT), &pretty(environment)?)?,
        write(&dir.path(layout::COMMITMENT), &pretty(commitment)?)?,
        write(&dir.path(layout::LOG), log_text.as_bytes())?,
    ];
    byproducts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(byproducts)
}

/// The training log's first lines: who trains what, where, on which rows.
fn first_log_lines(
    environment: &Environment,
    job_name: &str,
    spec: &crate::spec::JobSpec,
    opts: &TrainOptions,
    split: &Split,
) -> Vec<String> {
    let rows = split.train.len() + split.validation.len() + split.test.len();
    vec![
        format!(
            "slsa-aibom-build {} job {} seed {} device {} threads {}",
            environment.trainer.version,
            job_name,
            spec.training.seed,
            environment.backend.device,
            opts.threads
        ),
        format!(
            "dataset {}: {} records (train {}, validation {}, test {})",
            spec.dataset.name,
            rows,
            split.train.len(),
            split.validation.len(),
            split.test.len()
        ),
    ]
}

/// Load and validate the data and split it; refuse splits training cannot use.
fn load_and_split(job: &Job) -> Result<(Dataset, Split)> {
    let data = Dataset::load(job)?;
    let t = &job.spec.training;
    let split = Split::plan(
        &crate::trainer_config::split_config(t),
        &data.targets,
        data.assigned.as_deref(),
    );
    if split.train.is_empty() {
        return Err(BuildError::Data("the training split is empty".into()));
    }
    if t.early_stopping.is_some() && split.validation.is_empty() {
        return Err(BuildError::Data(
            "training.early_stopping needs validation rows, and the validation split is empty"
                .into(),
        ));
    }
    Ok((data, split))
}

fn train_into(job: &Job, opts: &TrainOptions, dir: &Layout) -> Result<(BuildRecord, OutputFile)> {
    let started_on = now();
    let spec = &job.spec;
    let training = crate::training::for_spec(spec);
    // Everything that can reject the input happens before any output exists.
    training.check_resources(spec)?;
    let (mut data, split) = load_and_split(job)?;
    // Errors name records by key; the records themselves move into the
    // commitment.
    let keys: Vec<String> = data.records.iter().map(|r| r.key.clone()).collect();
    let trees = commitment_file::trees(std::mem::take(&mut data.records), &split)?;
    let commitment = commitment_file::document(&spec.dataset.name, &trees);
    let base_model = verify_base(job)?;
    let pretrained = match &spec.model.pretrained {
        Some(p) => Some(crate::lineage::verify(job, p)?),
        None => None,
    };
    let device_name = device_name(job, opts);
    let dev = device(&device_name)?;
    let mut environment = Environment::capture(&device_name, opts.threads)?;

    let bar = progress_bar(
        opts.quiet,
        spec.training.epochs - spec.training.initial_epoch,
    );
    // The job as the record names it (relative to the caller's tree), never
    // this machine's absolute path.
    let job_name = opts
        .job_name
        .clone()
        .unwrap_or_else(|| job.path.display().to_string());
    let mut log = first_log_lines(&environment, &job_name, spec, opts, &split);
    let progress = |epoch: usize, step: usize, steps: usize| {
        if step == steps {
            bar.inc(1);
            bar.set_message(format!("epoch {}", epoch + 1));
        }
    };
    let meter = Meter::start();
    let trained = training.run(
        VerifiedInputs {
            job,
            data: &mut data,
            keys: &keys,
            split: &split,
            pretrained: pretrained.as_ref(),
        },
        Session {
            device: &dev,
            progress: &progress,
            log: &mut log,
            out: dir,
        },
    )?;
    environment.training_energy = Some(meter.stop());
    bar.finish_and_clear();
    let finished_on = now();
    let metrics = trained.metrics;
    log.push(format!(
        "trained in {:.3} s ({:.0} rows/s)",
        metrics.timing.training_seconds, metrics.timing.rows_per_second
    ));
    for f in &trained.model_files {
        log.push(format!("model {} sha256 {}", f.path, f.sha256));
    }
    let byproducts = write_byproducts(dir, &metrics, &environment, &commitment, &log)?;
    let record = BuildRecord {
        job: JobRecord {
            path: job_name,
            sha256: hex::encode(Sha256::digest(&job.bytes)),
            spec: spec.clone(),
        },
        data_files: data.files,
        croissant: data.croissant,
        splits: commitment.splits,
        base_model,
        pretrained: pretrained.map(|p| p.record),
        tokenization: trained.tokenization,
        model_files: trained.model_files,
        byproducts,
        parameter_count: trained.parameter_count,
        metrics,
        environment,
        started_on,
        finished_on,
        invocation_id: invocation_id(),
    };
    let record_file = write(&dir.path(layout::RECORD), &pretty(&record)?)?;
    Ok((record, record_file))
}

/// Sign `record` into `dir` and verify the result with our own verifier.
/// The record's own file (`record_file`) becomes a signed byproduct.
fn attest_into(
    dir: &Layout,
    record: &BuildRecord,
    record_file: OutputFile,
    signer: &Signer,
    builder_id: &str,
    platform: Option<&Platform>,
) -> Result<()> {
    let mut record = record.clone();
    record.byproducts.push(record_file);
    record.byproducts.sort_by(|a, b| a.path.cmp(&b.path));
    let signed = attest::attest(&record, builder_id, platform, signer)?;
    write_signed(dir, &signed, signer, builder_id, platform)
}

/// Write a release's signed files into `dir` and verify the whole release
/// with our own verifier; in the workflow the certificate must also name
/// the builder commit the platform reported.
pub(crate) fn write_signed(
    dir: &Layout,
    signed: &attest::Attestations,
    signer: &Signer,
    builder_id: &str,
    platform: Option<&Platform>,
) -> Result<()> {
    // in-toto files name the per-build key: drop those of an earlier attest.
    let intoto_dir = dir.path(crate::attest::intoto::DIR);
    if intoto_dir.exists() {
        std::fs::remove_dir_all(&intoto_dir).map_err(|e| BuildError::io(&intoto_dir, e))?;
    }
    for (path, text) in &signed.files {
        write(&dir.path(path), text.as_bytes())?;
    }
    let signer_identity = output_check::verify_outputs(
        &dir.root,
        &crate::signing::anchor(signer, builder_id)?,
        Some(builder_id),
    )?;
    // The certificate must name the builder commit the platform reported.
    if let Some(want) = platform.and_then(|p| p.definition.builder_sha.as_deref()) {
        let have = signer_identity
            .as_ref()
            .and_then(|id| id.claims().build_signer_digest.clone());
        if have.as_deref() != Some(want) {
            return Err(
                crate::attest::signing_check::SigningCheck::BuilderCommit.refuse(format!(
                    "the certificate names builder commit {}, detect reported {want}",
                    have.as_deref().unwrap_or("none")
                )),
            );
        }
    }
    Ok(())
}

/// Run `f` on a staging directory beside `out`, and move it into place only
/// if `f` succeeds; otherwise remove it.
pub(crate) fn staged<T>(
    out: &Path,
    force: bool,
    f: impl FnOnce(&Layout) -> Result<T>,
) -> Result<T> {
    prepare_out(out, force)?;
    let staging = staging_dir(out);
    match f(&Layout::new(&staging)) {
        Ok(value) => {
            if out.exists() {
                std::fs::remove_dir_all(out).map_err(|e| BuildError::io(out, e))?;
            }
            std::fs::rename(&staging, out).map_err(|e| BuildError::io(out, e))?;
            Ok(value)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn prepare_out(root: &Path, force: bool) -> Result<()> {
    if root.exists() {
        let empty = std::fs::read_dir(root)
            .map_err(|e| BuildError::io(root, e))?
            .next()
            .is_none();
        if !empty && !force {
            return Err(BuildError::OutputNotEmpty(root.to_path_buf()));
        }
    }
    Ok(())
}

fn staging_dir(root: &Path) -> PathBuf {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    root.with_file_name(format!(".{name}.staging-{}", std::process::id()))
}

fn progress_bar(quiet: bool, epochs: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(epochs as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("training [{bar:30}] {pos}/{len} {msg} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

#[cfg(all(test, feature = "cuda"))]
mod cuda_tests {
    /// With a driver that sees no GPU (the tests run against the toolchain's
    /// stub driver) the device is refused by name, never replaced by the CPU;
    /// on a machine with a GPU it is device 0.
    #[test]
    fn cuda_zero_is_the_gpu_or_a_named_refusal() {
        // Which branch must hold is said, not guessed: on a machine with a
        // GPU (SLSA_AIBOM_EXPECT_GPU=1, as scripts/gpu-check.sh runs) cuda:0
        // is the device; anywhere else, a refusal that names it.
        let expect_gpu = std::env::var_os("SLSA_AIBOM_EXPECT_GPU").is_some_and(|v| v == "1");
        match (super::device("cuda:0"), expect_gpu) {
            (Ok(dev), true) => assert!(dev.is_cuda(), "{dev:?}"),
            (Err(e), false) => {
                let e = e.to_string();
                assert!(e.contains("CUDA device 0 is not usable"), "{e}");
                assert!(e.contains("nothing was trained or signed"), "{e}");
            }
            (Ok(dev), false) => panic!("cuda:0 is {dev:?} on a machine said to have no GPU"),
            (Err(e), true) => panic!("a GPU was expected: {e}"),
        }
        assert!(super::device("cuda:x").is_err());
    }
}
