//! A deployment gate built on the verifier library: exit 0 only if a model
//! directory was trained by our builder workflow for the given repository,
//! on a GitHub-hosted runner, and every file matches the signed provenance
//! and model signature. Exit 1 otherwise, printing the failed check.
//!
//! ```text
//! cargo run -p slsa-aibom-verify --example ci_gate -- \
//!     OUT_DIR OWNER/REPO [TRUSTED_ROOT.json]
//! ```
//!
//! `OUT_DIR` is the workflow's output (`model/`, `model.sig`,
//! `attestations/`). Without a trusted root, the embedded public-good root
//! is used.

use slsa_aibom_verify::{Inputs, Policy, RunnerPolicy, SanMatcher, Subject, TrustRoot, Verifier};
use std::path::PathBuf;
use std::process::ExitCode;

const BUILDER: &str =
    r"https://github\.com/ORG/slsa-aibom/\.github/workflows/builder\.yml@refs/tags/v1(\.[0-9]+)*";

fn gate(out: PathBuf, repo: String, root: Option<PathBuf>) -> Result<(), String> {
    let trust_root = match root {
        Some(p) => TrustRoot::from_file(&p).map_err(|e| e.to_string())?,
        None => TrustRoot::embedded(slsa_aibom_verify::Instance::PublicGood),
    };
    let base = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(trust_root),
        identity: Some(SanMatcher::regex(BUILDER).map_err(|e| e.to_string())?),
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        source_repo: Some(repo),
        ..Policy::default()
    };
    let model = out.join("model");
    let files: Vec<Subject> = std::fs::read_dir(&model)
        .map_err(|e| format!("{}: {e}", model.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(Subject::File)
        .collect();
    let provenance = Policy {
        predicate_type: Some("https://slsa.dev/provenance/v1".into()),
        runner: RunnerPolicy {
            deny_self_hosted: true,
            ..RunnerPolicy::default()
        },
        ..base.clone()
    };
    let checks = [
        (
            provenance,
            out.join("attestations/provenance.sigstore.json"),
            files,
        ),
        (
            base,
            out.join("model.sig"),
            vec![Subject::ModelDir(model.clone())],
        ),
    ];
    for (policy, evidence, subjects) in checks {
        let verifier = Verifier::new(policy).map_err(|e| e.to_string())?;
        let report = verifier.verify(&Inputs {
            evidence: evidence.clone(),
            subjects,
        });
        if !report.verified() {
            let why = report.failure().map_or("no verdict", |f| f.message());
            return Err(format!("{}: {why}", evidence.display()));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), Some(repo)) = (args.next(), args.next()) else {
        eprintln!("usage: ci_gate OUT_DIR OWNER/REPO [TRUSTED_ROOT.json]");
        return ExitCode::from(2);
    };
    let repo = repo.to_string_lossy().into_owned();
    match gate(out.into(), repo, args.next().map(PathBuf::from)) {
        Ok(()) => {
            println!("gate: model verified");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gate: REFUSED: {e}");
            ExitCode::FAILURE
        }
    }
}
