//! The signing job's own checks, by a stable code. Before it signs, the
//! signing job holds the train runner's record (and the train job the Jobs
//! API lists) to what it knows itself; a check that fails refuses with its
//! code, and nothing is signed. `docs/buildtype-v1.md` ("Held to the
//! platform") lists every code, generated from [`SigningCheck::ALL`] and
//! held to it by a test.

use crate::error::BuildError;

/// A check the signing job makes before (or, for the builder commit, just
/// after) signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningCheck {
    /// The record's job path and digest are the build definition's.
    DefinitionJob,
    /// The record's job spec is the one `detect` read.
    DefinitionSpec,
    /// A base model is recorded exactly when the spec fine-tunes one, with its pins.
    BaseModel,
    /// The base model's signature verifies in the signing job.
    BaseModelSignature,
    /// Every digest the caller expected is an input of the record.
    DefinitionExpectedDigests,
    /// The record's trainer is the signing job's own.
    Trainer,
    /// The record names this run and attempt.
    Invocation,
    /// The record's times lie within the train job's.
    Times,
    /// The Jobs API lists this run attempt's jobs.
    TrainRunnerJobs,
    /// The signing job finds itself among them, by its name.
    TrainRunnerAttestJob,
    /// Exactly one job has the train job's name.
    TrainRunnerFind,
    /// The train job's self-reported ID is that job.
    TrainRunnerSelfReport,
    /// The train job belongs to this run.
    TrainRunnerRun,
    /// The train job ran in this attempt.
    TrainRunnerAttempt,
    /// The train job finished successfully.
    TrainRunnerFinished,
    /// The API names the train job's runner and group.
    TrainRunnerRunner,
    /// The train job ran on the runners `train-runs-on` asked for.
    TrainRunnerRunsOn,
    /// After signing, the certificate names the builder commit `detect` reported.
    BuilderCommit,
}

impl SigningCheck {
    /// Every code, in the order of `docs/buildtype-v1.md`.
    pub const ALL: &'static [SigningCheck] = &[
        SigningCheck::DefinitionJob,
        SigningCheck::DefinitionSpec,
        SigningCheck::BaseModel,
        SigningCheck::BaseModelSignature,
        SigningCheck::DefinitionExpectedDigests,
        SigningCheck::Trainer,
        SigningCheck::Invocation,
        SigningCheck::Times,
        SigningCheck::TrainRunnerJobs,
        SigningCheck::TrainRunnerAttestJob,
        SigningCheck::TrainRunnerFind,
        SigningCheck::TrainRunnerSelfReport,
        SigningCheck::TrainRunnerRun,
        SigningCheck::TrainRunnerAttempt,
        SigningCheck::TrainRunnerFinished,
        SigningCheck::TrainRunnerRunner,
        SigningCheck::TrainRunnerRunsOn,
        SigningCheck::BuilderCommit,
    ];

    /// The stable code an error names (these never change).
    pub fn code(self) -> &'static str {
        use SigningCheck::*;
        match self {
            DefinitionJob => "attest.definition.job",
            DefinitionSpec => "attest.definition.spec",
            BaseModel => "attest.base-model",
            BaseModelSignature => "attest.base-model.signature",
            DefinitionExpectedDigests => "attest.definition.expected-digests",
            Trainer => "attest.trainer",
            Invocation => "attest.invocation",
            Times => "attest.times",
            TrainRunnerJobs => "train-runner.jobs",
            TrainRunnerAttestJob => "train-runner.attest-job",
            TrainRunnerFind => "train-runner.find",
            TrainRunnerSelfReport => "train-runner.self-report",
            TrainRunnerRun => "train-runner.run",
            TrainRunnerAttempt => "train-runner.attempt",
            TrainRunnerFinished => "train-runner.finished",
            TrainRunnerRunner => "train-runner.runner",
            TrainRunnerRunsOn => "train-runner.runs-on",
            BuilderCommit => "attest.builder-commit",
        }
    }

    /// What must hold, in one line.
    pub fn description(self) -> &'static str {
        use SigningCheck::*;
        match self {
            DefinitionJob => "the record's job path and sha256 are the build definition's",
            DefinitionSpec => "the build definition's job text has the digest `detect` fixed, and the record's job spec equals it; the provenance's `externalParameters.spec` is taken from that text, not from the record",
            BaseModel => "a base model is recorded exactly when the job spec fine-tunes one, with the digests it pins",
            BaseModelSignature => "when the job names a base-model signature, it verifies in the signing job (the copy `detect` embedded in the build definition, above) over the manifest the record names, and the record's signer and files are held to it",
            DefinitionExpectedDigests => "every digest the caller expected is an input of the record",
            Trainer => "the record's trainer and `Cargo.lock` digests are the signing job's own; the trainer's version and locked packages (the ML-BOM's framework components) are then taken from the signing job's own binary, not from the record",
            Invocation => "the record names this run and attempt",
            Times => "the record's start and end are RFC 3339 times within the train job's (Jobs API)",
            TrainRunnerJobs => "the Jobs API lists this run attempt's jobs (at most 5000)",
            TrainRunnerAttestJob => "the signing job is among them, by its check-run ID, named `attest` or `CALLER / attest`",
            TrainRunnerFind => "exactly one job of the run attempt is named `train` (or `CALLER / train`)",
            TrainRunnerSelfReport => "the train job's self-reported ID, if any, is that job",
            TrainRunnerRun => "the train job belongs to this run",
            TrainRunnerAttempt => "the train job ran in this attempt",
            TrainRunnerFinished => "the train job completed successfully",
            TrainRunnerRunner => "the Jobs API names the train job's runner and runner group",
            TrainRunnerRunsOn => "the train job ran on the labels and group `train-runs-on` asked for",
            BuilderCommit => "after signing: the certificate's signer commit (`.1.10`) is the commit `detect` reported (the signed files are then discarded)",
        }
    }

    /// The refusal: a verification error (exit 7) naming this check.
    pub fn refuse(self, why: impl std::fmt::Display) -> BuildError {
        BuildError::Verify(format!("{}: {why}; nothing is signed", self.code()))
    }
}

#[cfg(test)]
mod tests {
    use super::SigningCheck;

    /// The generated table of `docs/buildtype-v1.md`.
    fn table() -> String {
        let rows: String = SigningCheck::ALL
            .iter()
            .map(|c| format!("| `{}` | {} |\n", c.code(), c.description()))
            .collect();
        format!("| check | what must hold |\n|---|---|\n{rows}")
    }

    #[test]
    fn codes_are_unique_and_each_refusal_names_its_code() {
        let mut seen = std::collections::BTreeSet::new();
        for c in SigningCheck::ALL {
            assert!(seen.insert(c.code()), "{} twice", c.code());
            let e = c.refuse("why");
            assert_eq!(e.exit_code(), 7, "{e}");
            assert_eq!(
                e.to_string(),
                format!("verification: {}: why; nothing is signed", c.code())
            );
        }
    }

    /// `UPDATE_CHECKS_DOC=1 cargo test -p slsa-aibom-builder --lib signing_check`
    /// rewrites the table between the markers.
    #[test]
    fn docs_list_every_signing_check() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/buildtype-v1.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let (open, close) = ("<!-- signing-checks -->\n", "<!-- /signing-checks -->");
        let (head, rest) = text.split_once(open).expect("the opening marker");
        let (_, tail) = rest.split_once(close).expect("the closing marker");
        let want = format!("{head}{open}{}{close}{tail}", table());
        if std::env::var_os("UPDATE_CHECKS_DOC").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        assert!(
            text == want,
            "docs/buildtype-v1.md's signing checks differ from SigningCheck: run UPDATE_CHECKS_DOC=1 cargo test -p slsa-aibom-builder --lib signing_check"
        );
    }
}
