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
    // The bundle's intermediates are untrusted until a path through them
    // reaches a supplied anchor (WebPKI: CA flags, path length, name
    // chaining, validity, no loops, a bounded search). An intermediate
    // without an EKU extension constrains nothing (RFC 5280), so the chain
    // requires code signing only where an EKU is present, and the leaf
    // must carry it.
    let chain = match ee.verify_for_usage(
        ALGS,
        &anchors,
        &intermediates,
        at,
        KeyUsage::required_if_present(CODE_SIGNING),
        None,
        None,
    ) {
        Ok(_) => leaf_allows_code_signing(leaf),
        // WebPKI refuses a CA certificate as the end entity. model-signing's
        // own test PKI signs with one, so build that path ourselves.
        Err(webpki::Error::CaUsedAsEndEntity) => {
            detail = "signing certificate is itself a CA (refused as an end entity by WebPKI); \
                      checked directly: a path through the bundle's intermediates to a supplied certificate, \
                      each issuer a CA within its path length, valid, signing its child; code-signing EKU"
                .into();
            leaf_allows_code_signing(leaf).and_then(|()| {
                super::ca_leaf_path::chain(leaf, &intermediates, &anchor_ders, info.not_before)
            })
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

/// The signing certificate (DER) carries the code-signing EKU.
fn leaf_allows_code_signing(leaf: &[u8]) -> Result<()> {
    use x509_cert::der::Decode as _;
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    let cert = x509_cert::Certificate::from_der(leaf)
        .map_err(|e| Error::Input(format!("malformed certificate: {e}")))?;
    match cert.tbs_certificate.get::<ExtendedKeyUsage>() {
        Ok(Some((_, eku))) if eku.0.iter().any(|oid| oid.as_bytes() == CODE_SIGNING) => Ok(()),
        _ => Err(Error::Crypto(
            "signing certificate does not allow code signing (EKU)".into(),
        )),
    }
}
