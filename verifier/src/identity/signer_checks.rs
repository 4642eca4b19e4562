//! Policy checks on the certificate identity (SAN, issuer, GitHub claims).

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::identity::expectations::SignerExpectations;
use crate::identity::repo_url::RepoUrl;
use crate::identity::CertIdentity;

/// Check every expectation of `expected` against `id`, and that deprecated and
/// current GitHub OIDs agree.
pub fn check(id: &CertIdentity, expected: &SignerExpectations, checks: &mut Checks) -> Result<()> {
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
    if let Some(m) = expected.san {
        checks.compare(
            CheckId::IdentitySan,
            &m.describe(),
            id.san.as_deref(),
            m.matches(id),
            Error::Identity,
        )?;
    }
    if let Some(want) = expected.issuer {
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
        (CheckId::SourceRepository, expected.source_repo),
        (CheckId::SourceRepo, expected.repo),
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
    if let Some(want) = expected.source_ref {
        let have = id.claims.source_ref();
        checks.compare(
            CheckId::SourceRef,
            want,
            have,
            have == Some(want),
            Error::Identity,
        )?;
    }
    if let Some(want) = expected.owner {
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
    if let Some(want) = expected.trigger {
        let have = id.claims.trigger();
        checks.compare(
            CheckId::BuildTrigger,
            want,
            have,
            have == Some(want),
            Error::Identity,
        )?;
    }
    if let Some(want) = expected.runner_environment {
        let have = id.claims.runner_environment.as_deref();
        checks.compare(
            CheckId::BuildRunnerEnvironment,
            want,
            have,
            have == Some(want),
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
    use crate::policy::Policy;

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
        check(
            &gitlab(),
            &policy.signer_expectations(),
            &mut Checks::default(),
        )
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
                    check(&ours(env), &policy.signer_expectations(), &mut checks),
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
            &policy.signer_expectations(),
            &mut Checks::default(),
        )
        .unwrap();
        // Another workflow is not held to our builder's rule.
        let mut other = ours(Some("self-hosted"));
        other.san =
            Some("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1".into());
        check(
            &other,
            &policy.signer_expectations(),
            &mut Checks::default(),
        )
        .unwrap();
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

    /// A GitHub Actions certificate with every claim, deprecated ones too.
    fn github() -> CertIdentity {
        CertIdentity {
            san: Some(
                "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1".into(),
            ),
            issuer: Some(slsa_aibom_types::GITHUB_ISSUER.into()),
            claims: CiClaims {
                source_repository_uri: Some("https://github.com/acme/app".into()),
                source_repository_ref: Some("refs/tags/v1".into()),
                source_repository_owner_uri: Some("https://github.com/acme".into()),
                build_trigger: Some("push".into()),
                runner_environment: Some("github-hosted".into()),
                deprecated_workflow_repository: Some("acme/app".into()),
                deprecated_workflow_ref: Some("refs/tags/v1".into()),
                ..Default::default()
            },
        }
    }

    fn every_requirement() -> Policy {
        Policy {
            identity: Some(crate::SanMatcher::Exact(
                "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1".into(),
            )),
            issuer: Some(slsa_aibom_types::GITHUB_ISSUER.into()),
            source_repo: Some("https://github.com/acme/app".into()),
            repo: Some("acme/app".into()),
            source_ref: Some("refs/tags/v1".into()),
            owner: Some("acme".into()),
            trigger: Some("push".into()),
            runner_environment: Some("github-hosted".into()),
            ..Policy::default()
        }
    }

    /// A change that makes one requirement wrong.
    type Spoil = fn(&mut Policy);

    #[test]
    fn every_requirement_is_checked_against_its_claim_and_each_can_fail_alone() {
        let mut checks = Checks::default();
        check(
            &github(),
            &every_requirement().signer_expectations(),
            &mut checks,
        )
        .unwrap();
        let passed: Vec<CheckId> = checks
            .0
            .iter()
            .filter(|c| c.status() == crate::checks::Status::Pass)
            .map(|c| c.id)
            .collect();
        let each = [
            CheckId::IdentityDeprecatedOids,
            CheckId::IdentitySan,
            CheckId::IdentityIssuer,
            CheckId::SourceRepository,
            CheckId::SourceRepo,
            CheckId::SourceRef,
            CheckId::SourceOwner,
            CheckId::BuildTrigger,
            CheckId::BuildRunnerEnvironment,
        ];
        assert_eq!(passed, each);
        let wrong: [(CheckId, Spoil); 8] = [
            (CheckId::IdentitySan, |p| {
                p.identity = Some(crate::SanMatcher::Exact(
                    "https://github.com/acme/app/x".into(),
                ))
            }),
            (CheckId::IdentityIssuer, |p| {
                p.issuer = Some("https://gitlab.com".into())
            }),
            (CheckId::SourceRepository, |p| {
                p.source_repo = Some("https://github.com/acme/other".into())
            }),
            (CheckId::SourceRepo, |p| p.repo = Some("acme/other".into())),
            (CheckId::SourceRef, |p| {
                p.source_ref = Some("refs/tags/v2".into())
            }),
            (CheckId::SourceOwner, |p| p.owner = Some("other".into())),
            (CheckId::BuildTrigger, |p| {
                p.trigger = Some("workflow_dispatch".into())
            }),
            (CheckId::BuildRunnerEnvironment, |p| {
                p.runner_environment = Some("self-hosted".into())
            }),
        ];
        for (id, spoil) in wrong {
            let mut policy = every_requirement();
            spoil(&mut policy);
            let mut checks = Checks::default();
            assert!(
                check(&github(), &policy.signer_expectations(), &mut checks).is_err(),
                "{id:?}"
            );
            let last = checks.0.last().unwrap();
            assert_eq!((last.id, last.status()), (id, crate::checks::Status::Fail));
        }
        // A claim the certificate lacks fails its requirement.
        let mut bare = github();
        bare.claims.build_trigger = None;
        bare.claims.runner_environment = None;
        assert!(check(
            &bare,
            &every_requirement().signer_expectations(),
            &mut Checks::default()
        )
        .is_err());
        // Deprecated and current claims that disagree fail by name.
        let mut forged = github();
        forged.claims.deprecated_workflow_ref = Some("refs/heads/evil".into());
        let mut checks = Checks::default();
        assert!(check(&forged, &SignerExpectations::default(), &mut checks).is_err());
        assert_eq!(checks.0.last().unwrap().id, CheckId::IdentityDeprecatedOids);
        let mut checks = Checks::default();
        check(&gitlab(), &SignerExpectations::default(), &mut checks).unwrap();
        assert_eq!(checks.0[0].status(), crate::checks::Status::NotApplicable);
    }
}
