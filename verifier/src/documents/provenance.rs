//! SLSA provenance (v0.2 and v1) checks that bind the predicate to the
//! certificate: `builder.id` and the invocation ID must agree with what
//! Fulcio certified, because the predicate is only the signer's claim.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use crate::identity::CertIdentity;

/// SLSA provenance v1.
pub use slsa_aibom_types::intoto::SLSA_PROVENANCE_V1;
/// SLSA provenance v0.2 (`builder.id` at the predicate's top level).
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// The SLSA provenance predicates whose builder ID this verifier reads.
pub const SLSA_PROVENANCE_TYPES: [&str; 2] = [SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02];
/// The typed SLSA v1 predicate and our build type's parameters.
pub use slsa_aibom_types::provenance::{ExternalParameters, InternalParameters, Provenance};

/// Our build type's provenance, its parameters typed.
pub type OurProvenance = Provenance<ExternalParameters, InternalParameters>;

/// The statement's predicate, read as SLSA v1 provenance.
pub fn slsa_v1(st: &Statement) -> Result<Provenance> {
    serde_json::from_value(st.predicate.clone())
        .map_err(|e| Error::Input(format!("the predicate is not SLSA v1 provenance: {e}")))
}

/// The statement's predicate, read as provenance of our build type.
pub fn ours(st: &Statement) -> Result<OurProvenance> {
    let p: OurProvenance = serde_json::from_value(st.predicate.clone()).map_err(|e| {
        Error::Input(format!(
            "the predicate is not provenance of our build type: {e}"
        ))
    })?;
    if p.build_definition.build_type != slsa_aibom_types::provenance::BUILD_TYPE {
        return Err(Error::Input(format!(
            "the provenance's build type is {:?}, not ours",
            p.build_definition.build_type
        )));
    }
    Ok(p)
}

/// Builder IDs that name a GitHub runner rather than a workflow. GitHub's
/// own attestations (and npm's) write these; the builder identity is then the
/// certificate's SAN, which the identity checks cover.
pub const GENERIC_GITHUB_BUILDERS: &[&str] = &[
    "https://github.com/actions/runner/github-hosted",
    "https://github.com/actions/runner/self-hosted",
    "https://github.com/actions/runner",
];

/// slsa-github-generator's BYOB delegators: the certificate names the
/// delegator, and the predicate names the tool workflow it ran.
const DELEGATOR_PREFIXES: &[&str] = &[
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml@",
];

/// The fields of a provenance predicate these checks need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvenanceFacts {
    /// `runDetails.builder.id` (v1) or `builder.id` (v0.2).
    pub builder_id: Option<String>,
    /// `runDetails.metadata.invocationId` (v1) or `metadata.buildInvocationId` (v0.2).
    pub invocation_id: Option<String>,
}

impl ProvenanceFacts {
    /// Read the facts from a provenance statement.
    pub fn from_statement(st: &Statement) -> Self {
        let p = &st.predicate;
        let s = |v: &serde_json::Value| v.as_str().map(str::to_string);
        ProvenanceFacts {
            builder_id: s(&p["runDetails"]["builder"]["id"]).or_else(|| s(&p["builder"]["id"])),
            invocation_id: s(&p["runDetails"]["metadata"]["invocationId"])
                .or_else(|| s(&p["metadata"]["buildInvocationId"])),
        }
    }
}

/// Whether a v0.2-style invocation ID (`RUN_ID-ATTEMPT`) or a URL names the
/// same run as the certificate's run URI (`.../actions/runs/ID/attempts/N`).
fn same_run(invocation: &str, run_uri: &str) -> bool {
    if invocation == run_uri {
        return true;
    }
    let tail = run_uri.split("/actions/runs/").nth(1).unwrap_or("");
    match tail.split_once("/attempts/") {
        Some((id, attempt)) => invocation == format!("{id}-{attempt}"),
        None => false,
    }
}

/// Record whether predicate and certificate agree (`ok`) under `name`: a
/// disagreement is an identity failure when `enforce`, else a warning.
fn consistency(
    checks: &mut Checks,
    enforce: bool,
    name: CheckId,
    expected: &str,
    actual: &str,
    why: String,
    ok: bool,
) -> Result<()> {
    let result = if ok {
        Ok(())
    } else {
        Err(Error::Identity(why.clone()))
    };
    match (result, enforce) {
        (Err(_), false) => {
            checks.warn(
                name,
                Some(expected.into()),
                Some(actual.into()),
                format!("{why} (not enforced: the policy requires no builder)"),
            );
            Ok(())
        }
        (result, _) => checks.record(
            name,
            Some(expected.into()),
            Some(actual.into()),
            why,
            result,
        ),
    }
}

/// The provenance's invocation ID against the certificate's run.
fn invocation_consistency(
    facts: &ProvenanceFacts,
    signer: &CertIdentity,
    enforce: bool,
    checks: &mut Checks,
) -> Result<()> {
    match (
        facts.invocation_id.as_deref(),
        signer.claims.run_invocation_uri.as_deref(),
    ) {
        (Some(inv), Some(run)) => {
            let ok = same_run(inv, run);
            let why = if ok {
                "invocation ID names the certificate's run".to_string()
            } else {
                format!("invocation ID {inv} is not the certificate's run {run}")
            };
            consistency(
                checks,
                enforce,
                CheckId::ProvenanceInvocationConsistent,
                run,
                inv,
                why,
                ok,
            )
        }
        (inv, run) => {
            checks.not_applicable(
                CheckId::ProvenanceInvocationConsistent,
                format!(
                    "nothing to compare: invocation ID {}, certificate run URI {}",
                    inv.unwrap_or("absent"),
                    run.unwrap_or("absent")
                ),
            );
            Ok(())
        }
    }
}

/// Check a provenance statement against the certificate (when keyless) and
/// the policy's required builder ID. Inconsistencies between predicate and
/// certificate fail when `enforce` (the policy relies on the provenance's
/// builder) and are reported as warnings otherwise.
pub fn check(
    st: &Statement,
    signer: Option<&CertIdentity>,
    required_builder: Option<&str>,
    enforce: bool,
    checks: &mut Checks,
) -> Result<ProvenanceFacts> {
    let facts = ProvenanceFacts::from_statement(st);
    let builder = facts.builder_id.as_deref();
    if builder.is_none() {
        return checks.record(
            CheckId::ProvenanceBuilderId,
            None,
            None,
            "",
            Err(Error::Input("provenance has no builder.id".into())),
        );
    }
    match signer.and_then(|s| s.san.as_deref().map(|san| (s, san))) {
        Some((signer, san)) => {
            let b = builder.unwrap_or_default();
            let (ok, why) = if b == san {
                (true, "builder.id equals the certificate SAN".to_string())
            } else if GENERIC_GITHUB_BUILDERS.contains(&b) {
                (true, format!("generic runner builder.id; the builder identity is the certificate SAN {san}"))
            } else if DELEGATOR_PREFIXES.iter().any(|p| san.starts_with(p)) {
                (true, format!("BYOB: certificate names the slsa-github-generator delegator, which attests tool workflow {b}"))
            } else {
                (false, format!("predicate builder.id {b} claims a builder the certificate does not name (SAN {san})"))
            };
            consistency(
                checks,
                enforce,
                CheckId::ProvenanceBuilderIdConsistent,
                san,
                b,
                why,
                ok,
            )?;

            invocation_consistency(&facts, signer, enforce, checks)?;
        }
        None => checks.not_applicable(
            CheckId::ProvenanceBuilderIdConsistent,
            "keyed signature: builder.id is attested by the key holder, not by a certificate",
        ),
    }
    if let Some(want) = required_builder {
        let ok = builder == Some(want);
        checks.compare(
            CheckId::ProvenanceBuilderId,
            want,
            builder,
            ok,
            Error::Identity,
        )?;
    }
    known_external_parameters(st, checks)?;
    Ok(facts)
}

/// For our build type, every external parameter (and every workflow input
/// under `inputs`) must be one the build type defines: SLSA v1 says a
/// verifier must reject parameters it does not know, since each can change
/// what was built.
fn known_external_parameters(st: &Statement, checks: &mut Checks) -> Result<()> {
    use crate::identity::our_builder::{BUILD_TYPE, EXTERNAL_PARAMETERS, WORKFLOW_INPUTS};
    use slsa_aibom_types::command_provenance::{COMMAND_BUILD_TYPE, COMMAND_EXTERNAL_PARAMETERS};
    let definition = &st.predicate["buildDefinition"];
    let known: &[&str] = if definition["buildType"] == BUILD_TYPE {
        &EXTERNAL_PARAMETERS
    } else if definition["buildType"] == COMMAND_BUILD_TYPE {
        &COMMAND_EXTERNAL_PARAMETERS
    } else {
        return Ok(());
    };
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let params = &definition["externalParameters"];
    let mut unknown: Vec<String> = names(params)
        .into_iter()
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    unknown.extend(
        names(&params["inputs"])
            .into_iter()
            .filter(|k| !WORKFLOW_INPUTS.contains(&k.as_str()))
            .map(|k| format!("inputs.{k}")),
    );
    let shaped = params.is_object() && (params["inputs"].is_null() || params["inputs"].is_object());
    checks.require(
        CheckId::ProvenanceExternalParameters,
        Some(known.join(", ")),
        Some(names(params).join(", ")),
        "every external parameter is one our build type defines",
        unknown.is_empty() && shaped,
        || {
            Error::Policy(format!(
                "the provenance records external parameters our build type does not define: {}",
                if unknown.is_empty() {
                    "externalParameters is malformed".to_string()
                } else {
                    unknown.join(", ")
                }
            ))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::statement::{IN_TOTO_PAYLOAD_TYPE, STATEMENT_V1};
    use crate::identity::CiClaims;

    fn prov(builder: &str, inv: &str) -> Statement {
        let p = format!(
            r#"{{"_type":"{STATEMENT_V1}","subject":[{{"name":"a","digest":{{"sha256":"00"}}}}],"predicateType":"{SLSA_PROVENANCE_V1}",
            "predicate":{{"runDetails":{{"builder":{{"id":"{builder}"}},"metadata":{{"invocationId":"{inv}"}}}}}}}}"#
        );
        crate::evidence::statement::from_payload(IN_TOTO_PAYLOAD_TYPE, p.as_bytes()).unwrap()
    }

    fn signer(san: &str, run: &str) -> CertIdentity {
        CertIdentity {
            san: Some(san.into()),
            claims: CiClaims {
                run_invocation_uri: Some(run.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    const TRUSTED: &str = "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1";
    const RUN: &str = "https://github.com/o/r/actions/runs/42/attempts/1";

    #[test]
    fn predicate_cannot_claim_a_builder_the_certificate_does_not_name() {
        let evil = signer(
            "https://github.com/evil/x/.github/workflows/a.yaml@refs/heads/main",
            RUN,
        );
        let err = check(
            &prov(TRUSTED, RUN),
            Some(&evil),
            Some(TRUSTED),
            true,
            &mut Checks::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Identity(_)), "{err}");
        let checks = passed(&prov(TRUSTED, RUN), &signer(TRUSTED, RUN), Some(TRUSTED));
        assert_eq!(
            checks.pass(CheckId::ProvenanceBuilderId).as_deref(),
            Some(TRUSTED)
        );
        assert!(checks
            .pass(CheckId::ProvenanceBuilderIdConsistent)
            .is_some());
        assert!(checks
            .pass(CheckId::ProvenanceInvocationConsistent)
            .is_some());
    }

    /// The checks a passing `check` recorded.
    struct Passed(Checks);

    impl Passed {
        /// The actual value of the passing check `id`, if it passed.
        fn pass(&self, id: CheckId) -> Option<String> {
            self.0
                 .0
                .iter()
                .find(|c| c.id == id && c.status == crate::checks::Status::Pass)
                .map(|c| c.actual.clone().unwrap_or_default())
        }
    }

    fn passed(st: &Statement, s: &CertIdentity, builder_id: Option<&str>) -> Passed {
        let mut checks = Checks::default();
        check(st, Some(s), builder_id, true, &mut checks).unwrap();
        Passed(checks)
    }

    #[test]
    fn invocation_must_name_the_certificate_run() {
        let s = signer(TRUSTED, RUN);
        // GitHub's generator writes RUN-ATTEMPT; it names the same run.
        let checks = passed(&prov(TRUSTED, "42-1"), &s, None);
        assert!(checks
            .pass(CheckId::ProvenanceInvocationConsistent)
            .is_some());
        let err = check(
            &prov(TRUSTED, "https://github.com/o/r/actions/runs/43/attempts/1"),
            Some(&s),
            None,
            true,
            &mut Checks::default(),
        );
        assert!(matches!(err, Err(Error::Identity(_))));
    }

    #[test]
    fn unenforced_inconsistency_is_a_visible_warning() {
        let evil = signer(
            "https://github.com/evil/x/.github/workflows/a.yaml@refs/heads/main",
            RUN,
        );
        let mut checks = Checks::default();
        check(&prov(TRUSTED, RUN), Some(&evil), None, false, &mut checks).unwrap();
        assert!(checks
            .0
            .iter()
            .any(|c| c.status == crate::checks::Status::Warn
                && c.id == CheckId::ProvenanceBuilderIdConsistent));
    }

    #[test]
    fn generic_runner_builder_ids_defer_to_the_san() {
        let s = signer(TRUSTED, RUN);
        let checks = passed(&prov(GENERIC_GITHUB_BUILDERS[0], RUN), &s, None);
        assert!(checks
            .pass(CheckId::ProvenanceBuilderIdConsistent)
            .is_some());
        // The SAN, not the generic ID, is what the builder is held to.
        let evil = signer(
            "https://github.com/evil/x/.github/workflows/a.yaml@refs/heads/main",
            RUN,
        );
        let checks = passed(&prov(GENERIC_GITHUB_BUILDERS[0], RUN), &evil, None);
        assert!(checks
            .pass(CheckId::ProvenanceBuilderIdConsistent)
            .is_some());
    }
}
