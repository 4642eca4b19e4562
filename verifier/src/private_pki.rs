//! Certificate bundles from a private PKI (`--certificate-chain`), as
//! model-signing writes them: no Fulcio, no log. The chain is checked against
//! the caller's certificates at the leaf's issuance time (the bundle has no
//! signed time source), with the code-signing EKU required.

use crate::error::{Error, Result};
use crate::keys::PublicKey;
use crate::verdict::Checks;
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

/// Verify a DSSE bundle whose certificate chains to `anchors` (DER).
pub(crate) fn verify(bundle: &Bundle, anchors: &[Vec<u8>], checks: &mut Checks) -> Result<CertificateInfo> {
    checks.pass("bundle.format", None, None, "Sigstore bundle with a private-PKI certificate");
    if !bundle.verification_material.tlog_entries.is_empty() {
        return Err(Error::Input(
            "bundle carries transparency log entries; verify it against its --trusted-root instead of --certificate-chain".into(),
        ));
    }
    let (leaf, intermediates): (&[u8], Vec<CertificateDer<'_>>) = match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(c) => (c.raw_bytes.as_bytes(), vec![]),
        VerificationMaterialContent::X509CertificateChain { certificates } => {
            let (first, rest) = certificates.split_first().ok_or_else(|| Error::Input("empty certificate chain".into()))?;
            (first.raw_bytes.as_bytes(), rest.iter().map(|c| CertificateDer::from(c.raw_bytes.as_bytes())).collect())
        }
        _ => return Err(Error::Input("--certificate-chain needs a bundle signed with a certificate".into())),
    };
    let info = sigstore_crypto::parse_certificate_info(&sigstore_types::DerCertificate::from(leaf.to_vec()))
        .map_err(|e| Error::Input(format!("malformed signing certificate: {e}")))?;
    let anchor_ders: Vec<CertificateDer<'_>> = anchors.iter().map(|a| CertificateDer::from(a.as_slice())).collect();
    let anchors = anchor_ders
        .iter()
        .map(|d| webpki::anchor_from_trusted_cert(d).map_err(|e| Error::Input(format!("unusable --certificate-chain certificate: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    let leaf_der = CertificateDer::from(leaf);
    let ee = EndEntityCert::try_from(&leaf_der).map_err(|e| Error::Input(format!("malformed signing certificate: {e}")))?;
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(info.not_before.as_second().max(0) as u64));
    let chain = ee
        .verify_for_usage(ALGS, &anchors, &intermediates, at, KeyUsage::required(CODE_SIGNING), None, None)
        .map(|_| ())
        .map_err(|e| Error::Crypto(format!("certificate does not chain to the supplied --certificate-chain: {e:?}")));
    checks.record("certificate.chain", None, None, format!("chains to the supplied private PKI at its issuance time {}", info.not_before), chain)?;

    let SignatureContent::DsseEnvelope(env) = &bundle.content else {
        return Err(Error::Input("--certificate-chain verification supports DSSE bundles only".into()));
    };
    let key = PublicKey::from_der(info.public_key.clone())?;
    let ok = key.verify(&env.pae(), env.signature.sig.as_bytes());
    checks.record("bundle.signature", None, None, "DSSE signature verifies with the certificate key", ok)?;
    checks.not_applicable("transparency", "private PKI: no transparency log in this trust domain");
    Ok(info)
}
