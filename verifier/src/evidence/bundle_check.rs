//! Cryptographic verification of one Sigstore bundle, delegated to
//! `sigstore-verify`, plus what it leaves to callers: the choice of policy
//! for the trust domain, the downgrade guard, and fail-closed result checks.

use crate::check_id::CheckId;
use crate::documents::digest::Digest;
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::setting::SettingProblem;
use crate::verdict::Checks;
use sigstore_crypto::CertificateInfo;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{
    ArtifactDigest, Bundle, DigestBytes, HashAlgorithm, MediaType, SignatureContent,
};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};

/// What cryptographic verification established.
pub(crate) struct Established {
    /// The verified signing certificate (keyless bundles).
    pub cert: Option<CertificateInfo>,
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
    policy: &Policy,
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
    let mismatch = match (policy.anchor.key(), keyed) {
        (None, true) => Some(SettingProblem::KeyedBundleWithoutKey),
        (Some(_), false) => Some(SettingProblem::KeyForCertificateBundle),
        _ => None,
    };
    if let Some(why) = mismatch {
        return checks.record(CheckId::SignerKey, None, None, "", Err(Error::Setting(why)));
    }
    // After the check above, a key is given exactly when the bundle is keyed.
    let outcome = match policy.anchor.key() {
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
            if policy.sigstore_root()?.has_transparency_log() {
                check_inclusion_proofs(bundle, checks)?;
            }
            let mut p = VerificationPolicy::any_identity();
            if !policy.sigstore_root()?.has_transparency_log() {
                p = p.skip_tlog_unsafe();
            }
            if !policy.sigstore_root()?.has_ct_log() {
                p = p.skip_sct();
            }
            run(verifier, bundle, artifact, &p)
        }
    };
    let result = checks.record(
        CheckId::BundleSignature,
        None,
        None,
        "signature, log entry and timestamps verify",
        outcome,
    )?;

    if keyed {
        checks.pass(
            CheckId::SignerKey,
            None,
            Some(
                policy
                    .anchor
                    .key()
                    .map(|k| k.scheme.name().to_string())
                    .unwrap_or_default(),
            ),
            "signed by the supplied public key",
        );
        transparency_check(&result, checks, policy, true)?;
        return Ok(Established { cert: None });
    }
    keyless_checks(&result, policy, checks)
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
fn keyless_checks(
    result: &sigstore_verify::VerificationResult,
    policy: &Policy,
    checks: &mut Checks,
) -> Result<Established> {
    // Fail closed: a keyless result that did not verify the chain is no result.
    let chain_ok = established(result.certificate_verified(), "certificate chain");
    checks.record(
        CheckId::CertificateChain,
        None,
        Some(policy.sigstore_root()?.origin.clone()),
        format!(
            "chains to a Fulcio CA of {} at every verified signing time",
            policy.sigstore_root()?.origin
        ),
        chain_ok,
    )?;
    if policy.sigstore_root()?.has_ct_log() {
        let sct = established(result.sct_verified(), "SCT");
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
    transparency_check(result, checks, policy, false)?;
    let times: Vec<String> = result
        .verified_timestamps()
        .iter()
        .map(|t| t.to_string())
        .collect();
    checks.pass(
        CheckId::SigningTime,
        None,
        Some(times.join(", ")),
        "certificate valid at every verified signing time",
    );
    let cert = result
        .certificate()
        .cloned()
        .ok_or_else(|| Error::Crypto("no verified certificate".into()))?;
    Ok(Established { cert: Some(cert) })
}

fn transparency_check(
    result: &sigstore_verify::VerificationResult,
    checks: &mut Checks,
    policy: &Policy,
    keyed: bool,
) -> Result<()> {
    if keyed && !result.tlog_verified() {
        checks.not_applicable(
            CheckId::Transparency,
            "keyed bundle without log entries: the supplied key is the trust anchor",
        );
        return Ok(());
    }
    if !policy.sigstore_root()?.has_transparency_log() && !keyed {
        if result.verified_timestamps().is_empty() {
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
    let ok = established(result.tlog_verified(), "transparency log");
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
            let file = crate::evidence::bounded_read::open_regular(path, "artifact")?;
            Ok(verifier.verify_reader(
                std::io::BufReader::with_capacity(1 << 20, file),
                bundle,
                policy,
            )?)
        }
    }
}
