//! `slsa-aibom-build`: train a declarative job and emit signed provenance,
//! an ML-BOM and a model signature, in one step (`build`) or in two (`train`
//! without signing power, then `attest`); run the demo; rebuild from
//! provenance; prove dataset membership. One file per subcommand beside
//! this one, and the option groups they share in `options`.

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

/// Training allocates and frees the same large buffers (activations,
/// im2col columns, gradients) every step. glibc's malloc hands buffers of
/// this size back to the kernel on free and takes fresh zeroed pages on the
/// next allocation, so a CNN step spent about half its time in page faults;
/// mimalloc keeps freed memory in its segments for reuse.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`; the Rust bindings
/// name no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Never hand freed memory back to the kernel while the process runs: by
/// default mimalloc purges it after 10 ms, and fine-tuning a transformer
/// (a fresh 47 MB embedding gradient every step) then spent a sixth of its
/// time having the kernel zero the same pages again.
fn keep_freed_memory() {
    // SAFETY: sets a documented option to a documented value; mimalloc
    // reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

mod attest;
mod build;
mod demo;
mod detect;
mod options;
mod predict;
mod prove;
mod rebuild;
mod train;

use clap::{Parser, Subcommand};
use slsa_aibom_builder::error::{BuildError, Result};
use slsa_aibom_builder::pipeline::BuildSummary;
use std::process::ExitCode;

/// The parsed command line.
#[derive(Parser)]
#[command(
    name = "slsa-aibom-build",
    version = version(),
    about = "Deterministic training with signed SLSA provenance, CycloneDX ML-BOM and model signature"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a job and write the model, metrics and signed attestations.
    Build(build::BuildArgs),
    /// Validate a job file and write the build definition that `train --definition`
    /// holds the run to (the workflow's `detect` job). Reads no data.
    Detect(detect::DetectArgs),
    /// Train a job without signing anything: the model, the byproducts and
    /// build-record.json (the workflow's `train` job). A command-tier job
    /// (`trainer = "command"`) runs its script confined and writes
    /// command-record.json.
    Train(options::TrainArgs),
    /// Check a `train` output directory against its build-record.json, then
    /// sign it and verify the result (the workflow's `attest` job).
    Attest(attest::AttestArgs),
    /// Verify a model's release, then run the model on CSV rows: a model
    /// that does not verify is never loaded (exit 7).
    Predict(Box<predict::PredictArgs>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: slsa_aibom_verify::cli_support::Shell,
    },
    /// Print the man page (roff; `man -l -` reads it).
    Man,
    /// Train the shipped example job offline and verify the outputs.
    Demo(demo::DemoArgs),
    /// Re-run a job from its provenance and compare the model digest.
    Rebuild(rebuild::RebuildArgs),
    /// Prove that a record key is, or is not, in a split.
    Prove(prove::ProveArgs),
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

/// The version line: version, commit, build profile and the cargo
/// features that change what this binary can do (`cuda` trains on GPUs).
fn version() -> &'static str {
    let features: Vec<&str> = [
        ("wgpu", cfg!(feature = "wgpu")),
        ("cuda", cfg!(feature = "cuda")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    slsa_aibom_verify::cli_support::version_text(env!("CARGO_PKG_VERSION"), &features)
}

/// Run the parsed command.
fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Completions { shell } => generated(slsa_aibom_verify::cli_support::completions(
            shell,
            <Cli as clap::CommandFactory>::command(),
        )),
        Command::Man => generated(slsa_aibom_verify::cli_support::man(
            <Cli as clap::CommandFactory>::command(),
        )),
        Command::Detect(a) => a.run(),
        Command::Build(a) => a.run(),
        Command::Train(a) => a.run(),
        Command::Attest(a) => a.run(),
        Command::Demo(a) => a.run(),
        Command::Rebuild(a) => a.run(),
        Command::Predict(a) => a.run(),
        Command::Prove(a) => a.run(),
    }
}

/// Generated text written, or why not.
fn generated(result: std::io::Result<()>) -> Result<()> {
    result.map_err(|e| BuildError::Io(format!("cannot write: {e}")))
}

/// An error on stderr: its first line after the program's name, and any
/// further lines (a TOML error's excerpt of the job file) indented below
/// it, each with control characters escaped, so that no line of the
/// message can pass for a line of its own.
fn print_error(message: &str) {
    let mut lines = message.trim_end().lines();
    eprintln!("slsa-aibom-build: {}", lines.next().unwrap_or_default());
    for line in lines {
        eprintln!("    {line}");
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                BuildError::OutputNotEmpty(dir) => eprintln!(
                    "slsa-aibom-build: {} exists and is not empty (use --force to replace it)",
                    dir.display()
                ),
                _ => print_error(&e.to_string()),
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
