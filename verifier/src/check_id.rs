//! Every check the verifier can report, by a stable id. Each id has the
//! kebab-case name that reports, the JSON output and policies use (these
//! names never change), and a one-line description. `docs/checks.md` lists
//! them all; a test holds it to [`CheckId::ALL`].
//!
//! Four ids are qualified: one check per in-toto step, material, product or
//! unlisted file, named after it (`step.train`, `product:model/config.json`).

use serde::Serialize;

macro_rules! check_ids {
    ($($variant:ident = $name:literal : $description:literal,)*) => {
        /// A check the verifier reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[non_exhaustive]
        pub enum CheckId {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl CheckId {
            /// Every id, in the order of `docs/checks.md`.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant),*];

            /// The stable name (for a qualified id, its pattern, e.g. `step.<step>`).
            pub fn name(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $name,)*
                }
            }

            /// What the check establishes, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $description,)*
                }
            }
        }
    };
}

check_ids! {
    BundleFormat = "bundle.format": "the evidence parses as a Sigstore bundle (v0.1 to v0.3), a JSON Lines entry or a bare DSSE envelope",
    SignerKey = "signer.key": "the signature verifies with the supplied public key, and a keyed bundle was given a key (and a certificate bundle none)",
    BundleSignature = "bundle.signature": "the signature over the DSSE envelope or message digest verifies with the certificate's key",
    Signature = "signature": "a bare DSSE envelope's signature verifies with its embedded certificate's key",
    CertificateChain = "certificate.chain": "the signing certificate chains to a Fulcio (or given private) CA of the trusted root",
    CertificateSct = "certificate.sct": "the certificate carries a valid signed certificate timestamp from a CT log of the trusted root",
    SigningTime = "signing-time": "the certificate was valid at every verified signing time",
    Transparency = "transparency": "a Rekor inclusion proof or an RFC 3161 timestamp of the trusted root vouches for the signing time",
    TransparencyInclusionProofRequired = "transparency.inclusion-proof-required": "a trusted root with transparency logs gets an inclusion proof, never a bare promise (the downgrade guard)",
    Identity = "identity": "the certificate's identity could be read",
    IdentitySan = "identity.san": "the certificate's subject alternative name is the expected identity",
    IdentityIssuer = "identity.issuer": "the certificate's OIDC issuer is the expected one",
    IdentityDeprecatedOids = "identity.deprecated-oids": "the certificate's deprecated GitHub extensions agree with the current ones",
    SourceRepository = "source.repository": "the certificate's source repository (scheme, host and path) is the expected one",
    SourceRepo = "source.repo": "the certificate's GitHub repository (owner/name) is the expected one",
    SourceRef = "source.ref": "the certificate's source ref is the expected one",
    SourceOwner = "source.owner": "the certificate's repository owner is the expected one",
    BuildTrigger = "build.trigger": "the certificate's trigger event is the expected one",
    BuildRunnerEnvironment = "build.runner-environment": "the certificate's runner environment is the expected one",
    BuildSignerRunnerEnvironment = "build.signer-runner-environment": "our builder's signing job ran on a GitHub-hosted runner, whatever the policy",
    Statement = "statement": "the DSSE payload is an in-toto Statement v1",
    StatementPredicateType = "statement.predicate-type": "the statement's predicate type is the required one",
    Subject = "subject": "a subject of the statement is the artifact, digest or model given",
    ProvenanceBuilderId = "provenance.builder-id": "the provenance's builder.id is the required builder",
    ProvenanceBuilderIdConsistent = "provenance.builder-id-consistent": "the provenance's builder.id agrees with the certificate's signer workflow",
    ProvenanceInvocationConsistent = "provenance.invocation-consistent": "the provenance's invocation agrees with the certificate's run",
    ProvenanceExternalParameters = "provenance.external-parameters": "our build type's externalParameters hold only the parameters it defines",
    RunnerRecord = "runner.record": "the provenance records the train runner, as the runner policy needs",
    RunnerGithubHosted = "runner.github-hosted": "the model was trained on a GitHub-hosted runner (deny-self-hosted-training)",
    RunnerGroup = "runner.group": "the train runner's group is an allowed one",
    RunnerLabels = "runner.labels": "the train runner carries every required label",
    ModelFiles = "model.files": "the model directory's files are exactly the signed manifest's, byte for byte",
    ReleaseSameSigner = "release.same-signer": "the provenance, the ML-BOM and the model signature have one signer",
    ReleaseSameRun = "release.same-run": "the ML-BOM's training workflow is the provenance's invocation",
    ReleaseModelFiles = "release.model-files": "the provenance's subjects are the signed model files",
    ReleaseAibomSubjects = "release.aibom-subjects": "the ML-BOM statement covers the same files",
    ReleaseAibomModelHashes = "release.aibom-model-hashes": "the ML-BOM model component's hashes are signed model files",
    ReleaseDatasets = "release.datasets": "the ML-BOM's datasets are the provenance's resolved dataset dependencies",
    ReleaseTrainer = "release.trainer": "the ML-BOM's trainer is the provenance's trainer binary",
    ReleaseByproducts = "release.byproducts": "every byproduct beside the release matches the signed provenance",
    ReleaseAibomFile = "release.aibom-file": "the ML-BOM file is the provenance's byproduct and the signed predicate",
    ReleaseIntoto = "release.intoto": "the in-toto layout and links the ML-BOM references are beside the release",
    IntotoFiles = "intoto.files": "the release's in-toto files can be read",
    BomSubjects = "bom.subjects": "the ML-BOM statement covers every model product of the in-toto link",
    BomLayout = "bom.layout": "the ML-BOM references the in-toto layout by its sha256",
    BomLink = "bom.link": "the ML-BOM references the in-toto link by its sha256",
    LayoutSignature = "layout.signature": "the in-toto layout is signed by a trusted key",
    LayoutExpires = "layout.expires": "the in-toto layout has not expired",
    LayoutInspections = "layout.inspections": "the layout's inspections ran (none are run: a layout with inspections is refused)",
    LayoutArtifactRules = "layout.artifact-rules": "the steps' materials and products follow the layout's artifact rules",
    LinkSignature = "link.signature": "the in-toto link is signed by an authorised functionary",
    LinkProducts = "link.products": "the ML-BOM's model hashes are products of the link",
    LinkInvocation = "link.invocation": "the link and the ML-BOM record the same run",
    IntotoStep = "step.<step>": "each layout step has its threshold of functionary links",
    IntotoMaterial = "material:<path>": "a file has the sha256 the link records for that material",
    IntotoProduct = "product:<path>": "a file has the sha256 the link records for that product",
    IntotoUnlisted = "unlisted:<path>": "a file in the directory that the link does not list (a warning)",
    Artifacts = "artifacts": "every artifact the link lists is present with its sha256",
    PolicySource = "policy.source": "the release policy's [source] rules could be applied",
    PolicySourceIssuer = "policy.source.issuer": "the signer's OIDC issuer is one the policy allows",
    PolicySourceRepository = "policy.source.repository": "the source repository is one the policy allows",
    PolicySourceOwnerId = "policy.source.owner-id": "the repository owner's ID is one the policy allows",
    PolicySourceRef = "policy.source.ref": "the source ref is one the policy allows",
    PolicySourceTrigger = "policy.source.trigger": "the trigger is one the policy allows",
    PolicyLicenseModel = "policy.license.model": "the model's licence is one the policy allows",
    PolicyLicenseDataset = "policy.license.dataset": "each dataset's licence is one the policy allows",
    PolicyDataset = "policy.dataset": "each dataset is one the policy allows, by name and digest",
    PolicyTrainingTier = "policy.training.tier": "the model was trained by a tier the policy allows",
    PolicyTrainingNetwork = "policy.training.network": "the command ran without network, in a namespace that held",
    PolicyTrainingReproduced = "policy.training.reproduced": "a second builder reproduced the model byte for byte",
    ReproductionSubjects = "reproduction.subjects": "the rebuild's provenance names exactly the release's model files",
    ReproductionInputs = "reproduction.inputs": "the rebuild recorded the same build type and inputs as the release",
    ReproductionIndependent = "reproduction.independent": "the rebuild was signed by a second builder, not the release's signer",
    PolicyLineage = "policy.lineage": "each base model is one the policy allows, by manifest digest or signer, and signed when the policy requires it",
    PolicyMetric = "policy.metric": "a final metric meets the policy's bound, on enough rows",
    PolicyDeniedVersion = "policy.denied-version": "no component is a version the policy denies",
    VsaVerifier = "vsa.verifier": "the verification summary was issued by the expected verifier",
    VsaResult = "vsa.result": "the verification summary's result is PASSED",
    VsaLevel = "vsa.level": "the verification summary states at least the required SLSA level",
    VsaPolicy = "vsa.policy": "the verification summary names the expected policy",
    VsaSubjects = "vsa.subjects": "the verification summary covers the artifact given",
    VsaReproduced = "vsa.reproduced": "the verification summary states SLSA_BUILD_REPRODUCED",
}

impl CheckId {
    /// The name of one check of this id; `qualifier` is the step, path or
    /// rule of a qualified id, and ignored by the others.
    pub fn qualified(self, qualifier: Option<&str>) -> String {
        let q = qualifier.unwrap_or_default();
        match self {
            CheckId::IntotoStep => format!("step.{q}"),
            CheckId::IntotoMaterial => format!("material:{q}"),
            CheckId::IntotoProduct => format!("product:{q}"),
            CheckId::IntotoUnlisted => format!("unlisted:{q}"),
            other => other.name().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_qualified(id: CheckId) -> bool {
        id.name().contains('<')
    }

    fn from_name(name: &str) -> Option<CheckId> {
        CheckId::ALL.iter().copied().find(|id| id.name() == name)
    }

    /// The Markdown table of `docs/checks.md`.
    fn markdown_table() -> String {
        let mut out = String::from("| check | what it establishes |\n|---|---|\n");
        for id in CheckId::ALL {
            out.push_str(&format!("| `{}` | {} |\n", id.name(), id.description()));
        }
        out
    }

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for id in CheckId::ALL {
            assert!(seen.insert(id.name()), "{} twice", id.name());
            let plain = id.name().replace(['<', '>'], "");
            assert!(
                plain
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.:".contains(c)),
                "{}",
                id.name()
            );
            assert!(!id.description().is_empty());
            if !is_qualified(*id) {
                assert_eq!(from_name(id.name()), Some(*id));
                assert_eq!(id.qualified(Some("ignored")), id.name());
            }
        }
        assert_eq!(CheckId::IntotoStep.qualified(Some("train")), "step.train");
        assert_eq!(
            CheckId::IntotoProduct.qualified(Some("model/config.json")),
            "product:model/config.json"
        );
    }

    /// docs/checks.md lists every check, generated from this enum:
    /// `UPDATE_CHECKS_DOC=1 cargo test -p slsa-aibom-verify --lib check_id` rewrites it.
    #[test]
    fn docs_checks_md_lists_every_check() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/checks.md");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let table = markdown_table();
        let start = text.find("| check |").unwrap_or(text.len());
        let head = if start < text.len() {
            &text[..start]
        } else {
            HEAD
        };
        if std::env::var_os("UPDATE_CHECKS_DOC").is_some() {
            std::fs::write(&path, format!("{head}{table}")).unwrap();
            return;
        }
        assert_eq!(
            &text[start..],
            table,
            "docs/checks.md is out of date: UPDATE_CHECKS_DOC=1 cargo test -p slsa-aibom-verify --lib check_id"
        );
    }

    const HEAD: &str = "# Checks\n\nEvery check `slsa-aibom-verify` can report, by the stable name that reports,\n\
        JSON output and policies use (`slsa_aibom_verify::CheckId` in the library).\n\
        A check's status is `pass`, `fail`, `warn` or `not-applicable`; a verdict is\n\
        verified only when no check failed and none the policy asked for was left\n\
        out. Four checks are qualified by a step or a path. This page is generated\n\
        from the enum, and a test fails when they differ.\n\n";
}
