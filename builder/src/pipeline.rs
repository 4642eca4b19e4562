//! One build: validate the job and data, train, write the outputs to a
//! staging directory, attest, sign, verify with our own verifier, and only
//! then move the staging directory into place. A failure at any step leaves
//! no output (and so no signature) behind.

use crate::attest::record::{BaseModelRecord, BuildRecord, JobRecord, OutputFile};
use crate::attest::{self, AIBOM_FILE};
use crate::commitment_file;
use crate::data::{Dataset, Split, Standardizer};
use crate::environment::Environment;
use crate::error::{BuildError, Result};
use crate::layout::{self, Layout};
use crate::model::{Layout as ModelLayout, Model};
use crate::output_check::{self, verify_evidence};
use crate::signing::Signer;
use crate::spec::Job;
use crate::train::{train, Table};
use candle_core::Device;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use slsa_aibom_verify::{Policy, PublicKey, Subject};
use std::path::{Path, PathBuf};

/// How to run a build.
pub struct BuildOptions {
    /// The output directory (must not exist, or be empty, unless `force`).
    pub out: PathBuf,
    /// Replace a non-empty output directory.
    pub force: bool,
    /// The signing key.
    pub signer: Signer,
    /// The builder ID to record.
    pub builder_id: String,
    /// CPU threads.
    pub threads: usize,
    /// `cpu` or `cuda`.
    pub device: String,
    /// Hide the progress bar and summary.
    pub quiet: bool,
    /// The job path to record (defaults to the path given).
    pub job_name: Option<String>,
}

impl BuildOptions {
    /// A local run into `out` (replaced if present) with a fresh in-memory
    /// key, recording `job_name` as the job's path.
    pub fn local(
        out: &Path,
        threads: usize,
        device: &str,
        quiet: bool,
        job_name: &str,
    ) -> Result<Self> {
        Ok(BuildOptions {
            out: out.to_path_buf(),
            force: true,
            signer: Signer::ephemeral()?,
            builder_id: crate::attest::provenance::LOCAL_BUILDER_ID.into(),
            threads,
            device: device.into(),
            quiet,
            job_name: Some(job_name.into()),
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

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn invocation_id() -> String {
    let var = |k: &str| std::env::var(k).ok();
    if let (Some(server), Some(repo), Some(run)) = (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_RUN_ID"),
    ) {
        let attempt = var("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into());
        return format!("{server}/{repo}/actions/runs/{run}/attempts/{attempt}");
    }
    let seed = format!(
        "{:?}|{}|{:?}",
        std::time::SystemTime::now(),
        std::process::id(),
        std::thread::current().id()
    );
    format!("local:{}", &hex::encode(Sha256::digest(seed))[..32])
}

fn device(name: &str) -> Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        #[cfg(feature = "cuda")]
        "cuda" => Device::new_cuda(0)
            .map_err(|e| BuildError::Train(format!("CUDA device unavailable: {e}"))),
        #[cfg(not(feature = "cuda"))]
        "cuda" => Err(BuildError::Train(
            "this trainer was built without the `cuda` feature".into(),
        )),
        other => Err(BuildError::Train(format!(
            "unknown device {other:?} (cpu or cuda)"
        ))),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<OutputFile> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| BuildError::io(path, e))?;
    Ok(OutputFile {
        path: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len() as u64,
    })
}

fn pretty(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(value).map_err(|e| BuildError::Io(e.to_string()))?;
    v.push(b'\n');
    Ok(v)
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
        key: Some(key),
        ..Policy::default()
    };
    verify_evidence(policy, &attestation, vec![Subject::File(weights.clone())]).map_err(|e| {
        BuildError::Verify(format!(
            "base model {} is not vouched for by {}: {e}",
            base.weights.display(),
            base.attestation.display()
        ))
    })?;
    let digest = |p: &Path| -> Result<String> {
        Ok(hex::encode(Sha256::digest(
            std::fs::read(p).map_err(|e| BuildError::io(p, e))?,
        )))
    };
    Ok(Some(BaseModelRecord {
        path: base.weights.display().to_string(),
        sha256: digest(&weights)?,
        attestation_sha256: digest(&attestation)?,
    }))
}

/// Run `job` end to end.
pub fn build(job: &Job, opts: &BuildOptions) -> Result<BuildSummary> {
    let started_on = now();
    let spec = &job.spec;
    // Everything that can reject the input happens before any output exists.
    let mut data = Dataset::load(job)?;
    let split = Split::new(
        data.rows(),
        spec.training.validation_split,
        spec.training.test_split,
        spec.training.seed,
    );
    if split.train.is_empty() {
        return Err(BuildError::Data("the training split is empty".into()));
    }
    let trees = commitment_file::trees(std::mem::take(&mut data.records), &split)?;
    let commitment = commitment_file::document(&spec.dataset.name, &trees);
    let base_model = verify_base(job)?;
    let dev = device(&opts.device)?;
    let layout = ModelLayout::of(spec);
    let mut model = Model::init(layout, spec.training.seed, &dev)?;
    if let Some(base) = &spec.model.base {
        model.load_base(&job.resolve(&base.weights), &dev)?;
    }
    let pre = Standardizer::fit(
        &spec.dataset.definition.preprocessing,
        &data.features,
        data.width,
        &split.train,
    );
    let mut features = std::mem::take(&mut data.features);
    pre.apply(&mut features, data.width);
    let environment = Environment::capture(&opts.device, opts.threads)?;

    let out = Layout::new(&opts.out);
    prepare_out(&out.root, opts.force)?;
    let staging = staging_dir(&out.root);
    let result = (|| {
        let bar = progress_bar(
            opts.quiet,
            spec.training.epochs - spec.training.initial_epoch,
        );
        let mut log = vec![format!(
            "slsa-aibom-build {} job {} seed {} device {} threads {}",
            environment.trainer.version,
            job.path.display(),
            spec.training.seed,
            opts.device,
            opts.threads
        )];
        log.push(format!(
            "dataset {}: {} records (train {}, validation {}, test {})",
            spec.dataset.name,
            data.rows(),
            split.train.len(),
            split.validation.len(),
            split.test.len()
        ));
        let table = Table {
            x: &features,
            y: &data.targets,
            width: data.width,
        };
        let progress = |epoch: usize, step: usize, steps: usize| {
            if step == steps {
                bar.inc(1);
                bar.set_message(format!("epoch {}", epoch + 1));
            }
        };
        let metrics = train(
            &model,
            &table,
            &split,
            spec.model.task,
            &spec.training,
            &dev,
            &progress,
            &mut log,
        )?;
        bar.finish_and_clear();
        let attest_started = std::time::Instant::now();
        let finished_on = now();
        log.push(format!(
            "trained in {:.3} s ({:.0} rows/s)",
            metrics.timing.training_seconds, metrics.timing.rows_per_second
        ));

        let st = Layout::new(&staging);
        model.save(&st.weights())?;
        let weights = std::fs::read(st.weights()).map_err(|e| BuildError::io(&st.weights(), e))?;
        let weights_file = OutputFile {
            path: layout::WEIGHTS.into(),
            sha256: hex::encode(Sha256::digest(&weights)),
            size: weights.len() as u64,
        };
        let config = json!({
            "format": "slsa-aibom/model/v1",
            "architecture": spec.model.architecture,
            "task": spec.model.task,
            "input_shape": spec.dataset.definition.input_shape,
            "output_shape": spec.dataset.definition.output_shape,
            "conv": spec.model.conv,
            "conv_kernel": crate::model::KERNEL,
            "hidden": spec.model.hidden,
            "classes": data.classes,
            "preprocessing": pre,
            "parameters": model.layout.params().iter().map(|p| json!({"name": p.name, "shape": p.shape})).collect::<Vec<_>>(),
        });
        let config_file = write(&st.config(), &pretty(&config)?)?;
        let mut byproducts = vec![
            write(&st.path(layout::METRICS), &pretty(&metrics)?)?,
            write(&st.path(layout::ENVIRONMENT), &pretty(&environment)?)?,
            write(&st.path(layout::COMMITMENT), &pretty(&commitment)?)?,
        ];
        let record = BuildRecord {
            job: JobRecord {
                path: opts
                    .job_name
                    .clone()
                    .unwrap_or_else(|| job.path.display().to_string()),
                sha256: hex::encode(Sha256::digest(&job.bytes)),
                spec: spec.clone(),
            },
            data_files: data.files.clone(),
            croissant: data.croissant.clone(),
            splits: commitment.splits.clone(),
            base_model,
            model_files: vec![config_file, weights_file],
            byproducts: Vec::new(),
            parameter_count: model.parameter_count(),
            metrics,
            environment,
            started_on,
            finished_on,
            invocation_id: invocation_id(),
        };
        log.push(format!(
            "model {} sha256 {}",
            layout::WEIGHTS,
            record.weights().map(|w| w.sha256.as_str()).unwrap_or("")
        ));
        let mut log_text = log.join("\n");
        log_text.push('\n');
        byproducts.push(write(&st.path(layout::LOG), log_text.as_bytes())?);
        byproducts.sort_by(|a, b| a.path.cmp(&b.path));
        let record = BuildRecord {
            byproducts,
            ..record
        };

        let signed = attest::attest(&record, &opts.builder_id, &opts.signer)?;
        write(&st.path(AIBOM_FILE), signed.aibom_json.as_bytes())?;
        write(&st.provenance(), signed.provenance_bundle.as_bytes())?;
        write(&st.aibom_bundle(), signed.aibom_bundle.as_bytes())?;
        write(
            &st.path(layout::MODEL_SIG),
            signed.model_signature_bundle.as_bytes(),
        )?;
        write(
            &st.path(layout::KEY_PUB),
            opts.signer.public_key_pem().as_bytes(),
        )?;
        output_check::verify_outputs(&st.root, &st.path(layout::KEY_PUB), Some(&opts.builder_id))?;
        Ok((record, attest_started.elapsed().as_secs_f64()))
    })();
    match result {
        Ok((record, attestation_seconds)) => {
            if out.root.exists() {
                std::fs::remove_dir_all(&out.root).map_err(|e| BuildError::io(&out.root, e))?;
            }
            std::fs::rename(&staging, &out.root).map_err(|e| BuildError::io(&out.root, e))?;
            Ok(BuildSummary {
                training_seconds: record.metrics.timing.training_seconds,
                record,
                attestation_seconds,
            })
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
            return Err(BuildError::Io(format!(
                "{} exists and is not empty (use --force to replace it)",
                root.display()
            )));
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
