//! `slsa-aibom-build`: train a declarative job and emit signed provenance,
//! an ML-BOM and a model signature, in one step (`build`) or in two (`train`
//! without signing power, then `attest`); run the demo; rebuild from
//! provenance; prove dataset membership.

// `print!`, `println!` and `eprintln!` that never panic: when stdout or
// stderr is closed (`| head`, `2>&-`) the output is lost, but the exit code
// still gives the outcome. Errors can quote input (a data cell, a path), so
// each error line is printed with control characters escaped.
macro_rules! print {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stdout(), $($arg)*); }};
}
macro_rules! println {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($arg)*); }};
}
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", slsa_aibom_verify::display::one_line(&line));
    }};
}

mod cli_predict;

use clap::{Args, Parser, Subcommand};

/// Training allocates and frees the same large buffers (activations,
/// im2col columns, gradients) every step. glibc's malloc hands buffers of
/// this size back to the kernel on free and takes fresh zeroed pages on the
/// next allocation, so a CNN step spent about half its time in page faults;
/// mimalloc keeps freed memory in its segments for reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use slsa_aibom_builder::attest::platform::Platform;
use slsa_aibom_builder::attest::provenance::LOCAL_BUILDER_ID;
use slsa_aibom_builder::attest::train_runner::{RunsOn, TrainJobQuery};
use slsa_aibom_builder::attestations_upload;
use slsa_aibom_builder::data::{Dataset, Split, SplitName};
use slsa_aibom_builder::definition::BuildDefinition;
use slsa_aibom_builder::error::{BuildError, Result};
use slsa_aibom_builder::github_api::GitHubApi;
use slsa_aibom_builder::layout;
use slsa_aibom_builder::pipeline::{
    attest_only, build, train_only, BuildOptions, BuildSummary, TrainOptions,
};
use slsa_aibom_builder::signing::{KeylessConfig, Signer, Transparency};
use slsa_aibom_builder::spec::Job;
use slsa_aibom_builder::{commitment_file, demo, rebuild};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "slsa-aibom-build",
    version,
    about = "Deterministic training with signed SLSA provenance, CycloneDX ML-BOM and model signature"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a job and write the model, metrics and signed attestations.
    Build(BuildArgs),
    /// Validate a job file and write the build definition that `train --definition`
    /// holds the run to (the workflow's `detect` job). Reads no data.
    Detect(DetectArgs),
    /// Train a job without signing anything: the model, the byproducts and
    /// build-record.json (the workflow's `train` job).
    Train(TrainArgs),
    /// Check a `train` output directory against its build-record.json, then
    /// sign it and verify the result (the workflow's `attest` job).
    Attest(AttestArgs),
    /// Verify a model's release, then run the model on CSV rows: a model
    /// that does not verify is never loaded (exit 7).
    Predict(Box<cli_predict::PredictArgs>),
    /// Train the shipped example job offline and verify the outputs.
    Demo(DemoArgs),
    /// Re-run a job from its provenance and compare the model digest.
    Rebuild(RebuildArgs),
    /// Prove that a record key is, or is not, in a split.
    Prove(ProveArgs),
}

#[derive(Args)]
struct Common {
    /// CPU threads for training (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Compute device: cpu, or cuda (needs the `cuda` feature).
    #[arg(long, default_value = "cpu")]
    device: String,
    /// No progress bar or summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct DetectArgs {
    /// The job file (TOML).
    #[arg(long)]
    job: PathBuf,
    /// Expected input digests, in `sha256sum` format (`HEX  PATH` per line).
    #[arg(long)]
    expected_digests: Option<PathBuf>,
    /// Where to write the definition.
    #[arg(long, default_value = "build-definition.json")]
    out: PathBuf,
    /// The reusable workflow's inputs (`toJSON(inputs)`), recorded in the
    /// definition and, by `attest`, in the provenance's `externalParameters`.
    #[arg(long)]
    inputs_json: Option<String>,
    /// The builder's own commit (`job.workflow_sha`): the signing
    /// certificate must name it.
    #[arg(long)]
    builder_sha: Option<String>,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["job", "definition"])))]
struct TrainArgs {
    /// The job file (TOML).
    job: Option<PathBuf>,
    /// Train the job a build definition fixed (from `detect`), refusing a job
    /// file or input whose sha256 differs from it.
    #[arg(long)]
    definition: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Replace a non-empty output directory.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    common: Common,
}

impl TrainArgs {
    fn job(&self) -> Result<Job> {
        match (&self.job, &self.definition) {
            (_, Some(d)) => BuildDefinition::load(d)?.job(),
            (Some(j), None) => Job::load(j),
            (None, None) => Err(BuildError::Spec("give a job file or --definition".into())),
        }
    }

    fn options(&self) -> TrainOptions {
        TrainOptions {
            out: self.out.clone(),
            force: self.force,
            threads: threads(self.common.threads),
            device: self.common.device.clone(),
            quiet: self.common.quiet,
            job_name: None,
        }
    }
}

#[derive(Args)]
struct SigningArgs {
    /// Signing key (PKCS#8 PEM). Default: a fresh in-memory key; only key.pub is written.
    #[arg(long, conflicts_with = "keyless")]
    key: Option<PathBuf>,
    /// The builder ID to record in the provenance. With --keyless, the
    /// certificate's SAN must equal it.
    #[arg(long, default_value = LOCAL_BUILDER_ID)]
    builder_id: String,
    #[command(flatten)]
    keyless: KeylessArgs,
}

#[derive(Args)]
struct KeylessArgs {
    /// Sign keylessly: the GitHub Actions OIDC token (audience `sigstore`)
    /// gets a Fulcio certificate for each signature.
    #[arg(long)]
    keyless: bool,
    /// With --keyless: log each signature in Rekor (public-good instance; the default).
    #[arg(long, requires = "keyless", conflicts_with = "tsa")]
    rekor: bool,
    /// With --keyless: timestamp each signature with an RFC 3161 authority
    /// instead of logging it (GitHub's private instance: nothing public).
    #[arg(long, requires = "keyless")]
    tsa: bool,
    /// With --keyless: Fulcio's URL [default: public-good, or GitHub's with --tsa].
    #[arg(long, env = "SLSA_AIBOM_FULCIO_URL")]
    fulcio_url: Option<String>,
    /// With --keyless: Rekor's URL [default: https://rekor.sigstore.dev].
    #[arg(long, env = "SLSA_AIBOM_REKOR_URL")]
    rekor_url: Option<String>,
    /// With --keyless --tsa: the timestamp endpoint [default: GitHub's].
    #[arg(long, env = "SLSA_AIBOM_TSA_URL")]
    tsa_url: Option<String>,
    /// With --keyless: the trusted root to verify the new bundles against
    /// [default: the embedded public-good root, or GitHub's with --tsa].
    #[arg(long, env = "SLSA_AIBOM_TRUSTED_ROOT")]
    trusted_root: Option<PathBuf>,
}

impl KeylessArgs {
    fn signer(&self) -> Result<Signer> {
        let transparency = if self.tsa {
            Transparency::Timestamp
        } else {
            Transparency::Rekor
        };
        let config = KeylessConfig {
            transparency,
            fulcio: self.fulcio_url.clone(),
            rekor: self.rekor_url.clone(),
            tsa: self.tsa_url.clone(),
            trusted_root: self.trusted_root.clone(),
        };
        Ok(Signer::Keyless(Box::new(config.signer()?)))
    }
}

impl SigningArgs {
    fn signer(&self) -> Result<Signer> {
        if self.keyless.keyless {
            return self.keyless.signer();
        }
        match &self.key {
            Some(k) => Ok(Signer::from_pem_file(k)?),
            None => Ok(Signer::ephemeral()?),
        }
    }
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    train: TrainArgs,
    #[command(flatten)]
    signing: SigningArgs,
}

#[derive(Args)]
struct AttestArgs {
    /// The directory `train` wrote.
    dir: PathBuf,
    #[command(flatten)]
    signing: SigningArgs,
    /// The build definition `detect` wrote: the record must match its job
    /// and expected digests, and its workflow inputs go into the
    /// provenance. Needed with --attest-job-id.
    #[arg(long, requires = "attest_job_id")]
    definition: Option<PathBuf>,
    /// This signing job's own check-run ID (`job.check_run_id`). `attest`
    /// lists this run attempt's jobs through the GitHub Jobs API
    /// (GITHUB_API_URL, GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_RUN_ID,
    /// GITHUB_RUN_ATTEMPT), finds the workflow's train job by name, checks
    /// it against the definition's train-runs-on and the record against the
    /// platform, and records its runner in the provenance.
    #[arg(long, requires = "definition")]
    attest_job_id: Option<u64>,
    /// The ID the train job reported for itself: only cross-checked against
    /// the job the Jobs API names.
    #[arg(long, requires = "attest_job_id")]
    train_job_id: Option<u64>,
    /// After signing and self-verification, upload the provenance, ML-BOM
    /// and model-signature bundles to the GitHub attestations API
    /// (GITHUB_API_URL, GITHUB_TOKEN with `attestations: write`,
    /// GITHUB_REPOSITORY). A refused upload exits 6 and keeps the outputs.
    #[arg(long)]
    upload_attestations: bool,
    /// No summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// Output directory.
    #[arg(long, default_value = "demo-out")]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct RebuildArgs {
    /// The provenance bundle of the build to reproduce.
    #[arg(long)]
    provenance: PathBuf,
    /// The public key that signed it (PEM).
    #[arg(long)]
    key: PathBuf,
    /// Directory the recorded job path is relative to.
    #[arg(long, default_value = ".")]
    inputs: PathBuf,
    /// Where to write the rebuilt outputs.
    #[arg(long, default_value = "rebuild-out")]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct ProveArgs {
    /// The job file whose dataset was committed.
    job: PathBuf,
    /// The split: train, validation or test.
    #[arg(long, default_value = "train")]
    split: String,
    /// The record key to prove.
    #[arg(long)]
    key: String,
    /// Write the proof here (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn threads(n: Option<usize>) -> usize {
    let n = n
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    // One pool of exactly n threads: rayon's, which candle's GEMM and our
    // kernels use (candle re-reads /proc/cpuinfo on every matmul when this
    // is unset). candle's second pool, for elementwise ops, would add n - 1
    // spin-waiting threads beside it: with CANDLE_NUM_THREADS=1 it has
    // none, and elementwise ops run on the calling thread.
    std::env::set_var("RAYON_NUM_THREADS", n.to_string());
    std::env::set_var("CANDLE_NUM_THREADS", "1");
    n
}

fn report(s: &BuildSummary, out: &std::path::Path) {
    let r = &s.record;
    let m = &r.metrics;
    println!(
        "trained {} in {:.2} s ({:.0} rows/s)",
        r.job.spec.metadata.name, s.training_seconds, m.timing.rows_per_second
    );
    if let Some(t) = &m.test {
        let acc = t
            .accuracy
            .map(|a| format!(", accuracy {a:.4}"))
            .unwrap_or_default();
        println!("test: {} rows, loss {:.4}{acc}", t.rows, t.loss);
    }
    if let Some(w) = r.weights() {
        println!("model sha256: {}", w.sha256);
    }
    for (split, c) in &r.splits {
        println!(
            "{} split: {} records, root {}",
            split.as_str(),
            c.records,
            c.root
        );
    }
    println!(
        "attestations: {:.3} s ({:.2}% of training) — provenance, ML-BOM and model signature signed and verified",
        s.attestation_seconds,
        100.0 * s.attestation_seconds / s.training_seconds.max(1e-9)
    );
    println!("outputs in {}", out.display());
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Detect(a) => {
            let definition = BuildDefinition::detect_in_workflow(
                &a.job,
                a.expected_digests.as_deref(),
                a.inputs_json.as_deref(),
                a.builder_sha.as_deref(),
            )?;
            let mut bytes = serde_json::to_vec_pretty(&definition)
                .map_err(|e| BuildError::Io(e.to_string()))?;
            bytes.push(b'\n');
            std::fs::write(&a.out, bytes).map_err(|e| BuildError::io(&a.out, e))?;
        }
        Command::Build(a) => {
            let job = a.train.job()?;
            let opts = BuildOptions {
                train: a.train.options(),
                signer: a.signing.signer()?,
                builder_id: a.signing.builder_id,
            };
            let s = build(&job, &opts)?;
            if !a.train.common.quiet {
                report(&s, &a.train.out);
            }
        }
        Command::Train(a) => {
            let job = a.job()?;
            let record = train_only(&job, &a.options())?;
            if !a.common.quiet {
                println!(
                    "trained {} in {:.2} s; unsigned outputs and {} in {} (sign them with `attest`)",
                    record.job.spec.metadata.name,
                    record.metrics.timing.training_seconds,
                    layout::RECORD,
                    a.out.display()
                );
            }
        }
        Command::Attest(a) => {
            // Fail on a missing token or repository before anything is signed.
            let upload_to = a
                .upload_attestations
                .then(GitHubApi::from_env)
                .transpose()?;
            if a.signing.keyless.keyless {
                slsa_aibom_builder::environment::runner::require_github_hosted("attest")?;
            }
            let platform = match (&a.definition, a.attest_job_id) {
                (Some(path), Some(attest_job)) => {
                    let definition = BuildDefinition::load(path)?;
                    let runs_on = definition.train_runs_on().ok_or_else(|| {
                        BuildError::Spec(format!(
                            "{}: records no train-runs-on input (detect --inputs-json)",
                            path.display()
                        ))
                    })?;
                    let query = TrainJobQuery::from_env(
                        attest_job,
                        a.train_job_id,
                        RunsOn::parse(&runs_on)?,
                    )?;
                    Some(Platform::from_env(definition, query.fetch()?)?)
                }
                _ => None,
            };
            let record = attest_only(
                &a.dir,
                &a.signing.signer()?,
                &a.signing.builder_id,
                platform.as_ref(),
            )?;
            if !a.quiet {
                println!(
                    "signed and verified provenance, ML-BOM and model signature for {} in {}",
                    record.job.spec.metadata.name,
                    a.dir.display()
                );
            }
            if let Some(api) = upload_to {
                for u in attestations_upload::upload(&api, &a.dir)? {
                    if !a.quiet {
                        println!(
                            "uploaded {} to the GitHub attestations API of {} (id {})",
                            u.file, api.repository, u.id
                        );
                    }
                }
            }
        }
        Command::Demo(a) => {
            let threads = threads(a.common.threads);
            let s = demo::run(&a.out, threads, &a.common.device, a.common.quiet)?;
            if !a.common.quiet {
                report(&s, &a.out);
                println!("check it yourself: slsa-aibom-verify verify-bundle --bundle {}/attestations/provenance.sigstore.json --key {}/key.pub {}/model/model.safetensors", a.out.display(), a.out.display(), a.out.display());
            }
        }
        Command::Rebuild(a) => {
            let threads = threads(a.common.threads);
            let outcome = rebuild::run(
                &a.provenance,
                &a.key,
                &a.inputs,
                &a.out,
                threads,
                &a.common.device,
                a.common.quiet,
            )?;
            println!("{outcome}");
        }
        Command::Predict(a) => a.run()?,
        Command::Prove(a) => {
            let job = Job::load(&a.job)?;
            let split = match a.split.as_str() {
                "train" => SplitName::Train,
                "validation" => SplitName::Validation,
                "test" => SplitName::Test,
                other => {
                    return Err(BuildError::Spec(format!(
                        "unknown split {other:?} (train, validation or test)"
                    )))
                }
            };
            let data = Dataset::load(&job)?;
            let rows = Split::for_job(&job.spec.training, &data.targets, data.assigned.as_deref());
            let trees = commitment_file::trees(data.records, &rows)?;
            let proof = commitment_file::prove(&trees, split, &a.key)?;
            let mut text =
                serde_json::to_string_pretty(&proof).map_err(|e| BuildError::Io(e.to_string()))?;
            text.push('\n');
            match &a.out {
                Some(p) => std::fs::write(p, text).map_err(|e| BuildError::io(p, e))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slsa-aibom-build: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
