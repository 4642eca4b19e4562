//! The failure classes, each with its CLI exit code.

use serde::Serialize;

/// The class of a failure. Each class has its own documented CLI exit code, so
/// a CI gate can tell "the model was tampered with" from "you passed a bad flag".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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

    /// How a message of this class begins.
    pub fn prefix(self) -> &'static str {
        match self {
            ErrorClass::Input => "invalid input",
            ErrorClass::Crypto => "cryptographic verification failed",
            ErrorClass::Identity => "identity check failed",
            ErrorClass::Digest => "digest check failed",
            ErrorClass::Policy => "policy check failed",
            ErrorClass::NoTransparency => "no transparency evidence; cannot verify offline",
            ErrorClass::Sign => "signing failed",
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
