//! The checks of a verification as they run: each with its expected and
//! actual values, and the failure (if any) with its class. Every layer
//! records into [`Checks`]; only [`crate::Verdict`] and the reports hand
//! them out.

use crate::check_id::CheckId;
use crate::error::{Error, ErrorClass, Result};
use crate::setting::{SettingNames, SettingProblem};
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

/// One check, with what was expected and what was found. Only the
/// verifier records checks; callers read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub(crate) id: CheckId,
    /// The step, path or rule of a qualified id.
    pub(crate) qualifier: Option<String>,
    /// The part of a larger verification it was run in (`intoto` in a release).
    pub(crate) scope: Option<&'static str>,
    pub(crate) status: Status,
    pub(crate) expected: Option<String>,
    pub(crate) actual: Option<String>,
    pub(crate) detail: String,
}

impl Check {
    /// The check's id.
    pub fn id(&self) -> CheckId {
        self.id
    }

    /// Its stable name as reports print it, e.g. `identity.san`,
    /// `step.train` or, in a release, `intoto.layout.signature`.
    pub fn name(&self) -> String {
        let name = self.id.qualified(self.qualifier.as_deref());
        match self.scope {
            Some(scope) => format!("{scope}.{name}"),
            None => name,
        }
    }

    /// Its outcome.
    pub fn status(&self) -> Status {
        self.status
    }

    /// What the policy required, when it required something.
    pub fn expected(&self) -> Option<&str> {
        self.expected.as_deref()
    }

    /// What the evidence holds.
    pub fn actual(&self) -> Option<&str> {
        self.actual.as_deref()
    }

    /// One line for people.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 3 + usize::from(self.expected.is_some()) + usize::from(self.actual.is_some());
        let mut st = s.serialize_struct("Check", fields)?;
        st.serialize_field("name", &self.name())?;
        st.serialize_field("status", &self.status)?;
        if let Some(e) = &self.expected {
            st.serialize_field("expected", e)?;
        }
        if let Some(a) = &self.actual {
            st.serialize_field("actual", a)?;
        }
        st.serialize_field("detail", &self.detail)?;
        st.end()
    }
}

/// A check's id with the qualifier of a qualified id (`step.train`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckName {
    id: CheckId,
    qualifier: Option<String>,
}

impl From<CheckId> for CheckName {
    fn from(id: CheckId) -> Self {
        CheckName {
            id,
            qualifier: None,
        }
    }
}

impl CheckId {
    /// This qualified id for one step, path or rule.
    pub fn of(self, qualifier: impl Into<String>) -> CheckName {
        CheckName {
            id: self,
            qualifier: Some(qualifier.into()),
        }
    }
}

impl std::fmt::Display for CheckName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id.qualified(self.qualifier.as_deref()))
    }
}

/// The failure that stopped verification. Only verification makes one;
/// callers read it through the methods below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub(crate) class: ErrorClass,
    pub(crate) message: String,
    #[serde(skip)]
    pub(crate) setting_problem: Option<SettingProblem>,
}

impl Failure {
    /// The failure's class (maps to the CLI exit code).
    pub fn class(&self) -> ErrorClass {
        self.class
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// When a setting did not fit the evidence: which, as data (the message
    /// names it with the policy's [`SettingNames`]).
    pub fn setting_problem(&self) -> Option<&SettingProblem> {
        self.setting_problem.as_ref()
    }

    /// The failure `e`, its settings named with `names`.
    pub(crate) fn new(e: &Error, names: SettingNames) -> Self {
        Failure {
            class: e.class(),
            message: e.detail_with(names).into_owned(),
            setting_problem: match e {
                Error::Setting(p) => Some(p.clone()),
                _ => None,
            },
        }
    }
}

/// Collects checks while verification runs; failures name settings with
/// the policy's [`SettingNames`]. Only verification makes one: no caller
/// outside this crate can run a check on inputs of its own choosing and
/// hold the result up as the verifier's.
///
/// ```compile_fail,E0599
/// let forged = slsa_aibom_verify::Checks::default();
/// ```
#[derive(Debug, Clone)]
pub struct Checks(pub(crate) Vec<Check>, pub(crate) SettingNames);

#[cfg(test)]
impl Default for Checks {
    fn default() -> Self {
        Checks::named(SettingNames::default())
    }
}

impl Checks {
    /// No checks yet; failures will name settings with `names`.
    pub(crate) fn named(names: SettingNames) -> Self {
        Checks(Vec::new(), names)
    }

    /// The failure `e`, named as these checks name settings.
    pub(crate) fn failure(&self, e: &Error) -> Failure {
        Failure::new(e, self.1)
    }

    /// Mark the checks from index `from` on as run inside `scope`.
    #[cfg(feature = "in-toto")]
    pub(crate) fn scope_from(&mut self, from: usize, scope: &'static str) {
        for c in &mut self.0[from..] {
            c.scope = Some(scope);
        }
    }

    /// Record a passed check.
    pub(crate) fn pass(
        &mut self,
        name: impl Into<CheckName>,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
    ) {
        self.push(name, Status::Pass, expected, actual, detail.into());
    }

    /// Record a problem that the policy does not enforce.
    pub(crate) fn warn(
        &mut self,
        name: impl Into<CheckName>,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
    ) {
        self.push(name, Status::Warn, expected, actual, detail.into());
    }

    /// Record a check that does not apply.
    pub(crate) fn not_applicable(&mut self, name: impl Into<CheckName>, detail: impl Into<String>) {
        self.push(name, Status::NotApplicable, None, None, detail.into());
    }

    /// Record the outcome of `result`: a pass with `detail`, or a failure with
    /// the error's message, which is then returned.
    pub(crate) fn record<T>(
        &mut self,
        name: impl Into<CheckName>,
        expected: Option<String>,
        actual: Option<String>,
        detail: impl Into<String>,
        result: Result<T>,
    ) -> Result<T> {
        match &result {
            Ok(_) => self.push(name, Status::Pass, expected, actual, detail.into()),
            Err(e) => {
                let detail = e.detail_with(self.1).into_owned();
                self.push(name, Status::Fail, expected, actual, detail)
            }
        }
        result
    }

    /// Record a check that passes when `ok`, else fails with `error()`,
    /// which is then returned.
    pub(crate) fn require(
        &mut self,
        name: impl Into<CheckName>,
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
    pub(crate) fn compare(
        &mut self,
        name: impl Into<CheckName>,
        expected: &str,
        actual: Option<&str>,
        ok: bool,
        err: fn(String) -> Error,
    ) -> Result<()> {
        let name = name.into();
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
        name: impl Into<CheckName>,
        status: Status,
        expected: Option<String>,
        actual: Option<String>,
        detail: String,
    ) {
        let name = name.into();
        self.0.push(Check {
            id: name.id,
            qualifier: name.qualifier,
            scope: None,
            status,
            expected,
            actual,
            detail,
        });
    }
}
