//! The typed result of a verification: every check with its expected and
//! actual values, and the failure (if any) with its class.

use crate::error::{Error, ErrorClass, Result};
use crate::identity::CertIdentity;
use serde::Serialize;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The check ran and passed.
    Pass,
    /// The check ran and failed.
    Fail,
    /// The check ran and found a problem the policy did not ask to enforce
    /// (for example, an inconsistent provenance builder.id when no builder was
    /// required). Reported, never silent; the verdict can still be verified.
    Warn,
    /// The check does not apply to this evidence (for example, certificate
    /// claims of a keyed bundle). Never used for a check the policy asked for.
    NotApplicable,
}

/// One check, with what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable machine name, e.g. `identity.san`.
    pub name: String,
    /// Outcome.
    pub status: Status,
    /// What the policy required, when it required something.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the evidence holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// One line for people.
    pub detail: String,
}

/// The failure that stopped verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Failure class (maps to the CLI exit code).
    pub class: ErrorClass,
    /// What went wrong.
    pub message: String,
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Failure {
            class: e.class(),
            message: e.detail().to_string(),
        }
    }
}

/// The verdict over one evidence file.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// True only if every check that ran passed and none that the policy
    /// asked for was left out.
    pub verified: bool,
    /// The checks, in the order they ran (of the evidence entry reported).
    pub checks: Vec<Check>,
    /// Why verification failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// The signer as read from the certificate (keyless evidence only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<CertIdentity>,
    /// The in-toto predicate type, for DSSE evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// Which entry of a JSON Lines file was reported (0-based).
    pub entry: usize,
    /// The verified statement (DSSE evidence); `None` on failure.
    #[serde(skip)]
    pub statement: Option<crate::statement::Statement>,
}

impl Verdict {
    /// The error class to exit with, or `None` when verified.
    pub fn failure_class(&self) -> Option<ErrorClass> {
        self.failure.as_ref().map(|f| f.class)
    }
}

/// Collects checks while verification runs.
#[derive(Debug, Default, Clone)]
pub struct Checks(pub Vec<Check>);

impl Checks {
    /// Record a passed check.
    pub fn pass(
        &mut self,
        name: &str,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
    ) {
        self.push(name, Status::Pass, expected, actual, detail.into());
    }

    /// Record a problem that the policy does not enforce.
    pub fn warn(
        &mut self,
        name: &str,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
    ) {
        self.push(name, Status::Warn, expected, actual, detail.into());
    }

    /// Record a check that does not apply.
    pub fn not_applicable(&mut self, name: &str, detail: impl Into<String>) {
        self.push(name, Status::NotApplicable, None, None, detail.into());
    }

    /// Record the outcome of `result`: a pass with `detail`, or a failure with
    /// the error's message, which is then returned.
    pub fn record<T>(
        &mut self,
        name: &str,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
        result: Result<T>,
    ) -> Result<T> {
        match &result {
            Ok(_) => self.push(name, Status::Pass, expected, actual, detail.into()),
            Err(e) => self.push(name, Status::Fail, expected, actual, e.detail().to_string()),
        }
        result
    }

    /// Record a check that passes when `ok`, else fails with `error()`,
    /// which is then returned.
    pub fn require(
        &mut self,
        name: &str,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
        ok: bool,
        error: impl FnOnce() -> Error,
    ) -> Result<()> {
        let result = if ok { Ok(()) } else { Err(error()) };
        self.record(name, expected, actual, detail, result)
    }

    /// Record a comparison: passes when `ok`, else fails with `err(message)`.
    pub fn compare(
        &mut self,
        name: &str,
        expected: &str,
        actual: Option<&str>,
        ok: bool,
        err: fn(String) -> Error,
    ) -> Result<()> {
        let detail = if ok {
            format!("{name} is {expected}")
        } else {
            format!(
                "expected {expected}, certificate has {}",
                actual.unwrap_or("nothing")
            )
        };
        let result = if ok { Ok(()) } else { Err(err(detail.clone())) };
        self.record(
            name,
            Some(expected.into()),
            actual.map(str::to_string),
            detail,
            result,
        )
    }

    fn push(
        &mut self,
        name: &str,
        status: Status,
        expected: Option<String>,
        actual: Option<String>,
        detail: String,
    ) {
        self.0.push(Check {
            name: name.into(),
            status,
            expected,
            actual,
            detail,
        });
    }
}
