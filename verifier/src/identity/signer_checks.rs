//! Policy checks on the certificate identity (SAN, issuer, GitHub claims).

use crate::check_id::CheckId;
use crate::error::{Error, Result};
use crate::identity::repo_url::RepoUrl;
use crate::identity::CertIdentity;
use crate::policy::Policy;
use crate::verdict::Checks;

/// Check every certificate-identity requirement of `policy` against `id`,
/// and that deprecated and current GitHub OIDs agree.
pub fn check(id: &CertIdentity, policy: &Policy, checks: &mut Checks) -> Result<()> {
    match id.claims.check_deprecated_agree() {
        Ok(0) => checks.not_applicable(
            CheckId::IdentityDeprecatedOids,
            "certificate carries no deprecated/current OID pairs",
        ),
        Ok(n) => checks.pass(
            CheckId::IdentityDeprecatedOids,
            None,
            None,
            format!("{n} deprecated GitHub OIDs agree with their successors"),
        ),
        Err(e) => return checks.record(CheckId::IdentityDeprecatedOids, None, None, "", Err(e)),
    }
    our_builder_signed_on_github_hosted(id, checks)?;
    if let Some(m) = &policy.identity {
        checks.compare(
            CheckId::IdentitySan,
            &m.describe(),
            id.san.as_deref(),
            m.matches(id),
            Error::Identity,
        )?;
    }
    if let Some(want) = policy.expected_issuer() {
        checks.compare(
            CheckId::IdentityIssuer,
            want,
            id.issuer.as_deref(),
            id.issuer.as_deref() == Some(want),
            Error::Identity,
        )?;
    }
    let repo = id.claims.repository();
    for (name, want) in [
        (CheckId::SourceRepository, &policy.source_repo),
        (CheckId::SourceRepo, &policy.repo),
    ] {
        if let Some(want) = want {
            let want = RepoUrl::repository(want)?;
            let have = repo.as_ref().map(ToString::to_string);
            let ok = repo.as_ref() == Some(&want);
            checks.compare(
                name,
                &want.to_string(),
                have.as_deref(),
                ok,
                Error::Identity,
            )?;
        }
    }
    if let Some(want) = &policy.source_ref {
        let have = id.claims.source_ref();
        checks.compare(
            CheckId::SourceRef,
            want,
            have,
            have == Some(want.as_str()),
            Error::Identity,
        )?;
    }
    if let Some(want) = &policy.owner {
        let want = RepoUrl::owner(want)?;
        let have = id.claims.owner();
        let ok = have.as_ref() == Some(&want);
        let have = have.map(|o| o.to_string());
        checks.compare(
            CheckId::SourceOwner,
            &want.to_string(),
            have.as_deref(),
            ok,
            Error::Identity,
        )?;
    }
    if let Some(want) = &policy.trigger {
        let have = id.claims.trigger();
        checks.compare(
            CheckId::BuildTrigger,
            want,
            have,
            have == Some(want.as_str()),
            Error::Identity,
        )?;
    }
    if let Some(want) = &policy.runner_environment {
        let have = id.claims.runner_environment.as_deref();
        checks.compare(
            CheckId::BuildRunnerEnvironment,
            want,
            have,
            have == Some(want.as_str()),
            Error::Policy,
        )?;
    }
    Ok(())
}

/// Whatever the policy asks: a certificate for our builder workflow must
/// say the signing job ran on a GitHub-hosted runner (`.1.11`). A signing
/// job on a tenant's self-hosted runner could sign anything it is told.
fn our_builder_signed_on_github_hosted(id: &CertIdentity, checks: &mut Checks) -> Result<()> {
    let Some(san) = id
        .san
        .as_deref()
        .filter(|s| crate::identity::our_builder::may_be_ours(s))
    else {
        return Ok(());
    };
    let have = id.claims.runner_environment.as_deref();
    checks.require(
        CheckId::BuildSignerRunnerEnvironment,
        Some("github-hosted".into()),
        have.map(str::to_string),
        "our builder's signing job ran on a GitHub-hosted runner",
        have == Some("github-hosted"),
        || {
            Error::Identity(format!(
                "{san} signed on a {} runner; our builder's signing job must run on a GitHub-hosted runner",
                have.unwrap_or("unstated")
            ))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::CiClaims;

    /// A GitLab CI certificate for `gitlab.com/acme/model`.
    fn gitlab() -> CertIdentity {
        CertIdentity {
            san: Some("https://gitlab.com/acme/model//.gitlab-ci.yml@refs/heads/main".into()),
            issuer: Some("https://gitlab.com".into()),
            claims: CiClaims {
                source_repository_uri: Some("https://gitlab.com/acme/model".into()),
                source_repository_owner_uri: Some("https://gitlab.com/acme".into()),
                ..Default::default()
            },
        }
    }

    fn run(policy: Policy) -> Result<()> {
        policy.validate()?;
        check(&gitlab(), &policy, &mut Checks::default())
    }

    #[test]
    fn our_builder_on_a_self_hosted_signing_runner_is_refused_whatever_the_policy() {
        let ours = |env: Option<&str>| CertIdentity {
            san: Some(
                "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1.0.0"
                    .into(),
            ),
            issuer: Some(slsa_aibom_types::GITHUB_ISSUER.into()),
            claims: CiClaims {
                runner_environment: env.map(str::to_string),
                ..Default::default()
            },
        };
        let policy = Policy {
            identity: Some(crate::SanMatcher::regex(".*").unwrap()),
            ..Policy::default()
        };
        for env in [Some("self-hosted"), None, Some("GitHub-Hosted")] {
            let mut checks = Checks::default();
            assert!(
                matches!(
                    check(&ours(env), &policy, &mut checks),
                    Err(Error::Identity(_))
                ),
                "{env:?}"
            );
            assert_eq!(
                checks.0.last().unwrap().id,
                CheckId::BuildSignerRunnerEnvironment
            );
        }
        check(
            &ours(Some("github-hosted")),
            &policy,
            &mut Checks::default(),
        )
        .unwrap();
        // Another workflow is not held to our builder's rule.
        let mut other = ours(Some("self-hosted"));
        other.san =
            Some("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1".into());
        check(&other, &policy, &mut Checks::default()).unwrap();
    }

    #[test]
    fn a_gitlab_certificate_does_not_satisfy_a_github_repository_or_owner() {
        for policy in [
            Policy {
                repo: Some("acme/model".into()),
                ..Policy::default()
            },
            Policy {
                owner: Some("acme".into()),
                ..Policy::default()
            },
            Policy {
                source_repo: Some("https://github.com/acme/model".into()),
                ..Policy::default()
            },
        ] {
            assert!(matches!(run(policy), Err(Error::Identity(_))));
        }
        // Named with its host and its issuer, it matches.
        run(Policy {
            source_repo: Some("https://gitlab.com/ACME/model.git".into()),
            issuer: Some("https://gitlab.com".into()),
            ..Policy::default()
        })
        .unwrap();
        // Named with its host but no issuer: refused before any evidence.
        assert!(matches!(
            run(Policy {
                source_repo: Some("https://gitlab.com/acme/model".into()),
                ..Policy::default()
            }),
            Err(Error::Input(_))
        ));
    }
}
