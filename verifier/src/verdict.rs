//! The typed result of a verification over one evidence file: its checks,
//! the failure (if any), the signer and the verified statement.

use crate::checks::{Check, Failure};
use crate::error::ErrorClass;
use crate::evidence::statement::Statement;
use crate::identity::CertIdentity;
use serde::Serialize;

/// The verdict over one evidence file. Only verification creates one; its
/// fields are read through the methods below.
///
/// ```compile_fail
/// // A verdict cannot be written by hand, let alone a passing one.
/// let forged = slsa_aibom_verify::Verdict { verified: true, ..todo!() };
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub(crate) verified: bool,
    pub(crate) checks: Vec<Check>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<Failure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signer: Option<CertIdentity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) predicate_type: Option<String>,
    pub(crate) entry: usize,
    #[serde(skip)]
    pub(crate) statement: Option<Statement>,
}

impl Verdict {
    /// True only if every check that ran passed and none that the policy
    /// asked for was left out.
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// The checks, in the order they ran (of the evidence entry reported).
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Why verification failed.
    pub fn failure(&self) -> Option<&Failure> {
        self.failure.as_ref()
    }

    /// The signer as read from the certificate (keyless evidence only).
    pub fn signer(&self) -> Option<&CertIdentity> {
        self.signer.as_ref()
    }

    /// The in-toto predicate type, for DSSE evidence.
    pub fn predicate_type(&self) -> Option<&str> {
        self.predicate_type.as_deref()
    }

    /// Which entry of a JSON Lines file was reported (0-based).
    pub fn entry(&self) -> usize {
        self.entry
    }

    /// The verified statement (DSSE evidence); `None` on failure.
    pub fn statement(&self) -> Option<&Statement> {
        self.statement.as_ref()
    }

    /// The error class to exit with, or `None` when verified.
    pub fn failure_class(&self) -> Option<ErrorClass> {
        self.failure.as_ref().map(|f| f.class)
    }
}
