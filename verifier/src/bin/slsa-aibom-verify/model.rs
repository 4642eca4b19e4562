//! `model`: verify a whole release and print its passport.

use crate::policy_args::PolicyArgs;
use crate::reproduction_args::ReproductionArgs;
use crate::vsa_out::SummaryArgs;
use crate::{exit_for, fail, Format};
use clap::Args;
use slsa_aibom_types::layout;
use slsa_aibom_verify::release::rules::ValidReleasePolicy;
use slsa_aibom_verify::release::{verify_release, Release, ReleaseReport};
use slsa_aibom_verify::{Error, Policy, Status};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct VerifyModel {
    /// The model directory.
    model_dir: PathBuf,
    /// The directory holding provenance.sigstore.json and aibom.sigstore.json
    /// [default: MODEL_DIR/../attestations]. Beside it must be every
    /// byproduct the provenance names (aibom.cdx.json, metrics.json, ...) and
    /// the intoto/ folder the ML-BOM references, unless the policy allows a
    /// partial release.
    #[arg(long)]
    attestations: Option<PathBuf>,
    /// The model signature [default: MODEL_DIR/../model.sig].
    #[arg(long)]
    signature: Option<PathBuf>,
    /// A release policy (TOML; `slsa-aibom-verify policy init` writes one).
    /// Flags override it.
    #[arg(long)]
    policy: Option<PathBuf>,
    #[command(flatten)]
    flags: PolicyArgs,
    #[command(flatten)]
    reproduction: ReproductionArgs,
    #[command(flatten)]
    vsa: SummaryArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

impl VerifyModel {
    fn run(&self) -> Result<(ReleaseReport, Release, Policy), Error> {
        self.vsa
            .check(self.policy.as_deref(), &self.flags.rule_flags())?;
        let (rules, digest) = match &self.policy {
            None => (ValidReleasePolicy::none(), None),
            Some(path) => {
                let (rules, digest) = ValidReleasePolicy::load(path)?;
                (rules, Some(digest))
            }
        };
        let mut base = Policy::default();
        rules.apply(&mut base);
        let policy = self.flags.apply(base)?;
        if policy.anchor.key().is_some() {
            rules
                .check_keyed()
                .map_err(crate::policy_init::keyed_hint)?;
        }
        policy.validate()?;
        let (attestations, signature) = self.evidence_paths();
        if !self.model_dir.is_dir() {
            return Err(Error::Input(format!(
                "{} is not a directory",
                self.model_dir.display()
            )));
        }
        let mut release = Release::from_layout(&self.model_dir, &attestations, &signature);
        release.reproduction = self.reproduction.reproduction(&policy)?;
        let report = verify_release(&policy, &rules, digest, &release);
        Ok((report, release, policy))
    }

    /// The attestations folder and the model signature: as given, or
    /// where the release layout puts them beside the model directory.
    fn evidence_paths(&self) -> (PathBuf, PathBuf) {
        let parent = self
            .model_dir
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        let attestations = self
            .attestations
            .clone()
            .unwrap_or_else(|| parent.join(layout::ATTESTATIONS_DIR));
        let signature = self
            .signature
            .clone()
            .unwrap_or_else(|| parent.join(layout::MODEL_SIG));
        (attestations, signature)
    }

    /// Where the layout's defaults found nothing (a lone model directory),
    /// what the layout is and which flag points elsewhere.
    fn layout_hints(&self) {
        let (attestations, signature) = self.evidence_paths();
        for (flag, given, path) in [
            ("--signature FILE", self.signature.is_some(), &signature),
            (
                "--attestations DIR",
                self.attestations.is_some(),
                &attestations,
            ),
        ] {
            if !given && std::fs::symlink_metadata(path).is_err() {
                eprintln!(
                    "hint: nothing at {}: a release is laid out as DIR/model/, DIR/model.sig and DIR/attestations/ (as slsa-aibom-build writes it); pass {flag} where yours lies elsewhere",
                    path.display()
                );
            }
        }
    }

    /// Run, print, and pick the exit code.
    pub fn main(&self) -> ExitCode {
        match self.run() {
            Ok((report, release, policy)) => {
                match self.format {
                    Format::Json => crate::print_json(&report),
                    Format::Human => print_human(&report),
                }
                if !report.verified() {
                    self.layout_hints();
                }
                if report.verified() {
                    let policy_file = self.policy.as_deref().unwrap_or(std::path::Path::new(""));
                    match self.vsa.write(&report, &release, &policy, policy_file) {
                        Ok(Some(path)) => {
                            eprintln!("wrote verification summary {}", path.display())
                        }
                        Ok(None) => {}
                        Err(e) => return fail(&e, Format::Human),
                    }
                }
                exit_for(report.failure().map(|f| f.class()))
            }
            Err(e) => fail(&e, self.format),
        }
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "ok  ",
        Status::Fail => "FAIL",
        Status::Warn => "WARN",
        Status::NotApplicable => "n/a ",
    }
}

fn print_human(report: &ReleaseReport) {
    match &report.failure() {
        None => println!("VERIFIED release"),
        Some(f) => println!("FAILED release ({}): {}", f.class().name(), f.message()),
    }
    if let Some(d) = &report.policy_sha256() {
        println!("  policy sha256:{d}");
    }
    for p in &report.parts() {
        let state = match &p.verdict().failure() {
            None => "ok  ".to_string(),
            Some(f) => format!("FAIL [{}] {}", f.class().name(), f.message()),
        };
        println!("  {:<16} {state}  ({})", p.document(), p.evidence());
        if let Some(s) = &p.verdict().signer() {
            println!("  {:<16}      signer {}", "", s.san().unwrap_or("?"));
        }
    }
    for c in report.checks() {
        println!("  {} {:<28} {}", mark(c.status()), c.name(), c.detail());
    }
    if let Some(passport) = &report.passport() {
        println!();
        for line in passport.to_string().lines() {
            println!("{line}");
        }
    }
}
