//! Certificate bundles from a private PKI (`--certificate-chain`), as
//! model-signing writes them: no Fulcio, no log. The chain is checked against
//! the caller's certificates at the leaf's issuance time (the bundle has no
//! signed time source), with the code-signing EKU required.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::keys::PublicKey;
use crate::setting::SettingProblem;
use rustls_pki_types::{CertificateDer, UnixTime};
use sigstore_crypto::CertificateInfo;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{Bundle, SignatureContent};
use webpki::{EndEntityCert, KeyUsage};

/// id-kp-codeSigning (1.3.6.1.5.5.7.3.3), DER contents.
const CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];

const ALGS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
    webpki::aws_lc_rs::ECDSA_P256_SHA256,
    webpki::aws_lc_rs::ECDSA_P256_SHA384,
    webpki::aws_lc_rs::ECDSA_P384_SHA256,
    webpki::aws_lc_rs::ECDSA_P384_SHA384,
    webpki::aws_lc_rs::ECDSA_P521_SHA512,
    webpki::aws_lc_rs::ED25519,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
];

/// The bundle's signing certificate and any intermediates it carries.
fn certificates(bundle: &Bundle) -> Result<(&[u8], Vec<CertificateDer<'_>>)> {
    Ok(match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(c) => (c.raw_bytes.as_bytes(), vec![]),
        VerificationMaterialContent::X509CertificateChain { certificates } => {
            let (first, rest) = certificates
                .split_first()
                .ok_or_else(|| Error::Input("empty certificate chain".into()))?;
            (
                first.raw_bytes.as_bytes(),
                rest.iter()
                    .map(|c| CertificateDer::from(c.raw_bytes.as_bytes()))
                    .collect(),
            )
        }
        _ => return Err(Error::Setting(SettingProblem::ChainNeedsCertificate)),
    })
}

/// Verify a DSSE bundle whose certificate chains to `anchors` (DER).
pub(crate) fn verify(
    bundle: &Bundle,
    anchors: &[Vec<u8>],
    checks: &mut Checks,
) -> Result<CertificateInfo> {
    checks.pass(
        CheckId::BundleFormat,
        None,
        None,
        "Sigstore bundle with a private-PKI certificate",
    );
    if !bundle.verification_material.tlog_entries.is_empty() {
        return Err(Error::Setting(SettingProblem::ChainForLoggedBundle));
    }
    let (leaf, intermediates) = certificates(bundle)?;
    let info = sigstore_crypto::parse_certificate_info(&sigstore_types::DerCertificate::from(
        leaf.to_vec(),
    ))
    .map_err(|e| Error::Input(format!("malformed signing certificate: {e}")))?;
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|a| CertificateDer::from(a.as_slice()))
        .collect();
    let anchors = anchor_ders
        .iter()
        .map(|d| {
            webpki::anchor_from_trusted_cert(d).map_err(|e| {
                Error::Setting(SettingProblem::UnusableChainCertificate {
                    reason: e.to_string(),
                })
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let leaf_der = CertificateDer::from(leaf);
    let ee = EndEntityCert::try_from(&leaf_der)
        .map_err(|e| Error::Input(format!("malformed signing certificate: {e}")))?;
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        info.not_before.as_second().max(0) as u64,
    ));
    let mut detail = format!(
        "chains to the supplied private PKI at its issuance time {}",
        info.not_before
    );
    let chain = match ee.verify_for_usage(
        ALGS,
        &anchors,
        &intermediates,
        at,
        KeyUsage::required(CODE_SIGNING),
        None,
        None,
    ) {
        Ok(_) => Ok(()),
        // WebPKI refuses a CA certificate as the end entity. model-signing's
        // own test PKI signs with one, so check that single link directly.
        Err(webpki::Error::CaUsedAsEndEntity) => {
            detail = "signing certificate is itself a CA (refused as an end entity by WebPKI); \
                      checked directly: issued and signed by a supplied certificate, valid, code-signing EKU"
                .into();
            direct_link(leaf, &anchor_ders, info.not_before)
        }
        Err(e) => Err(Error::Setting(SettingProblem::NotChained {
            reason: format!("{e:?}"),
        })),
    };
    checks.record(CheckId::CertificateChain, None, None, detail, chain)?;

    let SignatureContent::DsseEnvelope(env) = &bundle.content else {
        return Err(Error::Setting(SettingProblem::ChainNeedsDsse));
    };
    let key = PublicKey::from_der(info.public_key.clone())?;
    let ok = key.verify(&env.pae(), env.signature.sig.as_bytes());
    checks.record(
        CheckId::BundleSignature,
        None,
        None,
        "DSSE signature verifies with the certificate key",
        ok,
    )?;
    checks.not_applicable(
        CheckId::Transparency,
        "private PKI: no transparency log in this trust domain",
    );
    Ok(info)
}

/// Check that `leaf` was issued and signed by one of `issuers` (DER), that
/// both are valid at `at`, that the issuer is a CA, and that the leaf allows
/// code signing.
fn direct_link(leaf: &[u8], issuers: &[CertificateDer<'_>], at: jiff::Timestamp) -> Result<()> {
    use x509_cert::der::{Decode as _, Encode as _};
    use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};
    use x509_cert::Certificate;
    let parse = |d: &[u8]| {
        Certificate::from_der(d).map_err(|e| Error::Input(format!("malformed certificate: {e}")))
    };
    let valid = |c: &Certificate| {
        let v = &c.tbs_certificate.validity;
        let secs = |t: x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
        (secs(v.not_before)..=secs(v.not_after)).contains(&at.as_second())
    };
    let leaf_cert = parse(leaf)?;
    let eku_ok = match leaf_cert.tbs_certificate.get::<ExtendedKeyUsage>() {
        Ok(Some((_, eku))) => eku.0.iter().any(|oid| oid.as_bytes() == CODE_SIGNING),
        _ => false,
    };
    if !eku_ok {
        return Err(Error::Crypto(
            "signing certificate does not allow code signing (EKU)".into(),
        ));
    }
    if !valid(&leaf_cert) {
        return Err(Error::Crypto(
            "signing certificate is not valid at its issuance time".into(),
        ));
    }
    let tbs = leaf_cert
        .tbs_certificate
        .to_der()
        .map_err(|e| Error::Input(e.to_string()))?;
    let sig = leaf_cert.signature.raw_bytes();
    for issuer in issuers {
        let issuer = parse(issuer.as_ref())?;
        if issuer.tbs_certificate.subject != leaf_cert.tbs_certificate.issuer || !valid(&issuer) {
            continue;
        }
        let is_ca =
            matches!(issuer.tbs_certificate.get::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
        let spki = issuer
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| Error::Input(e.to_string()))?;
        if is_ca && verify_tbs(&spki, &leaf_cert.signature_algorithm.oid, &tbs, sig) {
            return Ok(());
        }
    }
    Err(Error::Setting(SettingProblem::NotSignedByChain))
}

/// Verify a certificate signature over `tbs` with the issuer's SPKI (DER).
fn verify_tbs(
    spki_der: &[u8],
    sig_alg: &x509_cert::der::oid::ObjectIdentifier,
    tbs: &[u8],
    sig: &[u8],
) -> bool {
    use aws_lc_rs::signature as s;
    use x509_cert::der::Decode as _;
    let Ok(spki) = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(spki_der) else {
        return false;
    };
    let Some(key) = spki.subject_public_key.as_bytes() else {
        return false;
    };
    let curve = spki
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<x509_cert::der::oid::ObjectIdentifier>().ok())
        .map(|o| o.to_string());
    let alg: &dyn s::VerificationAlgorithm = match (sig_alg.to_string().as_str(), curve.as_deref())
    {
        ("1.2.840.10045.4.3.2", Some("1.2.840.10045.3.1.7")) => &s::ECDSA_P256_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some("1.2.840.10045.3.1.7")) => &s::ECDSA_P256_SHA384_ASN1,
        ("1.2.840.10045.4.3.2", Some("1.3.132.0.34")) => &s::ECDSA_P384_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some("1.3.132.0.34")) => &s::ECDSA_P384_SHA384_ASN1,
        ("1.2.840.10045.4.3.4", Some("1.3.132.0.35")) => &s::ECDSA_P521_SHA512_ASN1,
        ("1.2.840.113549.1.1.11", _) => &s::RSA_PKCS1_2048_8192_SHA256,
        ("1.2.840.113549.1.1.12", _) => &s::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.13", _) => &s::RSA_PKCS1_2048_8192_SHA512,
        ("1.3.101.112", _) => &s::ED25519,
        _ => return false,
    };
    s::UnparsedPublicKey::new(alg, key).verify(tbs, sig).is_ok()
}
