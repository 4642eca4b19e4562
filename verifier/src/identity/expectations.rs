//! What a policy requires of a signing certificate: the identity layer's
//! slice of [`crate::Policy`] (`Policy::signer_expectations`).

use crate::identity::SanMatcher;

/// The signer a verification expects. Every field left `None` requires
/// nothing; every field set is checked by `signer_checks` and reported.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignerExpectations<'a> {
    /// The certificate's SAN.
    pub san: Option<&'a SanMatcher>,
    /// The OIDC issuer, exact (the policy's, or GitHub's when a repository
    /// or owner on GitHub names the signer).
    pub issuer: Option<&'a str>,
    /// The source repository (`https://HOST/o/r`, or `o/r` on GitHub).
    pub source_repo: Option<&'a str>,
    /// The repository as `owner/name` on GitHub.
    pub repo: Option<&'a str>,
    /// The source ref (e.g. `refs/tags/v1`).
    pub source_ref: Option<&'a str>,
    /// The repository owner on GitHub.
    pub owner: Option<&'a str>,
    /// The trigger event (e.g. `push`).
    pub trigger: Option<&'a str>,
    /// The runner environment (`github-hosted`).
    pub runner_environment: Option<&'a str>,
}
