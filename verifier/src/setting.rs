//! The verification settings a caller chooses, named as data, and the
//! problems a setting can have with the evidence in front of it.
//!
//! The library never names a CLI flag. A message that tells the caller which
//! setting to change carries that [`Setting`] as data, and is rendered with
//! the caller's [`SettingNames`]: by default the Rust API's names; the CLI
//! passes its flag names, so its output reads `--key` where a library user
//! reads `TrustAnchor::Key`.

use crate::error_class::ErrorClass;
use serde::Serialize;

/// A setting of [`crate::Policy`] (or of a release verification) that a
/// failure can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// The expected signer: an identity (or its pattern), source repository,
    /// repository or owner.
    ExpectedSigner,
    /// A public key as the trust anchor.
    Key,
    /// A private PKI's certificates as the trust anchor.
    CertificateChain,
    /// A Sigstore trusted root as the trust anchor.
    TrustedRoot,
    /// The required SLSA builder ID.
    BuilderId,
    /// The release policy document.
    Policy,
    /// Our builder pinned exactly: its workflow at a ref or commit.
    BuilderPin,
    /// The rules about the train runner (deny self-hosted, groups, labels).
    RunnerRules,
}

impl Setting {
    /// The setting's name in the Rust API (the default [`SettingNames`]).
    pub fn api_name(self) -> &'static str {
        match self {
            Setting::ExpectedSigner => {
                "`Policy::identity` (exact or a pattern), `source_repo`, `repo` or `owner`"
            }
            Setting::Key => "`TrustAnchor::Key`",
            Setting::CertificateChain => "`TrustAnchor::CertificateChain`",
            Setting::TrustedRoot => "`TrustAnchor::Sigstore`",
            Setting::BuilderId => "`Policy::builder_id`",
            Setting::Policy => "a release policy document",
            Setting::BuilderPin => {
                "`Policy::identity` pinning our builder's workflow exactly (`SanMatcher::Exact` or `Workflow`)"
            }
            Setting::RunnerRules => "`Policy::runner`",
        }
    }
}

/// How messages name a [`Setting`]. The default uses [`Setting::api_name`].
#[derive(Clone, Copy)]
pub struct SettingNames(pub fn(Setting) -> &'static str);

impl Default for SettingNames {
    fn default() -> Self {
        SettingNames(Setting::api_name)
    }
}

impl std::fmt::Debug for SettingNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SettingNames(..)")
    }
}

impl SettingNames {
    /// The name of `setting`.
    pub fn of(self, setting: Setting) -> &'static str {
        (self.0)(setting)
    }
}

/// A setting that does not fit the evidence, as data: which setting, and
/// what about it. Rendered with [`SettingProblem::render`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingProblem {
    /// Keyless evidence, but no expected signer was set.
    NoExpectedSigner,
    /// The bundle is signed with a managed key, and no key was given.
    KeyedBundleWithoutKey,
    /// A key was given, but the bundle is signed with a certificate.
    KeyForCertificateBundle,
    /// A private PKI was given, but the bundle has no certificate.
    ChainNeedsCertificate,
    /// A private PKI was given for a bundle logged to a transparency log.
    ChainForLoggedBundle,
    /// A private PKI was given for a bundle that is not DSSE.
    ChainNeedsDsse,
    /// A private-PKI certificate cannot be a trust anchor.
    UnusableChainCertificate {
        /// Why WebPKI refused it.
        reason: String,
    },
    /// The signing certificate does not chain to the private PKI.
    NotChained {
        /// WebPKI's reason.
        reason: String,
    },
    /// No private-PKI certificate signed the signing certificate.
    NotSignedByChain,
    /// A bare DSSE envelope with nothing to verify it by, and no key given.
    BareEnvelopeWithoutKey,
    /// A builder ID was required of evidence that is not SLSA provenance.
    BuilderIdNeedsProvenance,
    /// A verification summary was asked for without a policy document.
    SummaryNeedsPolicy,
    /// Rules about the train runner, with no exact pin of our builder: the
    /// runner record is our signing job's word only when our builder signed.
    RunnerRulesNeedBuilderPin,
}

impl SettingProblem {
    /// The failure class (and so the CLI exit code).
    pub fn class(&self) -> ErrorClass {
        match self {
            SettingProblem::NotChained { .. } | SettingProblem::NotSignedByChain => {
                ErrorClass::Crypto
            }
            SettingProblem::BareEnvelopeWithoutKey => ErrorClass::NoTransparency,
            SettingProblem::BuilderIdNeedsProvenance => ErrorClass::Policy,
            _ => ErrorClass::Input,
        }
    }

    /// The settings the message points at.
    pub fn settings(&self) -> &'static [Setting] {
        use Setting::*;
        match self {
            SettingProblem::NoExpectedSigner => &[ExpectedSigner],
            SettingProblem::KeyedBundleWithoutKey
            | SettingProblem::KeyForCertificateBundle
            | SettingProblem::BareEnvelopeWithoutKey => &[Key],
            SettingProblem::ChainForLoggedBundle => &[TrustedRoot, CertificateChain],
            SettingProblem::ChainNeedsCertificate
            | SettingProblem::ChainNeedsDsse
            | SettingProblem::UnusableChainCertificate { .. }
            | SettingProblem::NotChained { .. }
            | SettingProblem::NotSignedByChain => &[CertificateChain],
            SettingProblem::BuilderIdNeedsProvenance => &[BuilderId],
            SettingProblem::SummaryNeedsPolicy => &[Policy],
            SettingProblem::RunnerRulesNeedBuilderPin => &[RunnerRules, BuilderPin],
        }
    }

    /// The message, naming each setting with `names`.
    pub fn render(&self, names: SettingNames) -> String {
        let n = |s| names.of(s);
        let chain = n(Setting::CertificateChain);
        match self {
            SettingProblem::NoExpectedSigner => format!(
                "keyless evidence needs an expected signer: pass {}",
                n(Setting::ExpectedSigner)
            ),
            SettingProblem::KeyedBundleWithoutKey => format!(
                "bundle is signed with a managed key; pass its public key with {}",
                n(Setting::Key)
            ),
            SettingProblem::KeyForCertificateBundle => format!(
                "{} given, but the bundle is signed with a certificate",
                n(Setting::Key)
            ),
            SettingProblem::ChainNeedsCertificate => {
                format!("{chain} needs a bundle signed with a certificate")
            }
            SettingProblem::ChainForLoggedBundle => format!(
                "bundle carries transparency log entries; verify it against its {} instead of {chain}",
                n(Setting::TrustedRoot)
            ),
            SettingProblem::ChainNeedsDsse => {
                format!("{chain} verification supports DSSE bundles only")
            }
            SettingProblem::UnusableChainCertificate { reason } => {
                format!("unusable {chain} certificate: {reason}")
            }
            SettingProblem::NotChained { reason } => {
                format!("certificate does not chain to the supplied {chain}: {reason}")
            }
            SettingProblem::NotSignedByChain => {
                format!("signing certificate is not signed by any supplied {chain} certificate")
            }
            SettingProblem::BareEnvelopeWithoutKey => format!(
                "bare DSSE envelope has no certificate, log entry or timestamp; pass {} if it is keyed",
                n(Setting::Key)
            ),
            SettingProblem::BuilderIdNeedsProvenance => {
                format!("{} needs SLSA provenance", n(Setting::BuilderId))
            }
            SettingProblem::SummaryNeedsPolicy => format!(
                "a verification summary names its policy: verify with {}",
                n(Setting::Policy)
            ),
            SettingProblem::RunnerRulesNeedBuilderPin => format!(
                "{} judge the train runner that our builder's signing job records; any other signer can record anything, so pin our builder exactly with {}",
                n(Setting::RunnerRules),
                n(Setting::BuilderPin)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(s: Setting) -> &'static str {
        match s {
            Setting::Key => "--key",
            Setting::CertificateChain => "--certificate-chain",
            _ => "--other",
        }
    }

    #[test]
    fn the_default_names_are_the_api_names_and_a_caller_can_name_them_otherwise() {
        let p = SettingProblem::KeyForCertificateBundle;
        assert_eq!(
            p.render(SettingNames::default()),
            "`TrustAnchor::Key` given, but the bundle is signed with a certificate"
        );
        assert_eq!(
            p.render(SettingNames(flag)),
            "--key given, but the bundle is signed with a certificate"
        );
        assert_eq!(p.settings(), &[Setting::Key]);
    }

    #[test]
    fn no_default_message_names_a_cli_flag() {
        let all = [
            SettingProblem::NoExpectedSigner,
            SettingProblem::KeyedBundleWithoutKey,
            SettingProblem::KeyForCertificateBundle,
            SettingProblem::ChainNeedsCertificate,
            SettingProblem::ChainForLoggedBundle,
            SettingProblem::ChainNeedsDsse,
            SettingProblem::UnusableChainCertificate { reason: "r".into() },
            SettingProblem::NotChained { reason: "r".into() },
            SettingProblem::NotSignedByChain,
            SettingProblem::BareEnvelopeWithoutKey,
            SettingProblem::BuilderIdNeedsProvenance,
            SettingProblem::SummaryNeedsPolicy,
        ];
        for p in &all {
            let text = p.render(SettingNames::default());
            assert!(!text.contains("--"), "{p:?} names a flag: {text}");
            for s in p.settings() {
                assert!(
                    text.contains(s.api_name()),
                    "{p:?} does not name {s:?}: {text}"
                );
            }
        }
    }
}
