//! The model passport: one screen answering what an organisation must know
//! before it trusts a model (after Google's "Securing the AI Software
//! Supply Chain"), each answer marked with what vouches for it.

use super::command_tier::CommandFacts;
use crate::documents::mlbom::MlBom;
use crate::documents::provenance::{ours, slsa_v1};
use crate::evidence::statement::Statement;
use crate::identity::CertIdentity;
use serde::Serialize;
use std::fmt;

/// What vouches for an answer: the four parties of `docs/buildtype-v1.md`
/// (platform, signing job, train runner, caller), the key holder or another
/// signer when the release is not from our builder workflow, and this
/// verifier or the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The platform: the signing certificate (Fulcio, from GitHub's OIDC
    /// token) or the GitHub Jobs API record our signing job carried.
    Platform,
    /// Checked by our builder workflow's signing job (GitHub-hosted, holds
    /// the token, compiles nothing) before it signed.
    SigningJob,
    /// Written by the train job, which may run on the tenant's machine;
    /// the signing job only carried it.
    TrainRunner,
    /// A keyed release: whoever holds the key says so.
    KeyHolder,
    /// A keyless release from a workflow other than our builder: that
    /// workflow says so.
    Signer,
    /// Recomputed by this verifier from the files at hand.
    Checked,
    /// Judged by the policy in force.
    Policy,
    /// Nothing vouches for it: no rule judged it.
    Unjudged,
    /// Written by the caller in the job spec; the builder only carried it.
    Caller,
    /// Reported by the caller's own training script (the command tier):
    /// our builder checked its form, never its truth.
    TrainingScript,
    /// A second builder's signed provenance of the same files from the
    /// same inputs: its signature and digests were checked now; that it
    /// rebuilt them is its word.
    Reproducer,
}

impl Basis {
    fn label(self) -> &'static str {
        match self {
            Basis::Platform => "verified: platform",
            Basis::SigningJob => "verified: signing job",
            Basis::TrainRunner => "asserted by the train runner",
            Basis::KeyHolder => "asserted by the key holder",
            Basis::Signer => "asserted by the signer",
            Basis::Checked => "verified: checked now",
            Basis::Policy => "verified: policy rules",
            Basis::Unjudged => "not verified",
            Basis::Caller => "asserted by caller",
            Basis::TrainingScript => "asserted by the training script",
            Basis::Reproducer => "verified: a second builder's signed rebuild",
        }
    }
}

/// One question and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The question.
    pub question: &'static str,
    /// The answer.
    pub answer: String,
    /// What vouches for it.
    pub basis: Basis,
}

/// The passport.
#[derive(Debug, Clone, Serialize)]
pub struct Passport {
    /// The answers, in a fixed order.
    pub(crate) answers: Vec<Answer>,
}

impl Passport {
    /// The answers, in a fixed order.
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }
}

/// What the passport is made from (all of it verified before).
pub struct Sources<'a> {
    /// The provenance signer's certificate identity (keyless releases).
    pub signer: Option<&'a CertIdentity>,
    /// The provenance statement.
    pub provenance: &'a Statement,
    /// The ML-BOM.
    pub bom: &'a MlBom,
    /// The model directory's root digest as recomputed now (`ALG:HEX`),
    /// and the number of signed files.
    pub model_root: (String, usize),
    /// A summary of the dataset rules (digests, dataset licences) that
    /// were applied, if any.
    pub policy_judgement: Option<String>,
    /// Whether the signer is our builder as the policy pins it exactly
    /// ([`crate::identity::our_builder::is_pinned_builder`]): only then do
    /// answers carry the platform's and the signing job's labels.
    pub pinned_builder: bool,
    /// Who signed a reproduction that verified and bound to the release.
    pub reproducer: Option<&'a str>,
}

/// A dataset component's name without the builder's " (SPLIT split)" suffix.
fn base_name(name: &str) -> &str {
    match name.rsplit_once(" (") {
        Some((base, rest)) if rest.ends_with(" split)") => base,
        _ => name,
    }
}

fn short(d: &str) -> &str {
    d.get(..16).unwrap_or(d)
}

/// `ALG:HEX` with the hex shortened.
fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex)) => format!("{alg}:{}", short(hex)),
        None => short(d).to_string(),
    }
}

impl Passport {
    /// The answer to the question that starts with `prefix`
    /// (`"Which system"`), if the passport asks one.
    pub fn answer(&self, prefix: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.question.starts_with(prefix))
    }

    /// Answer the questions from verified sources.
    pub fn new(s: &Sources<'_>) -> Self {
        let bom = s.bom;
        let vouch = Vouch::of(s);
        let authors = if bom.authors.is_empty() {
            "(no author declared)".into()
        } else {
            bom.authors.join(", ")
        };
        let version = format!(
            "{} {}",
            bom.model.name,
            bom.model.version.as_deref().unwrap_or("(unversioned)")
        );
        let unchanged = format!(
            "no: {} file(s) match the signed manifest, root {}",
            s.model_root.1,
            short_digest(&s.model_root.0)
        );
        let appropriate = match &s.policy_judgement {
            Some(j) => (j.clone(), Basis::Policy),
            None => (
                "not judged: the policy sets no dataset or licence rules".into(),
                Basis::Unjudged,
            ),
        };
        let answers = [
            ("Who created the model?", (authors, Basis::Caller)),
            ("Who had it built, from what?", source_answer(s)),
            ("Which system trained it?", system_answer(s, &vouch)),
            (
                "Has it changed since publishing?",
                (unchanged, Basis::Checked),
            ),
            ("Which version is it?", (version, Basis::Caller)),
            (
                "Which data and processing went in?",
                (data_answer(s), vouch.basis(Basis::TrainRunner)),
            ),
            ("What was it derived from?", {
                let (answer, party) = lineage_answer(s);
                (answer, vouch.basis(party))
            }),
            (
                "Which frameworks?",
                (frameworks_answer(s), vouch.basis(Basis::SigningJob)),
            ),
            (
                "Which evaluations?",
                (
                    evaluations_answer(s),
                    vouch.basis(if CommandFacts::of(s.provenance).is_some() {
                        Basis::TrainingScript
                    } else {
                        Basis::TrainRunner
                    }),
                ),
            ),
            ("Are the datasets appropriate?", appropriate),
            ("Which licences apply?", (licences_answer(s), Basis::Caller)),
            ("Did a second builder reproduce it?", reproduced_answer(s)),
        ];
        Passport {
            answers: answers
                .into_iter()
                .map(|(question, (answer, basis))| Answer {
                    question,
                    answer,
                    basis,
                })
                .collect(),
        }
    }
}

fn reproduced_answer(s: &Sources<'_>) -> (String, Basis) {
    match s.reproducer {
        Some(who) => (
            format!(
                "yes: {who} signed a rebuild from the same inputs to the same {} file(s)",
                s.model_root.1
            ),
            Basis::Reproducer,
        ),
        None => (
            "not checked: no second builder's provenance was given".into(),
            Basis::Unjudged,
        ),
    }
}

/// Who vouches for a record field that a given party vouches for in our
/// builder workflow's releases: that party for ours, the signer for
/// anyone else's, the key's holder for a keyed release.
struct Vouch {
    keyed: bool,
    ours: bool,
}

impl Vouch {
    fn of(s: &Sources<'_>) -> Self {
        Vouch {
            keyed: s.signer.is_none(),
            ours: s.signer.is_some() && s.pinned_builder,
        }
    }

    fn basis(&self, party: Basis) -> Basis {
        match (self.keyed, self.ours) {
            (true, _) => Basis::KeyHolder,
            (false, true) => party,
            (false, false) => Basis::Signer,
        }
    }
}

/// The source, event and run from the certificate; the key's holder and
/// the job for a keyed release.
fn source_answer(s: &Sources<'_>) -> (String, Basis) {
    match s.signer {
        Some(id) => (
            format!(
                "{} at {} ({} event), run {}",
                id.claims.source_repository_uri.as_deref().unwrap_or("?"),
                id.claims.source_repository_ref.as_deref().unwrap_or("?"),
                id.claims.build_trigger.as_deref().unwrap_or("?"),
                id.claims.run_invocation_uri.as_deref().unwrap_or("?")
            ),
            Basis::Platform,
        ),
        None => (
            format!(
                "the holder of the supplied key; job {}",
                super::command_tier::job(s.provenance).0
            ),
            Basis::KeyHolder,
        ),
    }
}

/// The builder (as the certificate names it; a keyed release has only the
/// provenance's word), the train runner and the requested device.
fn system_answer(s: &Sources<'_>, vouch: &Vouch) -> (String, Basis) {
    let p = ours(s.provenance).ok();
    let claimed = slsa_v1(s.provenance).ok().map(|p| p.run_details.builder.id);
    let builder = s
        .signer
        .and_then(|id| id.san.as_deref())
        .or(claimed.as_deref())
        .unwrap_or("?");
    let definition = p.as_ref().map(|p| &p.build_definition);
    let runner = definition
        .and_then(|d| d.internal_parameters.as_ref())
        .and_then(|i| i.train_runner.clone())
        .unwrap_or_default();
    let runner = &runner;
    let device = definition.map_or("?", |d| d.external_parameters.device.as_str());
    let trained = match CommandFacts::of(s.provenance) {
        Some(c) => c.describe(builder, s.reproducer.is_some()),
        // The device is the one the job asked for.
        None => format!("{builder}, requested device {device}"),
    };
    let system = match runner["runnerName"].as_str() {
        Some(name) => format!(
            "{trained}, on runner {name} (group {}, {})",
            runner["runnerGroup"].as_str().unwrap_or("?"),
            if crate::documents::runner_policy::record_is_self_hosted(runner) {
                "self-hosted"
            } else {
                "GitHub-hosted"
            }
        ),
        None => format!("{trained} (no runner record)"),
    };
    // The runner record comes from the Jobs API through our signing job;
    // without it, only the signer speaks.
    let party = if runner.is_object() {
        Basis::Platform
    } else {
        Basis::TrainRunner
    };
    (system, vouch.basis(party))
}

/// The datasets with their digests, the split sizes and the job's digest.
fn data_answer(s: &Sources<'_>) -> String {
    let mut data: Vec<String> = s
        .bom
        .datasets
        .iter()
        .map(|d| {
            format!(
                "{} [{}]",
                base_name(&d.name),
                d.sha256
                    .iter()
                    .map(|h| short(h))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    data.dedup();
    let rows = super::consistency::split_rows(s.provenance);
    let splits = if rows.is_empty() {
        "no split sizes recorded".to_string()
    } else {
        rows.iter()
            .map(|(split, n)| format!("{split} {n} rows"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let job = super::command_tier::job(s.provenance).1;
    if CommandFacts::of(s.provenance).is_some() {
        return format!(
            "{}; splits and preprocessing: the caller's script's, per job sha256:{}",
            data.join("; "),
            short(&job)
        );
    }
    format!(
        "{}; splits: {splits}; preprocessing and splits per job sha256:{}",
        data.join("; "),
        short(&job)
    )
}

/// The base model a fine-tuned model came from, and how the train job
/// checked it before training.
/// The base models, and who checked them: the signing job when it
/// verified every base model's signature itself, else the train runner.
fn lineage_answer(s: &Sources<'_>) -> (String, Basis) {
    use crate::display::one_line;
    use slsa_aibom_types::provenance::BASE_MODEL;
    let Ok(p) = slsa_v1(s.provenance) else {
        return (
            "not recorded (no SLSA v1 provenance)".into(),
            Basis::TrainRunner,
        );
    };
    let mut bases = Vec::new();
    let mut all_rechecked = true;
    for d in &p.build_definition.resolved_dependencies {
        let digest = d.sha256_hex().unwrap_or_else(|| "?".into());
        if let Some(a) = d.base_model_annotations() {
            let path = one_line(
                d.uri
                    .as_deref()
                    .unwrap_or(&d.name)
                    .trim_start_matches("file:"),
            );
            // The job's name for the base model (the caller's word, so
            // said), beside the directory the digest covers.
            let named = match &s.bom.base_model {
                Some(name) => format!(
                    "{} (the job's name for it), directory {path}",
                    one_line(name)
                ),
                None => path.into_owned(),
            };
            let mut line = format!(
                "{named} (model-signing manifest sha256:{}), checked by {}",
                short(&digest),
                one_line(&a.verification.verified_by)
            );
            if let Some(signer) = &a.verification.signer {
                line += &format!(", signer {}", one_line(signer));
            }
            match a.verification.checked_by.as_deref() {
                Some(by) => line += &format!("; the signature re-verified by the {}", one_line(by)),
                None => all_rechecked = false,
            }
            bases.push(line);
        } else if d.name == BASE_MODEL {
            all_rechecked = false;
            bases.push(format!(
                "base weights sha256:{}, vouched for by a signed attestation",
                short(&digest)
            ));
        }
    }
    if bases.is_empty() {
        return (
            "nothing: no base model is recorded (trained from scratch)".into(),
            Basis::TrainRunner,
        );
    }
    let party = if all_rechecked {
        Basis::SigningJob
    } else {
        Basis::TrainRunner
    };
    (bases.join("; "), party)
}

/// The frameworks and applications the ML-BOM names (the trainer binary
/// and its Cargo.lock are checked by the signing job).
fn frameworks_answer(s: &Sources<'_>) -> String {
    let frameworks: Vec<String> = s
        .bom
        .frameworks
        .iter()
        .chain(&s.bom.applications)
        .map(|f| format!("{} {}", f.name, f.version.as_deref().unwrap_or("?")))
        .collect();
    match CommandFacts::of(s.provenance).filter(|c| !c.packages().is_empty()) {
        Some(c) => format!(
            "{}; the script's Python environment: {}",
            frameworks.join(", "),
            c.packages().join(", ")
        ),
        None => frameworks.join(", "),
    }
}

/// The test split's metrics.
fn evaluations_answer(s: &Sources<'_>) -> String {
    let metrics: Vec<String> = s
        .bom
        .metrics
        .iter()
        .filter(|m| m.slice == "test")
        .map(|m| format!("{} {}", m.kind, m.value))
        .collect();
    if metrics.is_empty() {
        "(no test-split metrics)".into()
    } else {
        format!("test split: {}", metrics.join(", "))
    }
}

/// The model's and each dataset's licences.
fn licences_answer(s: &Sources<'_>) -> String {
    let bom = s.bom;
    let mut licences = vec![format!("model {}", bom.model.licenses.join(" AND "))];
    licences.extend(bom.datasets.iter().map(|d| match d.licenses.is_empty() {
        true => format!("{} (no licence declared)", base_name(&d.name)),
        false => format!("{} {}", base_name(&d.name), d.licenses.join(" AND ")),
    }));
    licences.dedup();
    licences.join("; ")
}

impl fmt::Display for Passport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "MODEL PASSPORT")?;
        for a in &self.answers {
            let answer = crate::display::one_line(&a.answer);
            writeln!(f, "  {:<36} {answer}", a.question)?;
            writeln!(f, "  {:<36} ({})", "", a.basis.label())?;
        }
        Ok(())
    }
}
