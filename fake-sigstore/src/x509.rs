//! X.509 certificates signed with ECDSA P-256: self-signed roots, and leaves
//! issued by them with whatever extensions the caller adds.

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_TIME_STAMPING};
use const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
use const_oid::{AssociatedOid, ObjectIdentifier};
use der::asn1::{BitString, OctetString, UtcTime};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use sigstore_crypto::KeyPair;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

/// The error type of this crate: a message.
pub type Error = String;

/// `ecdsa-with-SHA256`, no parameters.
pub fn ecdsa_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA_256,
        parameters: None,
    }
}

fn der_err(e: impl std::fmt::Display) -> Error {
    e.to_string()
}

/// An extension from a typed value.
pub fn extension<T: AssociatedOid + Encode>(value: &T, critical: bool) -> Result<Extension, Error> {
    raw_extension(T::OID, critical, value.to_der().map_err(der_err)?)
}

/// An extension whose value is the given bytes.
pub fn raw_extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: Vec<u8>,
) -> Result<Extension, Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value).map_err(der_err)?,
    })
}

fn utc(unix_seconds: i64) -> Result<Time, Error> {
    let secs = u64::try_from(unix_seconds).map_err(der_err)?;
    Ok(Time::UtcTime(
        UtcTime::from_unix_duration(Duration::from_secs(secs)).map_err(der_err)?,
    ))
}

/// The key identifier RFC 5280 suggests: SHA-1 is customary, but any
/// unique value works; we use the first 20 bytes of the key's SHA-256.
pub fn key_id(spki_der: &[u8]) -> Vec<u8> {
    Sha256::digest(spki_der)[..20].to_vec()
}

/// A key pair with its certificate.
pub struct Issuer {
    /// The signing key.
    pub key: KeyPair,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The parsed certificate.
    pub cert: Certificate,
}

/// What goes into one certificate besides the issuer.
pub struct CertSpec {
    /// The subject, RFC 4514 (empty for a Fulcio leaf).
    pub subject: String,
    /// The subject public key, DER SPKI.
    pub spki_der: Vec<u8>,
    /// Validity start, Unix seconds.
    pub not_before: i64,
    /// Validity end, Unix seconds.
    pub not_after: i64,
    /// Extensions other than the key identifiers, which are added here.
    pub extensions: Vec<Extension>,
}

fn serial(spec: &CertSpec) -> Result<SerialNumber, Error> {
    let mut bytes =
        Sha256::digest([&spec.spki_der[..], spec.subject.as_bytes()].concat())[..16].to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::new(&bytes).map_err(der_err)
}

/// The to-be-signed part of a certificate for `spec`, issued by `issuer`
/// (self-issued when `None`).
pub fn tbs(spec: &CertSpec, issuer: Option<&Issuer>) -> Result<TbsCertificate, Error> {
    let subject = if spec.subject.is_empty() {
        Name::default()
    } else {
        Name::from_str(&spec.subject).map_err(der_err)?
    };
    let (issuer_name, authority_spki) = match issuer {
        Some(i) => (
            i.cert.tbs_certificate.subject.clone(),
            i.key.public_key_der().map_err(der_err)?.as_bytes().to_vec(),
        ),
        None => (subject.clone(), spec.spki_der.clone()),
    };
    let mut extensions = vec![
        extension(
            &SubjectKeyIdentifier(OctetString::new(key_id(&spec.spki_der)).map_err(der_err)?),
            false,
        )?,
        extension(
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_id(&authority_spki)).map_err(der_err)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
            false,
        )?,
    ];
    extensions.extend(spec.extensions.iter().cloned());
    Ok(TbsCertificate {
        version: Version::V3,
        serial_number: serial(spec)?,
        signature: ecdsa_sha256(),
        issuer: issuer_name,
        validity: Validity {
            not_before: utc(spec.not_before)?,
            not_after: utc(spec.not_after)?,
        },
        subject,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spec.spki_der)
            .map_err(der_err)?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    })
}

/// Sign a to-be-signed certificate.
pub fn sign(tbs: TbsCertificate, key: &KeyPair) -> Result<(Vec<u8>, Certificate), Error> {
    let signature = key.sign(&tbs.to_der().map_err(der_err)?).map_err(der_err)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: ecdsa_sha256(),
        signature: BitString::from_bytes(signature.as_bytes()).map_err(der_err)?,
    };
    Ok((cert.to_der().map_err(der_err)?, cert))
}

/// A fresh self-signed CA valid from `not_before` for ten years.
pub fn root_ca(subject: &str, not_before: i64) -> Result<Issuer, Error> {
    let key = KeyPair::generate_ecdsa_p256().map_err(der_err)?;
    let spec = CertSpec {
        subject: subject.into(),
        spki_der: key.public_key_der().map_err(der_err)?.as_bytes().to_vec(),
        not_before,
        not_after: not_before + 10 * 365 * 86_400,
        extensions: vec![
            extension(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                },
                true,
            )?,
            extension(&KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign), true)?,
        ],
    };
    let (cert_der, cert) = sign(tbs(&spec, None)?, &key)?;
    Ok(Issuer {
        key,
        cert_der,
        cert,
    })
}

/// A leaf key with a certificate for timestamping (critical EKU
/// `timeStamping`), issued by `ca`.
pub fn timestamping_leaf(ca: &Issuer, subject: &str, not_before: i64) -> Result<Issuer, Error> {
    let key = KeyPair::generate_ecdsa_p256().map_err(der_err)?;
    let spec = CertSpec {
        subject: subject.into(),
        spki_der: key.public_key_der().map_err(der_err)?.as_bytes().to_vec(),
        not_before,
        not_after: not_before + 5 * 365 * 86_400,
        extensions: vec![
            extension(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
            extension(&ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]), true)?,
        ],
    };
    let (cert_der, cert) = sign(tbs(&spec, Some(ca))?, &ca.key)?;
    Ok(Issuer {
        key,
        cert_der,
        cert,
    })
}

/// The extensions every Fulcio leaf carries besides its identity:
/// digitalSignature and codeSigning.
pub fn code_signing_usage() -> Result<Vec<Extension>, Error> {
    Ok(vec![
        extension(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
        extension(&ExtendedKeyUsage(vec![ID_KP_CODE_SIGNING]), false)?,
    ])
}

/// The subject public key of a certificate.
pub fn certificate_key(
    cert: &sigstore_types::DerCertificate,
) -> Result<sigstore_types::DerPublicKey, Error> {
    let cert = Certificate::from_der(cert.as_bytes()).map_err(der_err)?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(der_err)?;
    Ok(sigstore_types::DerPublicKey::new(spki))
}

/// A certificate as canonical PEM: 64-column lines, LF endings, a final
/// newline (what Rekor stores and Python `sigstore` compares against).
pub fn certificate_pem(der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}
