//! Typed verification errors.

pub use crate::error_class::ErrorClass;
use crate::setting::{SettingNames, SettingProblem};
use std::borrow::Cow;

/// A verification failure. The variant is the failure class; the message says
/// exactly what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`ErrorClass::Input`].
    #[error("invalid input: {0}")]
    Input(String),
    /// See [`ErrorClass::Crypto`].
    #[error("cryptographic verification failed: {0}")]
    Crypto(String),
    /// See [`ErrorClass::Identity`].
    #[error("identity check failed: {0}")]
    Identity(String),
    /// See [`ErrorClass::Digest`].
    #[error("digest check failed: {0}")]
    Digest(String),
    /// See [`ErrorClass::Policy`].
    #[error("policy check failed: {0}")]
    Policy(String),
    /// See [`ErrorClass::NoTransparency`].
    #[error("no transparency evidence; cannot verify offline: {0}")]
    NoTransparency(String),
    /// See [`ErrorClass::Sign`].
    #[error("signing failed: {0}")]
    Sign(String),
    /// A setting does not fit the evidence; the class is the problem's.
    #[error("{}: {}", .0.class().prefix(), .0.render(SettingNames::default()))]
    Setting(SettingProblem),
}

impl Error {
    /// The failure class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Input(_) => ErrorClass::Input,
            Error::Crypto(_) => ErrorClass::Crypto,
            Error::Identity(_) => ErrorClass::Identity,
            Error::Digest(_) => ErrorClass::Digest,
            Error::Policy(_) => ErrorClass::Policy,
            Error::NoTransparency(_) => ErrorClass::NoTransparency,
            Error::Sign(_) => ErrorClass::Sign,
            Error::Setting(p) => p.class(),
        }
    }

    /// An error of `class` with `message` (to re-raise a reported failure).
    pub fn from_class(class: ErrorClass, message: String) -> Self {
        match class {
            ErrorClass::Input => Error::Input(message),
            ErrorClass::Crypto => Error::Crypto(message),
            ErrorClass::Identity => Error::Identity(message),
            ErrorClass::Digest => Error::Digest(message),
            ErrorClass::Policy => Error::Policy(message),
            ErrorClass::NoTransparency => Error::NoTransparency(message),
            ErrorClass::Sign => Error::Sign(message),
        }
    }

    /// The message without the class prefix, naming settings by their API
    /// names.
    pub fn detail(&self) -> Cow<'_, str> {
        self.detail_with(SettingNames::default())
    }

    /// The message without the class prefix, naming settings with `names`.
    pub fn detail_with(&self, names: SettingNames) -> Cow<'_, str> {
        match self {
            Error::Input(m)
            | Error::Crypto(m)
            | Error::Identity(m)
            | Error::Digest(m)
            | Error::Policy(m)
            | Error::NoTransparency(m)
            | Error::Sign(m) => Cow::Borrowed(m),
            Error::Setting(p) => Cow::Owned(p.render(names)),
        }
    }

    /// The whole message (class prefix and detail), naming settings with `names`.
    pub fn render(&self, names: SettingNames) -> String {
        format!("{}: {}", self.class().prefix(), self.detail_with(names))
    }
}

impl From<sigstore_verify::Error> for Error {
    fn from(e: sigstore_verify::Error) -> Self {
        use sigstore_verify::Error as E;
        let msg = e.to_string();
        match e {
            E::IdentityMismatch { .. } | E::IssuerMismatch { .. } => Error::Identity(msg),
            E::ArtifactMismatch(_) => Error::Digest(msg),
            E::UnsupportedArtifact(_) | E::ArtifactRead(_) | E::InvalidTrustRoot(_) => {
                Error::Input(msg)
            }
            _ => Error::Crypto(msg),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
