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

#[cfg(test)]
mod tests {
    use super::*;

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
