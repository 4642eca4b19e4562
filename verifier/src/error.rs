//! Typed verification errors and the failure classes the CLI maps to exit codes.

use serde::Serialize;

/// The class of a failure. Each class has its own documented CLI exit code, so
/// a CI gate can tell "the model was tampered with" from "you passed a bad flag".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorClass {
    /// Unreadable, malformed or unsupported input, or contradictory options.
    Input,
    /// A signature, certificate chain, timestamp or transparency proof failed.
    Crypto,
    /// The signer (from the certificate) is not the one the policy asks for.
    Identity,
    /// The artifact, digest or model directory is not what was signed.
    Digest,
    /// The signed statement is valid but breaks a policy rule.
    Policy,
    /// The evidence carries no transparency proof, so it cannot be checked offline.
    NoTransparency,
    /// A signature could not be made (unusable key, signing service refused).
    Sign,
}

impl ErrorClass {
    /// The process exit code the CLI uses for this class.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorClass::Input => 2,
            ErrorClass::Crypto => 3,
            ErrorClass::Identity => 4,
            ErrorClass::Digest => 5,
            ErrorClass::Policy => 6,
            ErrorClass::NoTransparency => 7,
            ErrorClass::Sign => 8,
        }
    }

    /// Short lower-case name, as printed in summaries and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::Input => "input",
            ErrorClass::Crypto => "crypto",
            ErrorClass::Identity => "identity",
            ErrorClass::Digest => "digest",
            ErrorClass::Policy => "policy",
            ErrorClass::NoTransparency => "no-transparency",
            ErrorClass::Sign => "sign",
        }
    }
}

/// A verification failure. The variant is the failure class; the message says
/// exactly what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

    /// The message without the class prefix.
    pub fn detail(&self) -> &str {
        match self {
            Error::Input(m)
            | Error::Crypto(m)
            | Error::Identity(m)
            | Error::Digest(m)
            | Error::Policy(m)
            | Error::NoTransparency(m)
            | Error::Sign(m) => m,
        }
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
