//! `verify-bundle`: one evidence file against artifacts, under flags.

use crate::Format;
use clap::Args;
use slsa_aibom_verify::{
    Error, Inputs, Instance, Policy, PublicKey, Report, SanMatcher, Status, Subject, TrustRoot,
    Verifier,
};
use std::path::PathBuf;

#[derive(Args)]
pub struct VerifyBundle {
    /// The Sigstore bundle, JSON Lines of bundles, or DSSE envelope file.
    #[arg(long)]
    bundle: PathBuf,
    /// Expected certificate SAN, exact. A workflow may be pinned by tag
    /// (`...@refs/tags/v1`) or by commit (`...@<40-hex sha>`).
    #[arg(long, conflicts_with = "certificate_identity_regexp")]
    certificate_identity: Option<String>,
    /// Expected certificate SAN as a regular expression, anchored at both ends.
    #[arg(long)]
    certificate_identity_regexp: Option<String>,
    /// Expected OIDC issuer (exact).
    #[arg(long)]
    certificate_oidc_issuer: Option<String>,
    /// Trusted root JSON (custom, air-gapped or staging instance).
    #[arg(long, conflicts_with = "instance")]
    trusted_root: Option<PathBuf>,
    /// Embedded trusted root to use: public-good (default), github or staging.
    #[arg(long)]
    instance: Option<String>,
    /// PEM public key for keyed bundles and DSSE envelopes.
    #[arg(long)]
    key: Option<PathBuf>,
    /// PEM certificate of a private PKI to trust instead of Fulcio (repeatable).
    #[arg(long)]
    certificate_chain: Vec<PathBuf>,
    /// Expected source repository URL (or OWNER/NAME), from the certificate.
    #[arg(long)]
    source_repo: Option<String>,
    /// Expected source ref, e.g. refs/tags/v1, from the certificate.
    #[arg(long)]
    source_ref: Option<String>,
    /// Expected repository owner, from the certificate.
    #[arg(long)]
    owner: Option<String>,
    /// Expected repository as OWNER/NAME, from the certificate.
    #[arg(long)]
    repo: Option<String>,
    /// Expected trigger event (push, release, workflow_dispatch...), from the certificate.
    #[arg(long)]
    trigger: Option<String>,
    /// Expected runner environment (github-hosted or self-hosted), from the certificate.
    #[arg(long)]
    runner_environment: Option<String>,
    /// Required in-toto predicate type. Defaults to SLSA provenance v1 when
    /// --builder-id is given; otherwise any predicate is accepted.
    #[arg(long)]
    predicate_type: Option<String>,
    /// Required SLSA builder.id (checked for consistency with the certificate).
    #[arg(long)]
    builder_id: Option<String>,
    /// Refuse a model whose provenance records a self-hosted train runner
    /// (or records none). Apply with a builder identity.
    #[arg(long)]
    deny_self_hosted_training: bool,
    /// The recorded train runner's group must be this one (repeatable).
    #[arg(long)]
    allowed_runner_group: Vec<String>,
    /// The recorded train runner must carry this label (repeatable).
    #[arg(long)]
    require_runner_label: Vec<String>,
    /// Path inside a model directory to leave out, besides those the
    /// signature records (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore_paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Artifact files, `sha256:HEX`/`sha512:HEX` digests, or model directories.
    #[arg(required = true)]
    subjects: Vec<String>,
}

impl VerifyBundle {
    fn policy(&self) -> Result<Policy, Error> {
        let trust_root = match (&self.trusted_root, &self.instance) {
            (Some(path), _) => TrustRoot::from_file(path)?,
            (None, Some(name)) => TrustRoot::embedded(Instance::parse(name)?),
            (None, None) => TrustRoot::embedded(Instance::PublicGood),
        };
        let identity = match (
            &self.certificate_identity,
            &self.certificate_identity_regexp,
        ) {
            (Some(s), _) => Some(SanMatcher::Exact(s.clone())),
            (None, Some(re)) => Some(SanMatcher::regex(re)?),
            (None, None) => None,
        };
        let certificate_chain = self
            .certificate_chain
            .iter()
            .map(|p| {
                let pem = std::fs::read_to_string(p)
                    .map_err(|e| Error::Input(format!("cannot read {}: {e}", p.display())))?;
                sigstore_types::DerCertificate::from_pem(&pem)
                    .map(|c| c.as_bytes().to_vec())
                    .map_err(|e| {
                        Error::Input(format!("{} is not a PEM certificate: {e}", p.display()))
                    })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Policy {
            trust_root,
            identity,
            issuer: self.certificate_oidc_issuer.clone(),
            source_repo: self.source_repo.clone(),
            source_ref: self.source_ref.clone(),
            owner: self.owner.clone(),
            repo: self.repo.clone(),
            trigger: self.trigger.clone(),
            runner_environment: self.runner_environment.clone(),
            predicate_type: self.predicate_type.clone(),
            builder_id: self.builder_id.clone(),
            runner: slsa_aibom_verify::RunnerPolicy {
                deny_self_hosted: self.deny_self_hosted_training,
                allowed_groups: self.allowed_runner_group.clone(),
                required_labels: self.require_runner_label.clone(),
            },
            ignore_paths: self.ignore_paths.clone(),
            key: self.key.as_deref().map(PublicKey::from_file).transpose()?,
            certificate_chain,
        })
    }

    /// Verify, or fail on bad options before any evidence is read.
    pub fn run(&self) -> Result<Report, Error> {
        let verifier = Verifier::new(self.policy()?)?;
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
        .results
        .iter()
        .flat_map(|r| &r.verdict.checks)
        .filter(|c| c.status == Status::Warn)
        .count();
    let verdict = match report.failure() {
        None if warnings > 0 => format!("VERIFIED with {warnings} warning(s)"),
        None => "VERIFIED".to_string(),
        Some(f) => format!("FAILED ({})", f.class.name()),
    };
    println!("{verdict}: {}", report.evidence);
    println!("  trusted root: {}", report.trust_root);
    for r in &report.results {
        println!("  subject {} (entry {})", r.subject, r.verdict.entry);
        if let Some(s) = &r.verdict.signer {
            println!("    signer  {}", s.san.as_deref().unwrap_or("(no SAN)"));
            if let Some(i) = &s.issuer {
                println!("    issuer  {i}");
            }
        }
        if let Some(p) = &r.verdict.predicate_type {
            println!("    predicate {p}");
        }
        for c in &r.verdict.checks {
            let mark = match c.status {
                Status::Pass => "ok  ",
                Status::Fail => "FAIL",
                Status::Warn => "WARN",
                Status::NotApplicable => "n/a ",
            };
            println!("    {mark} {:<36} {}", c.name, c.detail);
        }
        if let Some(f) = &r.verdict.failure {
            println!("    error [{}]: {}", f.class.name(), f.message);
        }
    }
}
