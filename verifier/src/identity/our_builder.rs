//! The product rules about our own builder, in one place: how its reusable
//! workflow is recognised in a certificate, its build type, and the
//! external parameters its provenance may record.
//!
//! Two kinds of match, on purpose: a rule that *adds* a requirement (an
//! inclusion proof, a GitHub-hosted signing job) applies to any SAN that
//! [`may_be_ours`], so a look-alike cannot escape it; a rule that *grants*
//! something (SLSA build level 3) needs [`is_our_workflow`], an exact match.

/// Workflow path of our builder, as it appears in a certificate SAN
/// (`https://github.com/OWNER/slsa-aibom/.github/workflows/builder.yml@REF`).
pub const OUR_BUILDER_WORKFLOW: &str = "/slsa-aibom/.github/workflows/builder.yml@";

/// The build type of our provenance (`docs/buildtype-v1.md`).
pub use slsa_aibom_types::provenance::BUILD_TYPE;

/// The inputs of the reusable workflow, each recorded in the provenance's
/// `externalParameters.inputs` when the workflow built it.
pub const WORKFLOW_INPUTS: [&str; 9] = [
    "job",
    "train-runs-on",
    "device",
    "gpu-runner-label",
    "expected-digests",
    "upload-attestations",
    "public-transparency-log",
    "publish-release",
    "release-tag",
];

/// The keys our build type's `externalParameters` may hold.
pub use slsa_aibom_types::provenance::EXTERNAL_PARAMETERS;

/// Whether a certificate SAN looks like our builder workflow (any SAN
/// containing its path). For rules that add requirements.
pub fn may_be_ours(san: &str) -> bool {
    san.contains(OUR_BUILDER_WORKFLOW)
}

/// Whether `workflow` (no `@REF`) is exactly
/// `https://github.com/OWNER/slsa-aibom/.github/workflows/builder.yml` for
/// one owner. For rules that grant something.
pub fn is_our_workflow(workflow: &str) -> bool {
    let path = OUR_BUILDER_WORKFLOW.trim_end_matches('@');
    workflow
        .strip_prefix("https://github.com/")
        .and_then(|rest| rest.strip_suffix(path))
        .is_some_and(|owner| !owner.is_empty() && !owner.contains(['/', '@']))
}

/// Whether the signer `san` is the builder a policy pins exactly: `pin`
/// names one workflow of ours ([`is_our_workflow`]) and the SAN is that
/// workflow, at whatever ref the pin allowed. For the grants that rest on
/// our signing job's word: the platform and signing-job labels of the
/// passport, and the rules about the train runner and the base model. A
/// look-alike (`tenant/slsa-aibom` with a `builder.yml` of its own that
/// signs anything) gets none of them unless the policy pins it by name.
pub fn is_pinned_builder(pin: Option<&crate::identity::SanMatcher>, san: Option<&str>) -> bool {
    let pinned = pin
        .and_then(|m| m.pinned_workflow())
        .filter(|w| is_our_workflow(w));
    match (pinned, san.and_then(|s| s.split_once('@'))) {
        (Some(w), Some((workflow, _))) => w == workflow,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_builder_pinned_by_name_gets_the_grants() {
        use crate::identity::SanMatcher;
        let ours = "https://github.com/acme/slsa-aibom/.github/workflows/builder.yml";
        let san = format!("{ours}@refs/tags/v1.0.0");
        let pin = SanMatcher::Exact(san.clone());
        assert!(is_pinned_builder(Some(&pin), Some(&san)));
        // A tenant's copy of the builder, signing for itself.
        let tenant = san.replace("/acme/", "/tenant/");
        assert!(!is_pinned_builder(Some(&pin), Some(&tenant)));
        // No pin at all (a source repository alone), or a free pattern.
        assert!(!is_pinned_builder(None, Some(&san)));
        let pattern = SanMatcher::regex(".*").unwrap();
        assert!(!is_pinned_builder(Some(&pattern), Some(&san)));
        // A pin of something that is not our builder grants nothing.
        let other = "https://github.com/acme/x/.github/workflows/y.yml@refs/tags/v1";
        assert!(!is_pinned_builder(
            Some(&SanMatcher::Exact(other.into())),
            Some(other)
        ));
        assert!(!is_pinned_builder(Some(&pin), None));
    }

    #[test]
    fn look_alikes_get_the_requirements_not_the_grants() {
        let ours = "https://github.com/acme/slsa-aibom/.github/workflows/builder.yml";
        assert!(is_our_workflow(ours));
        assert!(may_be_ours(&format!("{ours}@refs/tags/v1.0.0")));
        let sneaky = format!(
            "https://github.com/evil/x/.github/workflows/a.yml@refs/heads/b{}",
            &ours[23..]
        );
        assert!(may_be_ours(&format!("{sneaky}@x")));
        assert!(!is_our_workflow(&sneaky));
        assert!(!is_our_workflow(
            "https://github.com/a/b/slsa-aibom/.github/workflows/builder.yml"
        ));
        assert!(!is_our_workflow(
            "https://evil.example/a/slsa-aibom/.github/workflows/builder.yml"
        ));
    }
}
