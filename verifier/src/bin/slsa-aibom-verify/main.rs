//! `slsa-aibom-verify`: the command-line front end of the verifier library.

// `println!` and `eprintln!` that never panic: when stdout or stderr is
// closed (`| head`) the output is lost, but the exit code still gives the
// verdict. Each call prints one line: text from the evidence cannot start
// another one or move the cursor (`display::one_line`). JSON goes through
// `print_json`, whose strings serde_json escapes.
macro_rules! println {
    () => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout()); }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stdout(), "{}", slsa_aibom_verify::display::one_line(&line));
    }};
}
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", slsa_aibom_verify::display::one_line(&line));
    }};
}

mod dataset_proof;
mod download;
mod intoto;
mod inventory;
mod model;
mod policy_args;
mod policy_init;
mod reproduction_args;
mod trust;
mod verify_bundle;
mod vsa;
mod vsa_out;

use clap::{Parser, Subcommand, ValueEnum};
use slsa_aibom_verify::{Error, ErrorClass};
use std::process::ExitCode;

/// Verify Sigstore bundles, SLSA provenance and OpenSSF model signatures, offline.
///
/// Exit codes: 0 verified; 2 input error; 3 cryptographic failure; 4 identity
/// mismatch; 5 digest mismatch; 6 policy violation; 7 no transparency evidence
/// (cannot verify offline); 8 a verification summary could not be signed.
#[derive(Parser)]
#[command(name = "slsa-aibom-verify", version = version(), about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify one bundle (JSON or JSON Lines) or DSSE envelope against artifacts.
    ///
    /// This is the sigstore-conformance `verify-bundle` interface.
    VerifyBundle(Box<verify_bundle::VerifyBundle>),
    /// Check a dataset-commitment proof (JSON) that a record key was, or was
    /// not, in a committed split. Exit 0 and print `present KEY` or
    /// `absent KEY`; a proof about another key fails (exit 2).
    DatasetProof(dataset_proof::DatasetProof),
    /// Download the bundles GitHub's attestations API holds for artifacts,
    /// as JSON Lines (`DIR/sha256:HEX.jsonl`, as `gh attestation download`
    /// writes them), for `verify-bundle --bundle`. Fetching proves nothing;
    /// verifying does.
    DownloadAttestations(download::DownloadAttestations),
    /// Verify a model release as one unit (provenance, ML-BOM and model
    /// signature: same signer and run, same files and datasets, policy
    /// rules) and print its passport.
    Model(Box<model::VerifyModel>),
    /// Check a signed verification summary (VSA) against a model directory
    /// or digests, the policy it must name, its verifier and SLSA level.
    Vsa(Box<vsa::VerifySummary>),
    /// Index the verified attestations under directories and answer
    /// blast-radius queries: models trained on a dataset, built with a
    /// framework version, from a builder commit, or a model's lineage.
    /// Evidence that does not verify is listed, never indexed.
    Inventory(Box<inventory::InventoryArgs>),
    /// in-toto links and layouts: verify a layout with its links, a file or
    /// a directory against a link, an ML-BOM with the link it references.
    #[command(subcommand, name = "intoto")]
    InToto(intoto::InTotoCommand),
    /// Policy files: `policy init` writes a commented template.
    #[command(subcommand)]
    Policy(policy_init::PolicyCommand),
    /// Trusted roots: `trust update` refreshes one over TUF.
    #[command(subcommand)]
    Trust(trust::TrustCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: slsa_aibom_verify::cli_support::Shell,
    },
    /// Print the man page (roff; `man -l -` reads it).
    Man,
}

/// The version line: version, commit, build profile and the cargo
/// features that change what this binary can check.
fn version() -> &'static str {
    let features: Vec<&str> = [
        ("github", cfg!(feature = "github")),
        ("tuf", cfg!(feature = "tuf")),
        ("in-toto", cfg!(feature = "in-toto")),
        ("policy-file", cfg!(feature = "policy-file")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    slsa_aibom_verify::cli_support::version_text(env!("CARGO_PKG_VERSION"), &features)
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// Print a value as pretty JSON (serde_json escapes every control
/// character inside strings).
pub fn print_json(value: &impl serde::Serialize) {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let _ = writeln!(std::io::stdout(), "{text}");
}

/// Exit 0 once generated text is written, 2 if it could not be.
fn written(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&Error::Input(format!("cannot write: {e}")), Format::Human),
    }
}

fn exit_for(class: Option<ErrorClass>) -> ExitCode {
    ExitCode::from(class.map_or(0, |c| c.exit_code()) as u8)
}

/// Report an error that stopped a command before any verdict (as JSON
/// when that format was asked for) and pick its exit code.
pub fn fail(e: &Error, format: Format) -> ExitCode {
    if format == Format::Json {
        let message = e.detail_with(policy_args::FLAGS);
        let j = serde_json::json!({"verified": false, "failure": {"class": e.class(), "message": message}});
        print_json(&j);
    } else {
        eprintln!("slsa-aibom-verify: {}", e.render(policy_args::FLAGS));
    }
    exit_for(Some(e.class()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Completions { shell } => written(slsa_aibom_verify::cli_support::completions(
            shell,
            <Cli as clap::CommandFactory>::command(),
        )),
        Command::Man => written(slsa_aibom_verify::cli_support::man(
            <Cli as clap::CommandFactory>::command(),
        )),
        Command::Model(args) => args.main(),
        Command::Policy(cmd) => cmd.main(),
        Command::Trust(cmd) => cmd.main(),
        Command::InToto(cmd) => cmd.main(),
        Command::DownloadAttestations(args) => match args.run() {
            Ok(files) => {
                for (path, n) in files {
                    println!("wrote {n} bundle(s) to {}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, Format::Human),
        },
        Command::DatasetProof(args) => match args.run() {
            Ok(present) => {
                let state = if present { "present" } else { "absent" };
                println!("{state} {:?}", args.key());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, Format::Human),
        },
        Command::VerifyBundle(args) => report_bundle(args.run(), args.format),
        Command::Vsa(args) => report_bundle(args.run(), args.format),
        Command::Inventory(args) => match args.run() {
            Ok(answer) => {
                answer.print(args.format);
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, args.format),
        },
    }
}

/// Print a bundle verification's report and pick the exit code.
fn report_bundle(result: Result<slsa_aibom_verify::Report, Error>, format: Format) -> ExitCode {
    match result {
        Ok(report) => {
            match format {
                Format::Json => print_json(&report),
                Format::Human => verify_bundle::print_human(&report),
            }
            exit_for(report.failure().map(|f| f.class()))
        }
        Err(e) => fail(&e, format),
    }
}
