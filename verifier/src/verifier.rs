//! The orchestrator: evidence file + subjects + policy → one verdict per subject.

use crate::check_id::CheckId;
use crate::checks::{Checks, Failure};
use crate::digest::{hash_file, Digest};
use crate::documents::model_signing;
use crate::documents::provenance;
use crate::documents::runner_policy;
use crate::error::{Error, Result};
use crate::evidence::bundle_check::{self, SigstoreArtifact};
use crate::evidence::statement::{self, Statement};
use crate::evidence::{self, Evidence};
use crate::identity::CertIdentity;
use crate::policy::Policy;
use crate::setting::SettingProblem;
use crate::verdict::Verdict;
use crate::{evidence::bare_dsse, evidence::private_pki, identity::signer_checks};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What the evidence must cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A file; its sha256 and sha512 are matched against the statement.
    File(PathBuf),
    /// A bare digest (`sha256:HEX`, `sha512:HEX`, or another in-toto algorithm).
    Digest(Digest),
    /// A model directory, checked against an OpenSSF model signature.
    ModelDir(PathBuf),
}

impl Subject {
    /// Interpret a command-line argument: an existing directory or file, else
    /// an `ALG:VALUE` digest.
    pub fn parse(arg: &str) -> Result<Self> {
        let p = Path::new(arg);
        if p.is_dir() {
            return Ok(Subject::ModelDir(p.to_path_buf()));
        }
        if p.is_file() {
            return Ok(Subject::File(p.to_path_buf()));
        }
        if arg.contains(':') {
            return Digest::parse(arg).map(Subject::Digest);
        }
        Err(Error::Input(format!(
            "{arg}: no such file or directory, and not an ALG:HEX digest"
        )))
    }

    fn describe(&self) -> String {
        match self {
            Subject::File(p) | Subject::ModelDir(p) => p.display().to_string(),
            Subject::Digest(d) => d.to_string(),
        }
    }
}

/// A subject being verified, with its file digests computed at most once
/// however many evidence entries are tried against it.
struct Target<'a> {
    subject: &'a Subject,
    file_digests: std::cell::OnceCell<[Digest; 2]>,
}

impl Target<'_> {
    fn file_digests(&self, path: &Path) -> Result<&[Digest; 2]> {
        if let Some(d) = self.file_digests.get() {
            return Ok(d);
        }
        let d = hash_file(path)?;
        Ok(self.file_digests.get_or_init(|| d))
    }
}

/// What to verify: one evidence file and the subjects it must cover.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// A Sigstore bundle (JSON or JSON Lines) or a DSSE envelope file.
    pub evidence: PathBuf,
    /// Every subject must be covered by a verifying entry of the file.
    pub subjects: Vec<Subject>,
}

/// The verdict for one subject.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectVerdict {
    pub(crate) subject: String,
    #[serde(flatten)]
    pub(crate) verdict: Verdict,
}

impl SubjectVerdict {
    /// The subject as given.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The verdict.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
}

/// The whole result of a call. Only verification creates one.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub(crate) verified: bool,
    pub(crate) evidence: String,
    pub(crate) trust_root: String,
    pub(crate) results: Vec<SubjectVerdict>,
}

impl Report {
    /// True only if every subject verified.
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// The evidence file.
    pub fn evidence(&self) -> &str {
        &self.evidence
    }

    /// Where the trusted root came from.
    pub fn trust_root(&self) -> &str {
        &self.trust_root
    }

    /// One verdict per subject.
    pub fn results(&self) -> &[SubjectVerdict] {
        &self.results
    }

    /// The first failure, which decides the exit code.
    pub fn failure(&self) -> Option<&Failure> {
        self.results.iter().find_map(|r| r.verdict.failure.as_ref())
    }

    /// The verdict that decides a call where every subject must verify: the
    /// first that failed, else the first; `None` when there were no subjects.
    pub fn deciding_verdict(&self) -> Option<&Verdict> {
        self.results
            .iter()
            .find(|r| !r.verdict.verified)
            .or(self.results.first())
            .map(|r| &r.verdict)
    }
}

/// Verifies evidence under one policy. Build it once; verify many times.
pub struct Verifier {
    policy: Policy,
    /// `None` for a private PKI, whose evidence `sigstore-verify` never sees.
    sigstore: Option<sigstore_verify::Verifier>,
}

impl Verifier {
    /// Prepare a verifier. Fails with [`Error::Input`] on a contradictory
    /// policy or a trusted root that `sigstore-verify` rejects.
    pub fn new(policy: Policy) -> Result<Self> {
        policy.validate()?;
        let sigstore = policy
            .anchor
            .trust_root()
            .map(|root| {
                sigstore_verify::Verifier::new(&root.root).map_err(|e| {
                    Error::Input(format!("trusted root {} rejected: {e}", root.origin))
                })
            })
            .transpose()?;
        Ok(Verifier { policy, sigstore })
    }

    fn sigstore(&self) -> Result<&sigstore_verify::Verifier> {
        self.sigstore.as_ref().ok_or_else(|| {
            Error::Input(
                "the policy trusts a private PKI, which has no Sigstore trusted root".into(),
            )
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// An empty check list that names settings as the policy asks.
    pub(crate) fn checks(&self) -> Checks {
        Checks::named(self.policy.setting_names)
    }

    /// Verify `inputs`. Never panics on bad input; every problem becomes a
    /// failed verdict with its class.
    pub fn verify(&self, inputs: &Inputs) -> Report {
        let entries = evidence::load(&inputs.evidence);
        let results = inputs
            .subjects
            .iter()
            .map(|subject| SubjectVerdict {
                subject: subject.describe(),
                verdict: match &entries {
                    Ok(entries) => self.verify_entries(entries, subject, &inputs.evidence),
                    Err(e) => failed(self.checks(), e, 0),
                },
            })
            .collect::<Vec<_>>();
        let verified = !results.is_empty() && results.iter().all(|r| r.verdict.verified);
        let trust_root = self.policy.anchor.describe();
        Report {
            verified,
            evidence: inputs.evidence.display().to_string(),
            trust_root,
            results,
        }
    }

    /// Verify one subject against parsed evidence entries: the first entry
    /// that verifies wins; otherwise the most telling failure is reported.
    pub fn verify_entries(
        &self,
        entries: &[Result<Evidence>],
        subject: &Subject,
        evidence_path: &Path,
    ) -> Verdict {
        let target = Target {
            subject,
            file_digests: std::cell::OnceCell::new(),
        };
        let mut best: Option<Verdict> = None;
        for (i, entry) in entries.iter().enumerate() {
            let mut checks = self.checks();
            let mut signer = None;
            let mut statement = None;
            let outcome = match entry {
                Ok(ev) => self.verify_one(
                    ev,
                    &target,
                    evidence_path,
                    &mut checks,
                    &mut signer,
                    &mut statement,
                ),
                Err(e) => Err(e.clone()),
            };
            let verdict = match outcome {
                Ok(()) => Verdict {
                    verified: true,
                    checks: checks.0,
                    failure: None,
                    signer,
                    predicate_type: statement
                        .as_ref()
                        .map(|s: &Statement| s.predicate_type.clone()),
                    statement,
                    entry: i,
                },
                Err(e) => Verdict {
                    signer,
                    predicate_type: statement.map(|s| s.predicate_type),
                    ..failed(checks, &e, i)
                },
            };
            if verdict.verified {
                return verdict;
            }
            // A subject mismatch on one line of a JSONL file says least: that
            // line is about another artifact. Keep any other failure over it.
            let rank =
                |v: &Verdict| matches!(v.failure_class(), Some(crate::ErrorClass::Digest)) as u8;
            if best.as_ref().is_none_or(|b| rank(&verdict) < rank(b)) {
                best = Some(verdict);
            }
        }
        best.unwrap_or_else(|| {
            failed(
                self.checks(),
                &Error::Input("evidence file has no entries".into()),
                0,
            )
        })
    }

    fn verify_one(
        &self,
        ev: &Evidence,
        target: &Target<'_>,
        evidence_path: &Path,
        checks: &mut Checks,
        signer: &mut Option<CertIdentity>,
        verified_statement: &mut Option<Statement>,
    ) -> Result<()> {
        let policy = &self.policy;
        let subject = target.subject;
        let (statement, cert) = self.cryptography(ev, target, checks)?;
        let leaf = match ev {
            Evidence::Bundle(b) => b.signing_certificate().map(|c| c.as_bytes().to_vec()),
            Evidence::BareDsse(_) => None,
        };
        let identity = cert
            .as_ref()
            .map(|info| CertIdentity::from_cert(info, leaf.as_deref()));
        *signer = identity.clone();
        self.identity_checks(identity.as_ref(), checks)?;
        let Some(st) = statement else {
            if policy.predicate_type.is_some() || policy.builder_id.is_some() {
                return checks.record(
                    CheckId::Statement,
                    None,
                    None,
                    "",
                    Err(Error::Policy(
                        "policy requires an in-toto statement; this is a message signature".into(),
                    )),
                );
            }
            checks.pass(
                CheckId::Subject,
                None,
                Some(subject.describe()),
                "message signature covers the artifact",
            );
            return Ok(());
        };
        *verified_statement = Some(st.clone());
        self.statement_checks(&st, identity.as_ref(), target, evidence_path, checks)
    }

    /// The evidence's cryptography, by its kind: a bare DSSE envelope, a
    /// bundle under a private PKI, or a Sigstore bundle (for a file or
    /// digest, or a model directory's signed root). The statement, if any,
    /// and the verified certificate, if keyless.
    fn cryptography(
        &self,
        ev: &Evidence,
        target: &Target<'_>,
        checks: &mut Checks,
    ) -> Result<(Option<Statement>, Option<sigstore_crypto::CertificateInfo>)> {
        let (policy, subject) = (&self.policy, target.subject);
        Ok(match ev {
            Evidence::BareDsse(env) => {
                bare_dsse::verify(env, &policy.anchor, checks)?;
                (ev.statement().transpose()?, None)
            }
            Evidence::Bundle(bundle) => {
                let statement = ev.statement().transpose()?;
                if let Some(chain) = policy.anchor.certificate_chain() {
                    (statement, Some(private_pki::verify(bundle, chain, checks)?))
                } else {
                    let artifact_digest;
                    let artifact = match (subject, &statement) {
                        (Subject::File(p), None) => SigstoreArtifact::File(p),
                        (Subject::Digest(d), _) => SigstoreArtifact::Digest(d),
                        // A model signature (over a directory or one file):
                        // crypto first, against the signed root; the files
                        // are checked below.
                        (Subject::ModelDir(_), Some(st)) => {
                            artifact_digest = signed_root(st)?;
                            SigstoreArtifact::Digest(&artifact_digest)
                        }
                        (Subject::File(_), Some(st))
                            if st.predicate_type == model_signing::MODEL_SIGNING_V1 =>
                        {
                            artifact_digest = signed_root(st)?;
                            SigstoreArtifact::Digest(&artifact_digest)
                        }
                        (Subject::File(p), Some(st)) => {
                            artifact_digest = pick_digest(st, target.file_digests(p)?);
                            SigstoreArtifact::Digest(&artifact_digest)
                        }
                        (Subject::ModelDir(_), None) => return Err(Error::Input("a model directory needs a DSSE model signature, not a message signature".into())),
                    };
                    (
                        statement,
                        bundle_check::verify(
                            bundle,
                            artifact,
                            &policy.anchor,
                            self.sigstore()?,
                            checks,
                        )?
                        .cert,
                    )
                }
            }
        })
    }

    /// The signer's identity against the policy: keyless evidence needs an
    /// expected signer, and a policy that names one needs a certificate.
    fn identity_checks(&self, identity: Option<&CertIdentity>, checks: &mut Checks) -> Result<()> {
        let policy = &self.policy;
        let fulcio = identity.is_some() && policy.anchor.certificate_chain().is_none();
        if fulcio && !policy.names_signer() {
            return checks.record(
                CheckId::Identity,
                None,
                identity.and_then(|i| i.san.clone()),
                "",
                Err(Error::Setting(SettingProblem::NoExpectedSigner)),
            );
        }
        match identity {
            Some(id) => signer_checks::check(id, &policy.signer_expectations(), checks)?,
            None if policy.requires_certificate_identity() => {
                return checks.record(
                    CheckId::Identity,
                    None,
                    None,
                    "",
                    Err(Error::Identity(
                        "the policy names a signer identity, but this evidence has no certificate"
                            .into(),
                    )),
                );
            }
            None => {}
        }

        Ok(())
    }

    /// The statement: its predicate type, its subject, and for SLSA
    /// provenance the builder and the runner policy.
    fn statement_checks(
        &self,
        st: &Statement,
        identity: Option<&CertIdentity>,
        target: &Target<'_>,
        evidence_path: &Path,
        checks: &mut Checks,
    ) -> Result<()> {
        let policy = &self.policy;
        // The predicate types accepted: the policy's, else, when only a
        // builder ID is required, either SLSA provenance that defines one.
        let accepted: Vec<&str> = match (&policy.predicate_type, &policy.builder_id) {
            (Some(t), _) => vec![t.as_str()],
            (None, Some(_)) => provenance::SLSA_PROVENANCE_TYPES.to_vec(),
            (None, None) => Vec::new(),
        };
        if !accepted.is_empty() {
            checks.compare(
                CheckId::StatementPredicateType,
                &accepted.join(" or "),
                Some(&st.predicate_type),
                accepted.contains(&st.predicate_type.as_str()),
                Error::Policy,
            )?;
        }
        self.check_subject(st, target, evidence_path, checks)?;
        if st.is_slsa_provenance() {
            let enforce = policy.builder_id.is_some()
                || accepted
                    .iter()
                    .any(|t| t.starts_with("https://slsa.dev/provenance/"));
            provenance::check(st, identity, policy.builder_id.as_deref(), enforce, checks)?;
            if let Some(id) = identity.filter(|_| !policy.runner.is_empty()) {
                if !crate::identity::our_builder::is_pinned_builder(
                    policy.identity.as_ref(),
                    id.san.as_deref(),
                ) {
                    return Err(Error::Setting(SettingProblem::RunnerRulesNeedBuilderPin));
                }
            }
            runner_policy::check(st, &policy.runner, checks)?;
        } else if policy.builder_id.is_some() {
            return Err(Error::Setting(SettingProblem::BuilderIdNeedsProvenance));
        } else if !policy.runner.is_empty() {
            return Err(Error::Policy(
                "a runner policy needs SLSA provenance (the train runner is recorded there)".into(),
            ));
        }
        Ok(())
    }

    fn check_subject(
        &self,
        st: &Statement,
        target: &Target<'_>,
        evidence_path: &Path,
        checks: &mut Checks,
    ) -> Result<()> {
        let subject = target.subject;
        let digests = match subject {
            // A model signature over one file: its manifest, not its bytes,
            // is the subject.
            Subject::File(p) if st.predicate_type == model_signing::MODEL_SIGNING_V1 => {
                let m = checks.record(
                    CheckId::ModelFiles,
                    None,
                    None,
                    "the file matches the signed single-file manifest",
                    model_signing::verify_file(st, p),
                )?;
                vec![m.root]
            }
            Subject::File(p) => target.file_digests(p)?.to_vec(),
            Subject::Digest(d) => vec![d.clone()],
            Subject::ModelDir(dir) => {
                let m = model_signing::verify_dir(
                    st,
                    dir,
                    Some(evidence_path),
                    &self.policy.ignore_paths,
                );
                let m = checks.record(
                    CheckId::ModelFiles,
                    None,
                    None,
                    "every file in the directory matches the signed manifest",
                    m,
                )?;
                vec![m.root]
            }
        };
        match statement::subject_matching(st, &digests) {
            Some(s) => {
                let d = digests
                    .iter()
                    .find(|d| statement::subject_matches(s, std::slice::from_ref(d)))
                    .map(|d| d.to_string());
                checks.pass(
                    CheckId::Subject,
                    None,
                    d,
                    format!(
                        "statement subject {:?} covers {}",
                        s.name,
                        subject.describe()
                    ),
                );
                Ok(())
            }
            None => checks.record(
                CheckId::Subject,
                Some(
                    digests
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                None,
                "",
                Err(Error::Digest(format!(
                    "no subject of the statement matches {}",
                    subject.describe()
                ))),
            ),
        }
    }
}

/// The root digest a model signature signs (its first subject's sha256).
fn signed_root(st: &Statement) -> Result<Digest> {
    st.subject[0]
        .digest
        .get("sha256")
        .map(|v| Digest {
            algorithm: "sha256".into(),
            value: v.clone(),
        })
        .ok_or_else(|| Error::Input("model signature subject has no sha256 digest".into()))
}

/// The digest sigstore-verify binds: sha256 if any subject carries one, else sha512.
fn pick_digest(st: &Statement, file: &[Digest; 2]) -> Digest {
    if st.subject.iter().any(|s| s.digest.contains_key("sha256")) {
        file[0].clone()
    } else {
        file[1].clone()
    }
}

/// A verdict that failed with `e` after `checks`.
pub(crate) fn failed(checks: Checks, e: &Error, entry: usize) -> Verdict {
    let failure = Some(checks.failure(e));
    Verdict {
        verified: false,
        checks: checks.0,
        failure,
        signer: None,
        predicate_type: None,
        statement: None,
        entry,
    }
}
