//! `verify-bundle`: one evidence file against artifacts, under flags.

use crate::policy_args::PolicyArgs;
use crate::Format;
use clap::Args;
use slsa_aibom_verify::{Error, Inputs, Policy, Report, Status, Subject, Verifier};
use std::path::PathBuf;

#[derive(Args)]
pub struct VerifyBundle {
    /// The Sigstore bundle, JSON Lines of bundles, or DSSE envelope file.
    #[arg(long)]
    bundle: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Artifact files, `sha256:HEX`/`sha512:HEX` digests, or model directories.
    #[arg(required = true)]
    subjects: Vec<String>,
}

impl VerifyBundle {
    /// Verify, or fail on bad options before any evidence is read.
    pub fn run(&self) -> Result<Report, Error> {
        let verifier = Verifier::new(self.policy.apply(Policy::default())?)?;
        let subjects = self
            .subjects
            .iter()
            .map(|s| Subject::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(verifier.verify(&Inputs {
            evidence: self.bundle.clone(),
            subjects,
        }))
    }
}

/// The report for people.
pub fn print_human(report: &Report) {
    let warnings = report
        .results()
        .iter()
        .flat_map(|r| r.verdict().checks())
        .filter(|c| c.status() == Status::Warn)
        .count();
    let verdict = match report.failure() {
        None if warnings > 0 => format!("VERIFIED with {warnings} warning(s)"),
        None => "VERIFIED".to_string(),
        Some(f) => format!("FAILED ({})", f.class().name()),
    };
    println!("{verdict}: {}", report.evidence());
    println!("  trusted root: {}", report.trust_root());
    for r in report.results() {
        println!("  subject {} (entry {})", r.subject(), r.verdict().entry());
        if let Some(s) = &r.verdict().signer() {
            println!("    signer  {}", s.san().unwrap_or("(no SAN)"));
            if let Some(i) = s.issuer() {
                println!("    issuer  {i}");
            }
        }
        if let Some(p) = &r.verdict().predicate_type() {
            println!("    predicate {p}");
        }
        for c in r.verdict().checks() {
            let mark = match c.status() {
                Status::Pass => "ok  ",
                Status::Fail => "FAIL",
                Status::Warn => "WARN",
                Status::NotApplicable => "n/a ",
            };
            println!("    {mark} {:<36} {}", c.name(), c.detail());
        }
        if let Some(f) = &r.verdict().failure() {
            println!("    error [{}]: {}", f.class().name(), f.message());
        }
    }
}
