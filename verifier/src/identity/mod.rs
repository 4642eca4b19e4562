//! The signer's identity, read from the Fulcio certificate and nowhere else:
//! SAN, OIDC issuer and the CI claims under OID arc `1.3.6.1.4.1.57264.1`.
//!
//! The layer above the shared value types: who signed. [`repo_url`] compares repositories with
//! their scheme and host; [`our_builder`] knows this project's own builder
//! workflow and its inputs.

pub mod expectations;
pub mod our_builder;
pub mod repo_url;
pub(crate) mod signer_checks;

use crate::error::{Error, Result};
use crate::identity::repo_url::RepoUrl;
use serde::Serialize;
use sigstore_crypto::{CertificateInfo, FulcioCiClaims};
use sigstore_types::DerCertificate;

/// The GitHub Actions claims Fulcio writes into a certificate (`.1.9` to
/// `.1.22`), plus the deprecated `.1.2` to `.1.6`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CiClaims {
    /// `.1.9` build signer URI: the workflow that signed (for a reusable workflow, the callee).
    pub build_signer_uri: Option<String>,
    /// `.1.10` the commit of the signer workflow.
    pub build_signer_digest: Option<String>,
    /// `.1.11` `github-hosted` or `self-hosted`.
    pub runner_environment: Option<String>,
    /// `.1.12` source repository URL.
    pub source_repository_uri: Option<String>,
    /// `.1.13` source commit.
    pub source_repository_digest: Option<String>,
    /// `.1.14` source ref.
    pub source_repository_ref: Option<String>,
    /// `.1.15` immutable repository ID.
    pub source_repository_identifier: Option<String>,
    /// `.1.16` owner URL.
    pub source_repository_owner_uri: Option<String>,
    /// `.1.17` immutable owner ID.
    pub source_repository_owner_identifier: Option<String>,
    /// `.1.18` build config URI: the caller's workflow.
    pub build_config_uri: Option<String>,
    /// `.1.19` build config commit.
    pub build_config_digest: Option<String>,
    /// `.1.20` trigger event.
    pub build_trigger: Option<String>,
    /// `.1.21` run invocation URI.
    pub run_invocation_uri: Option<String>,
    /// `.1.22` repository visibility at signing.
    pub source_repository_visibility_at_signing: Option<String>,
    /// `.1.2` (deprecated) trigger.
    pub deprecated_workflow_trigger: Option<String>,
    /// `.1.3` (deprecated) commit.
    pub deprecated_workflow_sha: Option<String>,
    /// `.1.4` (deprecated) workflow name.
    pub deprecated_workflow_name: Option<String>,
    /// `.1.5` (deprecated) `owner/repo`.
    pub deprecated_workflow_repository: Option<String>,
    /// `.1.6` (deprecated) ref.
    pub deprecated_workflow_ref: Option<String>,
}

impl From<&FulcioCiClaims> for CiClaims {
    fn from(c: &FulcioCiClaims) -> Self {
        let d = &c.deprecated_github;
        CiClaims {
            build_signer_uri: c.build_signer_uri.clone(),
            build_signer_digest: c.build_signer_digest.clone(),
            runner_environment: c.runner_environment.clone(),
            source_repository_uri: c.source_repository_uri.clone(),
            source_repository_digest: c.source_repository_digest.clone(),
            source_repository_ref: c.source_repository_ref.clone(),
            source_repository_identifier: c.source_repository_identifier.clone(),
            source_repository_owner_uri: c.source_repository_owner_uri.clone(),
            source_repository_owner_identifier: c.source_repository_owner_identifier.clone(),
            build_config_uri: c.build_config_uri.clone(),
            build_config_digest: c.build_config_digest.clone(),
            build_trigger: c.build_trigger.clone(),
            run_invocation_uri: c.run_invocation_uri.clone(),
            source_repository_visibility_at_signing: c
                .source_repository_visibility_at_signing
                .clone(),
            deprecated_workflow_trigger: d.workflow_trigger.clone(),
            deprecated_workflow_sha: d.workflow_sha.clone(),
            deprecated_workflow_name: d.workflow_name.clone(),
            deprecated_workflow_repository: d.workflow_repository.clone(),
            deprecated_workflow_ref: d.workflow_ref.clone(),
        }
    }
}

impl CiClaims {
    /// The source repository, from `.1.12`, else from the deprecated `.1.5`
    /// (`owner/name`, a claim Fulcio writes for GitHub only). `None` when
    /// the certificate names none, or names it in a form that is not a
    /// repository URL.
    pub fn repository(&self) -> Option<RepoUrl> {
        match self.source_repository_uri.as_deref() {
            Some(u) => RepoUrl::repository(u).ok(),
            None => self
                .deprecated_workflow_repository
                .as_deref()
                .and_then(|r| RepoUrl::repository(r).ok()),
        }
    }

    /// The source ref, from `.1.14` or else the deprecated `.1.6`.
    pub fn source_ref(&self) -> Option<&str> {
        self.source_repository_ref
            .as_deref()
            .or(self.deprecated_workflow_ref.as_deref())
    }

    /// The trigger event, from `.1.20` or else the deprecated `.1.2`.
    pub fn trigger(&self) -> Option<&str> {
        self.build_trigger
            .as_deref()
            .or(self.deprecated_workflow_trigger.as_deref())
    }

    /// The repository owner, from `.1.16`, else the repository's owner.
    pub fn owner(&self) -> Option<RepoUrl> {
        match self.source_repository_owner_uri.as_deref() {
            Some(u) => RepoUrl::owner(u).ok(),
            None => self.repository().map(|r| r.owner_of()),
        }
    }

    /// Check that each deprecated claim agrees with its successor when a
    /// certificate carries both. Fulcio writes the same value into both, so a
    /// disagreement means a forged or mis-issued certificate.
    pub fn check_deprecated_agree(&self) -> Result<usize> {
        let pairs: [(&str, &Option<String>, Option<String>); 4] = [
            (
                "1.2 trigger vs 1.20",
                &self.deprecated_workflow_trigger,
                self.build_trigger.clone(),
            ),
            (
                "1.3 sha vs 1.13",
                &self.deprecated_workflow_sha,
                self.source_repository_digest.clone(),
            ),
            (
                "1.5 repository vs 1.12",
                &self.deprecated_workflow_repository,
                self.source_repository_uri
                    .as_deref()
                    .map(|u| repo_path(u).to_string()),
            ),
            (
                "1.6 ref vs 1.14",
                &self.deprecated_workflow_ref,
                self.source_repository_ref.clone(),
            ),
        ];
        let mut compared = 0;
        for (what, old, new) in pairs {
            if let (Some(old), Some(new)) = (old, new) {
                compared += 1;
                if *old != new {
                    return Err(Error::Identity(format!(
                        "deprecated and current GitHub OIDs disagree ({what}): {old:?} != {new:?}"
                    )));
                }
            }
        }
        Ok(compared)
    }
}

/// `https://github.com/owner/name` → `owner/name`; anything else unchanged.
fn repo_path(uri: &str) -> &str {
    uri.strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .and_then(|rest| rest.split_once('/').map(|(_, p)| p))
        .unwrap_or(uri)
        .trim_end_matches('/')
}

/// Who signed, as the certificate says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertIdentity {
    /// The SAN (URI or email).
    pub(crate) san: Option<String>,
    /// The OIDC issuer (`.1.8`, or the deprecated `.1.1`).
    pub(crate) issuer: Option<String>,
    /// The CI claims.
    pub(crate) claims: CiClaims,
}

impl CertIdentity {
    /// The SAN (URI or email).
    pub fn san(&self) -> Option<&str> {
        self.san.as_deref()
    }

    /// The OIDC issuer (`.1.8`, or the deprecated `.1.1`).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The CI claims (Fulcio's extensions).
    pub fn claims(&self) -> &CiClaims {
        &self.claims
    }

    /// Read the identity from a parsed certificate and its DER: the SAN is
    /// its URI or e-mail, or else a Fulcio username (`otherName`
    /// `1.3.6.1.4.1.57264.1.7`), which only the DER shows.
    pub fn from_cert(info: &CertificateInfo, der: Option<&[u8]>) -> Self {
        let san = info
            .identity
            .as_ref()
            .map(|s| s.as_str().to_string())
            .or_else(|| der.and_then(username_san));
        CertIdentity {
            san,
            issuer: info.issuer.clone(),
            claims: CiClaims::from(&info.ci_claims),
        }
    }

    /// Parse a DER certificate and read its identity. This is the
    /// certificate-extension parser the fuzz target drives.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let info = sigstore_crypto::parse_certificate_info(&DerCertificate::from(der.to_vec()))
            .map_err(|e| Error::Input(format!("malformed certificate: {e}")))?;
        Ok(Self::from_cert(&info, Some(der)))
    }
}

/// The `otherName` type of Fulcio's username identities (`USER!DOMAIN`).
const USERNAME_SAN: x509_cert::der::oid::ObjectIdentifier =
    x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// The Fulcio username SAN of a DER certificate, if it has one.
/// (`sigstore-crypto` reads URI and e-mail SANs only.)
fn username_san(der: &[u8]) -> Option<String> {
    use x509_cert::der::Decode as _;
    use x509_cert::ext::pkix::{name::GeneralName, SubjectAltName};
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let (_, san) = cert.tbs_certificate.get::<SubjectAltName>().ok()??;
    san.0.iter().find_map(|name| match name {
        GeneralName::OtherName(other) if other.type_id == USERNAME_SAN => other
            .value
            .decode_as::<x509_cert::der::asn1::Utf8StringRef<'_>>()
            .ok()
            .map(|s| s.to_string()),
        _ => None,
    })
}

/// How the expected SAN is matched.
#[derive(Debug, Clone)]
pub enum SanMatcher {
    /// Exact string equality. If the expected value is a workflow pinned by
    /// commit (`...@<40-hex sha>`), it also matches a certificate for the same
    /// workflow whose signer commit (`.1.10`) is that SHA.
    Exact(String),
    /// A regular expression, always anchored at both ends.
    Regex(regex_lite::Regex, String),
    /// One workflow (`https://github.com/O/R/.github/workflows/F.yml`, no
    /// `@`) at one of `refs` (`refs/tags/v1.2.0`), or at one of `commits`
    /// (40-hex): the SAN's ref is that commit, or the certificate's signer
    /// commit (`.1.10`) is.
    Workflow {
        /// The workflow.
        workflow: String,
        /// Allowed refs, exactly as after `@` in the SAN.
        refs: Vec<String>,
        /// Allowed commits, lower-case.
        commits: Vec<String>,
    },
}

impl SanMatcher {
    /// An anchored regex matcher: `release.yml` never matches `release.yml-evil.yml`.
    pub fn regex(pattern: &str) -> Result<Self> {
        let anchored = format!("^(?:{pattern})$");
        let re = regex_lite::Regex::new(&anchored)
            .map_err(|e| Error::Input(format!("invalid identity regex {pattern:?}: {e}")))?;
        Ok(SanMatcher::Regex(re, pattern.to_string()))
    }

    /// The workflow this matcher pins exactly, if it pins one: an exact
    /// SAN's part before `@`, or the workflow a `Workflow` matcher names.
    /// A free regex pins nothing.
    pub fn pinned_workflow(&self) -> Option<&str> {
        match self {
            SanMatcher::Exact(e) => e.split_once('@').map(|(w, _)| w),
            SanMatcher::Regex(..) => None,
            SanMatcher::Workflow { workflow, .. } => Some(workflow),
        }
    }

    /// What is expected, for reports.
    pub fn describe(&self) -> String {
        match self {
            SanMatcher::Exact(s) => s.clone(),
            SanMatcher::Regex(_, p) => format!("/{p}/"),
            SanMatcher::Workflow {
                workflow,
                refs,
                commits,
            } => format!(
                "{workflow}@{{{}}}",
                refs.iter()
                    .chain(commits)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Whether the certificate identity matches.
    pub fn matches(&self, id: &CertIdentity) -> bool {
        let Some(san) = id.san.as_deref() else {
            return false;
        };
        match self {
            SanMatcher::Regex(re, _) => re.is_match(san),
            SanMatcher::Workflow {
                workflow,
                refs,
                commits,
            } => match san.split_once('@') {
                Some((path, r)) if path == workflow => {
                    let signer = id
                        .claims
                        .build_signer_digest
                        .as_deref()
                        .map(str::to_ascii_lowercase);
                    refs.iter().any(|x| x == r)
                        || commits
                            .iter()
                            .any(|c| c.eq_ignore_ascii_case(r) || Some(c) == signer.as_ref())
                }
                _ => false,
            },
            SanMatcher::Exact(expected) => {
                if san == expected {
                    return true;
                }
                // Commit pin: same workflow path, signer digest equals the pinned SHA.
                match (expected.rsplit_once('@'), san.rsplit_once('@')) {
                    (Some((want_path, sha)), Some((have_path, _))) if is_commit_sha(sha) => {
                        want_path == have_path
                            && id
                                .claims
                                .build_signer_digest
                                .as_deref()
                                .is_some_and(|d| d.eq_ignore_ascii_case(sha))
                    }
                    _ => false,
                }
            }
        }
    }
}

fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh(san: &str, digest: &str) -> CertIdentity {
        CertIdentity {
            san: Some(san.into()),
            claims: CiClaims {
                build_signer_digest: Some(digest.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    const WF: &str = "https://github.com/o/r/.github/workflows/release.yml";

    #[test]
    fn regex_is_anchored() {
        let m = SanMatcher::regex(&format!("{WF}@.*").replace('.', "\\.").replace("\\.*", ".*"))
            .unwrap();
        assert!(m.matches(&gh(&format!("{WF}@refs/tags/v1"), "")));
        let m = SanMatcher::regex("https://github.com/o/r/.github/workflows/release.yml").unwrap();
        assert!(!m.matches(&gh(
            "https://github.com/o/r/.github/workflows/release.yml-evil.yml",
            ""
        )));
        assert!(!m.matches(&gh(
            "xhttps://github.com/o/r/.github/workflows/release.yml",
            ""
        )));
    }

    #[test]
    fn exact_and_commit_pins() {
        let sha = "a".repeat(40);
        let id = gh(&format!("{WF}@refs/tags/v1"), &sha);
        assert!(SanMatcher::Exact(format!("{WF}@refs/tags/v1")).matches(&id));
        assert!(SanMatcher::Exact(format!("{WF}@{sha}")).matches(&id));
        assert!(!SanMatcher::Exact(format!("{WF}@{}", "b".repeat(40))).matches(&id));
        assert!(!SanMatcher::Exact(format!("{WF}-evil.yml@{sha}")).matches(&id));
        assert!(!SanMatcher::Exact(format!("{WF}@refs/tags/v2")).matches(&id));
        // Only a 40-hex pin is a commit pin: a ref or a non-hex name equal
        // to the signer digest pins nothing.
        for not_sha in ["main".to_string(), "g".repeat(40), "a".repeat(39)] {
            let id = gh(&format!("{WF}@refs/tags/v1"), &not_sha);
            assert!(
                !SanMatcher::Exact(format!("{WF}@{not_sha}")).matches(&id),
                "{not_sha}"
            );
        }
    }

    #[test]
    fn a_workflow_pin_takes_refs_exactly_and_commits_through_the_signer_digest() {
        let sha = "a".repeat(40);
        let pin = SanMatcher::Workflow {
            workflow: WF.into(),
            refs: vec!["refs/tags/v1.2.0".into()],
            commits: vec![sha.clone()],
        };
        assert!(pin.matches(&gh(&format!("{WF}@refs/tags/v1.2.0"), "")));
        assert!(pin.matches(&gh(&format!("{WF}@refs/tags/v9.9.9"), &sha)));
        assert!(pin.matches(&gh(&format!("{WF}@{sha}"), "")));
        for (san, digest) in [
            (format!("{WF}@refs/tags/v1.2.0-evil"), "b".repeat(40)),
            (format!("{WF}@refs/heads/main"), "b".repeat(40)),
            (format!("{WF}-evil.yml@refs/tags/v1.2.0"), sha.clone()),
            (format!("{WF}.evil@refs/tags/v1.2.0"), String::new()),
        ] {
            assert!(!pin.matches(&gh(&san, &digest)), "{san}");
        }
        assert_eq!(pin.pinned_workflow(), Some(WF));
    }

    #[test]
    fn deprecated_oids_must_agree() {
        let mut c = CiClaims {
            source_repository_uri: Some("https://github.com/o/r".into()),
            deprecated_workflow_repository: Some("o/r".into()),
            source_repository_ref: Some("refs/heads/main".into()),
            deprecated_workflow_ref: Some("refs/heads/main".into()),
            ..Default::default()
        };
        assert_eq!(c.check_deprecated_agree().unwrap(), 2);
        c.deprecated_workflow_ref = Some("refs/heads/evil".into());
        assert!(matches!(
            c.check_deprecated_agree(),
            Err(Error::Identity(_))
        ));
        c.deprecated_workflow_ref = None;
        c.deprecated_workflow_repository = Some("o/other".into());
        assert!(matches!(
            c.check_deprecated_agree(),
            Err(Error::Identity(_))
        ));
    }

    #[test]
    fn repo_paths() {
        assert_eq!(repo_path("https://github.com/o/r"), "o/r");
        assert_eq!(repo_path("https://github.com/o"), "o");
        assert_eq!(repo_path("o/r"), "o/r");
    }

    /// A leaf from the fake Fulcio (GitHub's extensions, `sample_claims`),
    /// with the SAN `san`.
    fn leaf(san: fake_sigstore::SanKind) -> Vec<u8> {
        let fulcio = fake_sigstore::Fulcio::new(1_700_000_000).unwrap();
        let key = sigstore_crypto::KeyPair::generate_ecdsa_p256().unwrap();
        let spki = key.public_key_der().unwrap();
        let claims = fake_sigstore::sample_claims();
        fulcio
            .issue(spki.as_bytes(), &claims, &san, 1_700_000_100)
            .unwrap()
    }

    #[test]
    fn every_claim_is_read_from_the_certificate_extension_of_its_oid() {
        let id = CertIdentity::from_der(&leaf(fake_sigstore::SanKind::Uri)).unwrap();
        let signer = "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1";
        // Read through the public accessors, as callers outside read it.
        assert_eq!(id.san(), Some(signer));
        assert_eq!(id.issuer(), Some(fake_sigstore::GITHUB_ISSUER));
        let sha = Some("1".repeat(40));
        let expected = CiClaims {
            build_signer_uri: Some(signer.into()),
            build_signer_digest: Some("2".repeat(40)),
            runner_environment: Some("github-hosted".into()),
            source_repository_uri: Some("https://github.com/acme/models".into()),
            source_repository_digest: sha.clone(),
            source_repository_ref: Some("refs/heads/main".into()),
            source_repository_identifier: Some("123456".into()),
            source_repository_owner_uri: Some("https://github.com/acme".into()),
            source_repository_owner_identifier: Some("7890".into()),
            build_config_uri: Some(
                "https://github.com/acme/models/.github/workflows/train.yml@refs/heads/main".into(),
            ),
            build_config_digest: sha.clone(),
            build_trigger: Some("push".into()),
            run_invocation_uri: Some(
                "https://github.com/acme/models/actions/runs/4242/attempts/1".into(),
            ),
            source_repository_visibility_at_signing: Some("public".into()),
            deprecated_workflow_trigger: Some("push".into()),
            deprecated_workflow_sha: sha,
            deprecated_workflow_name: Some("train".into()),
            deprecated_workflow_repository: Some("acme/models".into()),
            deprecated_workflow_ref: Some("refs/heads/main".into()),
        };
        assert_eq!(id.claims(), &expected);
        assert_eq!(id.claims().check_deprecated_agree().unwrap(), 4);
    }

    #[test]
    fn a_username_san_is_read_only_from_fulcios_username_type() {
        let user = CertIdentity::from_der(&leaf(fake_sigstore::SanKind::Username(
            "ml-team!example.com".into(),
        )))
        .unwrap();
        assert_eq!(user.san.as_deref(), Some("ml-team!example.com"));
        let other = CertIdentity::from_der(&leaf(fake_sigstore::SanKind::OtherName(
            x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.99"),
            "ml-team!example.com".into(),
        )))
        .unwrap();
        assert_eq!(other.san, None);
        let email = CertIdentity::from_der(&leaf(fake_sigstore::SanKind::Email(
            "ml@example.com".into(),
        )))
        .unwrap();
        assert_eq!(email.san.as_deref(), Some("ml@example.com"));
        assert!(matches!(
            CertIdentity::from_der(b"not a certificate"),
            Err(Error::Input(_))
        ));
    }

    #[test]
    fn each_claim_accessor_prefers_the_current_oid_and_falls_back_to_the_deprecated_one() {
        let current = CiClaims {
            source_repository_uri: Some("https://github.com/o/r".into()),
            source_repository_ref: Some("refs/heads/main".into()),
            build_trigger: Some("push".into()),
            source_repository_owner_uri: Some("https://github.com/owner".into()),
            deprecated_workflow_repository: Some("x/y".into()),
            deprecated_workflow_ref: Some("refs/heads/old".into()),
            deprecated_workflow_trigger: Some("schedule".into()),
            ..Default::default()
        };
        assert_eq!(
            current.repository().unwrap().to_string(),
            "https://github.com/o/r"
        );
        assert_eq!(current.source_ref(), Some("refs/heads/main"));
        assert_eq!(current.trigger(), Some("push"));
        assert_eq!(
            current.owner().unwrap().to_string(),
            "https://github.com/owner"
        );
        let old = CiClaims {
            deprecated_workflow_repository: Some("x/y".into()),
            deprecated_workflow_ref: Some("refs/heads/old".into()),
            deprecated_workflow_trigger: Some("schedule".into()),
            ..Default::default()
        };
        assert_eq!(
            old.repository().unwrap().to_string(),
            "https://github.com/x/y"
        );
        assert_eq!(old.source_ref(), Some("refs/heads/old"));
        assert_eq!(old.trigger(), Some("schedule"));
        assert_eq!(old.owner().unwrap().to_string(), "https://github.com/x");
        let none = CiClaims::default();
        assert_eq!(
            (none.repository(), none.source_ref(), none.trigger()),
            (None, None, None)
        );
        assert_eq!(none.owner(), None);
    }

    #[test]
    fn descriptions_name_what_is_expected() {
        let sha = "a".repeat(40);
        assert_eq!(SanMatcher::Exact("x@y".into()).describe(), "x@y");
        assert_eq!(SanMatcher::regex("a.*").unwrap().describe(), "/a.*/");
        let pin = SanMatcher::Workflow {
            workflow: WF.into(),
            refs: vec!["refs/tags/v1".into()],
            commits: vec![sha.clone()],
        };
        assert_eq!(pin.describe(), format!("{WF}@{{refs/tags/v1, {sha}}}"));
    }
}
