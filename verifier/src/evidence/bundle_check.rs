//! Cryptographic verification of one Sigstore bundle, delegated to
//! `sigstore-verify`, plus what it leaves to callers: the choice of policy
//! for the trust domain, the downgrade guard, and fail-closed result checks.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::evidence::anchor::TrustAnchor;
use crate::setting::SettingProblem;
use sigstore_crypto::CertificateInfo;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{
    ArtifactDigest, Bundle, DigestBytes, HashAlgorithm, MediaType, SignatureContent,
};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};

/// What cryptographic verification established.
#[derive(Debug)]
pub(crate) struct Established {
    /// The verified signing certificate (keyless bundles).
    pub cert: Option<CertificateInfo>,
}

/// What `sigstore-verify` says it established, as plain facts: the checks
/// below hold each one, failing closed, whatever produced them.
struct Facts {
    /// The certificate chained to a trusted Fulcio CA.
    certificate: bool,
    /// The embedded SCT verified.
    sct: bool,
    /// A transparency-log entry verified.
    tlog: bool,
    /// The signing times verified (log entries and timestamps).
    timestamps: Vec<String>,
    /// The verified signing certificate.
    cert: Option<CertificateInfo>,
}

impl From<&sigstore_verify::VerificationResult> for Facts {
    fn from(r: &sigstore_verify::VerificationResult) -> Self {
        Facts {
            certificate: r.certificate_verified(),
            sct: r.sct_verified(),
            tlog: r.tlog_verified(),
            timestamps: r
                .verified_timestamps()
                .iter()
                .map(|t| t.to_string())
                .collect(),
            cert: r.certificate().cloned(),
        }
    }
}

/// The artifact as sigstore-verify needs it.
pub(crate) enum SigstoreArtifact<'a> {
    /// A file to stream (message signatures over arbitrary files).
    File(&'a std::path::Path),
    /// A precomputed digest.
    Digest(&'a Digest),
}

fn artifact_digest(d: &Digest) -> Result<ArtifactDigest> {
    let alg = match d.algorithm.as_str() {
        "sha256" => HashAlgorithm::Sha2256,
        "sha512" => HashAlgorithm::Sha2512,
        other => {
            return Err(Error::Input(format!(
                "a Sigstore bundle can only bind sha256 or sha512 digests, not {other}"
            )))
        }
    };
    let raw = d
        .raw()
        .ok_or_else(|| Error::Input(format!("bad digest {d}")))?;
    ArtifactDigest::new(alg, DigestBytes::from(raw)).map_err(|e| Error::Input(e.to_string()))
}

fn version(bundle: &Bundle) -> &'static str {
    match bundle.media_type() {
        MediaType::Bundle0_1 => "v0.1",
        MediaType::Bundle0_2 => "v0.2",
        _ => "v0.3",
    }
}

/// Downgrade guard: a v0.2+ bundle, or one from our own builder, must carry
/// an inclusion proof in every log entry; a SET alone is not enough.
fn check_inclusion_proofs(bundle: &Bundle, checks: &mut Checks) -> Result<()> {
    let ours = bundle
        .signing_certificate()
        .and_then(|c| crate::identity::CertIdentity::from_der(c.as_bytes()).ok())
        .and_then(|id| id.san)
        .is_some_and(|san| crate::identity::our_builder::may_be_ours(&san));
    let strict = ours || !matches!(bundle.media_type(), MediaType::Bundle0_1);
    let entries = &bundle.verification_material.tlog_entries;
    let missing = entries
        .iter()
        .filter(|e| e.inclusion_proof.is_none())
        .count();
    let why = if ours {
        "bundles from the slsa-aibom builder"
    } else {
        "bundles v0.2 and later"
    };
    let result = if strict && missing > 0 {
        Err(Error::Crypto(format!(
            "downgrade refused: {missing} log entr{} carr{} only a SET, and {why} must carry an inclusion proof",
            if missing == 1 { "y" } else { "ies" },
            if missing == 1 { "ies" } else { "y" }
        )))
    } else {
        Ok(())
    };
    let detail = if strict {
        format!("every log entry carries an inclusion proof ({why})")
    } else {
        "v0.1 bundle: a SET is accepted where no inclusion proof is present".into()
    };
    checks.record(
        CheckId::TransparencyInclusionProofRequired,
        None,
        None,
        detail,
        result,
    )
}

/// Verify a bundle's cryptography for `artifact` under the trust domain the
/// policy selects (keyless Fulcio, or a caller-supplied key).
pub(crate) fn verify(
    bundle: &Bundle,
    artifact: SigstoreArtifact<'_>,
    anchor: &TrustAnchor,
    verifier: &Verifier,
    checks: &mut Checks,
) -> Result<Established> {
    let keyed = matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    );
    checks.pass(
        CheckId::BundleFormat,
        None,
        Some(version(bundle).into()),
        format!("Sigstore bundle {}", version(bundle)),
    );
    let mismatch = match (anchor.key(), keyed) {
        (None, true) => Some(SettingProblem::KeyedBundleWithoutKey),
        (Some(_), false) => Some(SettingProblem::KeyForCertificateBundle),
        _ => None,
    };
    if let Some(why) = mismatch {
        return checks.record(CheckId::SignerKey, None, None, "", Err(Error::Setting(why)));
    }
    // After the check above, a key is given exactly when the bundle is keyed.
    let outcome = match anchor.key() {
        Some(key)
            if bundle.verification_material.tlog_entries.is_empty()
                && bundle
                    .verification_material
                    .timestamp_verification_data
                    .rfc3161_timestamps
                    .is_empty() =>
        {
            return verify_with_key_only(bundle, key, checks);
        }
        Some(key) => {
            let mut p = PublicKeyVerificationPolicy::new(key.der.clone());
            if bundle.verification_material.tlog_entries.is_empty() {
                // Nothing logged: the supplied key is the only trust anchor.
                p = p.skip_tlog_unsafe();
            }
            run(verifier, bundle, artifact, &p)
        }
        None => {
            if anchor.sigstore_root()?.has_transparency_log() {
                check_inclusion_proofs(bundle, checks)?;
            }
            let mut p = VerificationPolicy::any_identity();
            if !anchor.sigstore_root()?.has_transparency_log() {
                p = p.skip_tlog_unsafe();
            }
            if !anchor.sigstore_root()?.has_ct_log() {
                p = p.skip_sct();
            }
            run(verifier, bundle, artifact, &p)
        }
    };
    let facts = Facts::from(&checks.record(
        CheckId::BundleSignature,
        None,
        None,
        "signature, log entry and timestamps verify",
        outcome,
    )?);

    if keyed {
        checks.pass(
            CheckId::SignerKey,
            None,
            Some(
                anchor
                    .key()
                    .map(|k| k.scheme.name().to_string())
                    .unwrap_or_default(),
            ),
            "signed by the supplied public key",
        );
        transparency_check(&facts, checks, anchor, true)?;
        return Ok(Established { cert: None });
    }
    keyless_checks(facts, anchor, checks)
}

/// A keyed bundle with neither a log entry nor a timestamp, as
/// model-signing writes them (sigstore-bundle's structure check refuses
/// them). The key is the only anchor: check the DSSE signature with it; the
/// statement's subjects are checked by the caller.
fn verify_with_key_only(
    bundle: &Bundle,
    key: &crate::evidence::keys::PublicKey,
    checks: &mut Checks,
) -> Result<Established> {
    let SignatureContent::DsseEnvelope(env) = &bundle.content else {
        return Err(Error::Input(
            "keyed message signature without log entry or timestamp is not supported".into(),
        ));
    };
    checks.record(
        CheckId::BundleSignature,
        None,
        None,
        "DSSE signature verifies with the supplied key",
        key.verify(&env.pae(), env.signature.sig.as_bytes()),
    )?;
    checks.pass(
        CheckId::SignerKey,
        None,
        Some(key.scheme.name().into()),
        "signed by the supplied public key",
    );
    checks.not_applicable(
        CheckId::Transparency,
        "keyed bundle without log entry or timestamp: the supplied key is the trust anchor",
    );
    Ok(Established { cert: None })
}

/// After a keyless signature verified: the certificate chain, the SCT, the
/// transparency evidence and the signing times, each failing closed.
fn keyless_checks(facts: Facts, anchor: &TrustAnchor, checks: &mut Checks) -> Result<Established> {
    // Fail closed: a keyless result that did not verify the chain is no result.
    let chain_ok = established(facts.certificate, "certificate chain");
    checks.record(
        CheckId::CertificateChain,
        None,
        Some(anchor.sigstore_root()?.origin.clone()),
        format!(
            "chains to a Fulcio CA of {} at every verified signing time",
            anchor.sigstore_root()?.origin
        ),
        chain_ok,
    )?;
    if anchor.sigstore_root()?.has_ct_log() {
        let sct = established(facts.sct, "SCT");
        checks.record(
            CheckId::CertificateSct,
            None,
            None,
            "embedded SCT verifies against a trusted CT log",
            sct,
        )?;
    } else {
        checks.not_applicable(
            CheckId::CertificateSct,
            "trusted root has no CT log (GitHub instance)",
        );
    }
    transparency_check(&facts, checks, anchor, false)?;
    checks.pass(
        CheckId::SigningTime,
        None,
        Some(facts.timestamps.join(", ")),
        "certificate valid at every verified signing time",
    );
    let cert = facts
        .cert
        .ok_or_else(|| Error::Crypto("no verified certificate".into()))?;
    Ok(Established { cert: Some(cert) })
}

fn transparency_check(
    facts: &Facts,
    checks: &mut Checks,
    anchor: &TrustAnchor,
    keyed: bool,
) -> Result<()> {
    if keyed && !facts.tlog {
        checks.not_applicable(
            CheckId::Transparency,
            "keyed bundle without log entries: the supplied key is the trust anchor",
        );
        return Ok(());
    }
    if !anchor.sigstore_root()?.has_transparency_log() && !keyed {
        if facts.timestamps.is_empty() {
            return checks.record(
                CheckId::Transparency,
                None,
                None,
                "",
                Err(Error::Crypto("no RFC 3161 timestamp verified".into())),
            );
        }
        checks.not_applicable(
            CheckId::Transparency,
            "trust domain has no transparency log; signing time from its TSA",
        );
        return Ok(());
    }
    let ok = established(facts.tlog, "transparency log");
    let detail = if keyed {
        "any log entries present verify (inclusion proof, checkpoint, SET)"
    } else {
        "log entry verifies: inclusion proof and checkpoint, or SET where allowed"
    };
    checks.record(CheckId::Transparency, None, None, detail, ok)
}

/// Fail closed on a verification fact that `sigstore-verify` did not establish.
fn established(fact: bool, what: &str) -> Result<()> {
    if fact {
        Ok(())
    } else {
        Err(Error::Crypto(format!("{what} was not verified")))
    }
}

fn run(
    verifier: &Verifier,
    bundle: &Bundle,
    artifact: SigstoreArtifact<'_>,
    policy: &(impl sigstore_verify::Policy + ?Sized),
) -> Result<sigstore_verify::VerificationResult> {
    match artifact {
        SigstoreArtifact::Digest(d) => Ok(verifier.verify(artifact_digest(d)?, bundle, policy)?),
        SigstoreArtifact::File(path) => {
            let file = crate::bounded_read::open_regular(path, "artifact")?;
            Ok(verifier.verify_reader(
                std::io::BufReader::with_capacity(1 << 20, file),
                bundle,
                policy,
            )?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::evidence::keys::PublicKey;
    use crate::evidence::trust::{Instance, TrustRoot};
    use std::path::PathBuf;

    /// `../shared/vectors`, or a plain refusal to run.
    fn vectors() -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
        assert!(
            dir.is_dir(),
            "../shared/vectors is not present: this test did NOT run (see README, 'Test vectors')"
        );
        dir
    }

    fn testdata(path: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata")
            .join(path)
    }

    fn bundle(path: &std::path::Path) -> Bundle {
        Bundle::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn checks() -> Checks {
        Checks::named(Default::default())
    }

    fn status(checks: &Checks, id: CheckId) -> Status {
        let found: Vec<_> = checks.0.iter().filter(|c| c.id() == id).collect();
        assert_eq!(found.len(), 1, "{id:?} recorded once");
        found[0].status()
    }

    fn instance(instance: Instance) -> TrustAnchor {
        TrustAnchor::Sigstore(TrustRoot::embedded(instance))
    }

    fn verifier(anchor: &TrustAnchor) -> Verifier {
        Verifier::new(&anchor.trust_root().unwrap().root).unwrap()
    }

    /// A leaf certificate from the fake Fulcio, naming our builder.
    fn leaf() -> (Vec<u8>, CertificateInfo) {
        let fulcio = fake_sigstore::Fulcio::new(1_700_000_000).unwrap();
        let key = sigstore_crypto::KeyPair::generate_ecdsa_p256().unwrap();
        let der = fulcio
            .issue(
                key.public_key_der().unwrap().as_bytes(),
                &fake_sigstore::sample_claims(),
                &fake_sigstore::SanKind::Uri,
                1_700_000_100,
            )
            .unwrap();
        let info = sigstore_crypto::parse_certificate_info(&sigstore_types::DerCertificate::from(
            der.clone(),
        ))
        .unwrap();
        (der, info)
    }

    fn facts(certificate: bool, sct: bool, tlog: bool, timestamps: &[&str]) -> Facts {
        Facts {
            certificate,
            sct,
            tlog,
            timestamps: timestamps.iter().map(|t| t.to_string()).collect(),
            cert: Some(leaf().1),
        }
    }

    #[test]
    fn each_fact_sigstore_verify_did_not_establish_fails_closed() {
        let policy = instance(Instance::PublicGood);
        let mut c = checks();
        let ok = keyless_checks(
            facts(true, true, true, &["2024-01-01T00:00:00Z"]),
            &policy,
            &mut c,
        );
        assert!(ok.unwrap().cert.is_some());
        for id in [
            CheckId::CertificateChain,
            CheckId::CertificateSct,
            CheckId::Transparency,
            CheckId::SigningTime,
        ] {
            assert_eq!(status(&c, id), Status::Pass, "{id:?}");
        }
        let signing_time = c.0.iter().find(|x| x.id() == CheckId::SigningTime).unwrap();
        assert_eq!(signing_time.actual(), Some("2024-01-01T00:00:00Z"));
        for (broken, failed) in [
            (facts(false, true, true, &["t"]), CheckId::CertificateChain),
            (facts(true, false, true, &["t"]), CheckId::CertificateSct),
            (facts(true, true, false, &["t"]), CheckId::Transparency),
        ] {
            let mut c = checks();
            let e = keyless_checks(broken, &policy, &mut c).err().unwrap();
            assert!(matches!(e, Error::Crypto(_)), "{e}");
            assert_eq!(status(&c, failed), Status::Fail, "{failed:?}");
        }
        let mut no_cert = facts(true, true, true, &["t"]);
        no_cert.cert = None;
        assert!(keyless_checks(no_cert, &policy, &mut checks()).is_err());
    }

    #[test]
    fn without_a_log_the_signing_time_must_come_from_a_timestamp_and_no_sct_is_asked() {
        let github = instance(Instance::GitHub);
        let mut c = checks();
        keyless_checks(facts(true, false, false, &["t"]), &github, &mut c).unwrap();
        assert_eq!(status(&c, CheckId::CertificateSct), Status::NotApplicable);
        assert_eq!(status(&c, CheckId::Transparency), Status::NotApplicable);
        let mut c = checks();
        assert!(keyless_checks(facts(true, false, false, &[]), &github, &mut c).is_err());
        assert_eq!(status(&c, CheckId::Transparency), Status::Fail);
    }

    #[test]
    fn a_keyed_bundle_needs_no_log_but_a_log_entry_it_carries_must_verify() {
        for policy in [instance(Instance::PublicGood), instance(Instance::GitHub)] {
            let mut c = checks();
            transparency_check(&facts(true, true, false, &[]), &mut c, &policy, true).unwrap();
            assert_eq!(status(&c, CheckId::Transparency), Status::NotApplicable);
            let mut c = checks();
            transparency_check(&facts(true, true, true, &[]), &mut c, &policy, true).unwrap();
            assert_eq!(status(&c, CheckId::Transparency), Status::Pass);
        }
    }

    #[test]
    fn a_bundle_from_v0_2_on_or_from_our_builder_must_carry_inclusion_proofs() {
        let v = vectors();
        let mut v3 = bundle(&v.join("gh-cli/sigstore-js-2.1.0-bundle.json"));
        let mut v1 = bundle(&v.join("gh-cli/sigstore-js-2.1.0-bundle-v0.1.json"));
        assert_eq!((version(&v1), version(&v3)), ("v0.1", "v0.3"));
        let v2 = bundle(&v.join("conformance/managed-key-happy-path/bundle.sigstore.json"));
        assert_eq!(version(&v2), "v0.3");
        let mut c = checks();
        check_inclusion_proofs(&v3, &mut c).unwrap();
        assert_eq!(
            status(&c, CheckId::TransparencyInclusionProofRequired),
            Status::Pass
        );
        for b in [&mut v3, &mut v1] {
            for e in &mut b.verification_material.tlog_entries {
                e.inclusion_proof = None;
            }
        }
        let e = check_inclusion_proofs(&v3, &mut checks()).unwrap_err();
        assert!(
            e.to_string()
                .contains("downgrade refused: 1 log entry carries only a SET"),
            "{e}"
        );
        let mut c = checks();
        check_inclusion_proofs(&v1, &mut c).unwrap();
        let detail = c.0[0].detail().to_string();
        assert!(detail.starts_with("v0.1 bundle"), "{detail}");
        // The same v0.1 bundle, certified to our builder: no SET-only entry.
        let mut json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(v.join("gh-cli/sigstore-js-2.1.0-bundle-v0.1.json")).unwrap(),
        )
        .unwrap();
        use base64::Engine as _;
        json["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"] =
            base64::engine::general_purpose::STANDARD
                .encode(leaf().0)
                .into();
        json["verificationMaterial"]["tlogEntries"][0]
            .as_object_mut()
            .unwrap()
            .remove("inclusionProof");
        let ours = Bundle::from_json(&json.to_string()).unwrap();
        let e = check_inclusion_proofs(&ours, &mut checks()).unwrap_err();
        assert!(e.to_string().contains("from the slsa-aibom builder"), "{e}");
    }

    #[test]
    fn a_real_keyless_bundle_verifies_with_every_check_and_its_log() {
        let v = vectors();
        let policy = instance(Instance::PublicGood);
        let b = bundle(&v.join("gh-cli/sigstore-js-2.1.0-bundle.json"));
        let artifact = v.join("gh-cli/sigstore-js-2.1.0.tgz");
        let mut c = checks();
        let got = verify(
            &b,
            SigstoreArtifact::File(&artifact),
            &policy,
            &verifier(&policy),
            &mut c,
        )
        .unwrap();
        assert!(got.cert.is_some());
        assert_eq!(status(&c, CheckId::BundleFormat), Status::Pass);
        assert_eq!(status(&c, CheckId::Transparency), Status::Pass);
        assert_eq!(status(&c, CheckId::CertificateSct), Status::Pass);
        // The same bundle for another artifact fails.
        let other = testdata("keyed/artifact.bin");
        assert!(verify(
            &b,
            SigstoreArtifact::File(&other),
            &policy,
            &verifier(&policy),
            &mut checks()
        )
        .is_err());
    }

    /// The bundle format check names the bundle's version, as its media type
    /// gives it.
    #[test]
    fn the_format_check_names_each_bundle_version() {
        let v = vectors();
        let policy = instance(Instance::PublicGood);
        for (path, artifact, version) in [
            (
                "conformance/happy-path-v0.2/bundle.sigstore.json",
                "conformance/a.txt",
                "v0.2",
            ),
            (
                "gh-cli/sigstore-js-2.1.0-bundle-v0.1.json",
                "gh-cli/sigstore-js-2.1.0.tgz",
                "v0.1",
            ),
            (
                "conformance/happy-path-v0.3-new-mediaType/bundle.sigstore.json",
                "conformance/a.txt",
                "v0.3",
            ),
        ] {
            let mut c = checks();
            verify(
                &bundle(&v.join(path)),
                SigstoreArtifact::File(&v.join(artifact)),
                &policy,
                &verifier(&policy),
                &mut c,
            )
            .unwrap_or_else(|e| panic!("{path}: {e}"));
            let format =
                c.0.iter()
                    .find(|c| c.id() == CheckId::BundleFormat)
                    .unwrap();
            assert_eq!(format.actual(), Some(version), "{path}");
        }
    }

    #[test]
    fn a_key_and_the_bundle_kind_must_agree() {
        let v = vectors();
        let key = PublicKey::from_file(&testdata("keyed/key.pub")).unwrap();
        let keyless = bundle(&v.join("gh-cli/sigstore-js-2.1.0-bundle.json"));
        let keyed = bundle(&testdata("keyed/model.sig"));
        let with_key = TrustAnchor::public_key(key);
        let digest = Digest::sha256(b"x");
        for (b, policy, problem) in [
            (&keyless, &with_key, SettingProblem::KeyForCertificateBundle),
            (
                &keyed,
                &TrustAnchor::default(),
                SettingProblem::KeyedBundleWithoutKey,
            ),
        ] {
            let e = verify(
                b,
                SigstoreArtifact::Digest(&digest),
                policy,
                &verifier(policy),
                &mut checks(),
            )
            .unwrap_err();
            assert!(matches!(e, Error::Setting(ref p) if *p == problem), "{e}");
        }
    }

    #[test]
    fn a_keyed_bundle_is_checked_with_its_log_when_it_has_one_and_by_the_key_alone_otherwise() {
        let v = vectors();
        // model-signing's keyed bundles carry neither log entry nor timestamp.
        let key = PublicKey::from_file(&testdata("keyed/key.pub")).unwrap();
        let policy = TrustAnchor::public_key(key);
        let keyed = bundle(&testdata("keyed/model.sig"));
        let digest = Digest::sha256(b"unused: the statement names the files");
        let mut c = checks();
        verify(
            &keyed,
            SigstoreArtifact::Digest(&digest),
            &policy,
            &verifier(&policy),
            &mut c,
        )
        .unwrap();
        assert_eq!(status(&c, CheckId::Transparency), Status::NotApplicable);
        // Another key refuses it.
        let other =
            PublicKey::from_file(&v.join("conformance/managed-key-happy-path/key.pub")).unwrap();
        let wrong = TrustAnchor::public_key(other.clone());
        assert!(verify(
            &keyed,
            SigstoreArtifact::Digest(&digest),
            &wrong,
            &verifier(&wrong),
            &mut checks()
        )
        .is_err());
        // A keyed bundle with a log entry: the entry is verified too, with a
        // timestamp or without one (never passed over for the key alone).
        let mut json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                v.join("conformance/managed-key-happy-path/bundle.sigstore.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let logged = Bundle::from_json(&json.to_string()).unwrap();
        json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] =
            serde_json::json!([]);
        let log_only = Bundle::from_json(&json.to_string()).unwrap();
        let artifact = v.join("conformance/a.txt");
        for b in [&logged, &log_only] {
            let mut c = checks();
            verify(
                b,
                SigstoreArtifact::File(&artifact),
                &wrong,
                &verifier(&wrong),
                &mut c,
            )
            .unwrap();
            assert_eq!(status(&c, CheckId::Transparency), Status::Pass);
            assert_eq!(status(&c, CheckId::SignerKey), Status::Pass);
        }
    }

    #[test]
    fn only_sha256_and_sha512_digests_are_bound_and_their_bytes_are_kept() {
        let d = Digest::sha256(&[7u8; 32]);
        let got = artifact_digest(&d).unwrap();
        assert_eq!(got.algorithm(), HashAlgorithm::Sha2256);
        assert_eq!(got.as_bytes(), d.raw().unwrap().as_slice());
        let sha512 = Digest::parse(&format!("sha512:{}", "ab".repeat(64))).unwrap();
        assert_eq!(
            artifact_digest(&sha512).unwrap().algorithm(),
            HashAlgorithm::Sha2512
        );
        let sha384 = Digest::parse(&format!("sha384:{}", "ab".repeat(48))).unwrap();
        assert!(matches!(artifact_digest(&sha384), Err(Error::Input(_))));
    }
}
