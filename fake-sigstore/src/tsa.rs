//! A fake RFC 3161 time-stamping authority: a root CA, a timestamping
//! leaf, and CMS SignedData tokens over TSTInfo with the request's imprint
//! and nonce.

use crate::x509::{self, Error, Issuer};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA};
use const_oid::db::rfc5912::ID_SHA_256;
use const_oid::ObjectIdentifier;
use der::asn1::{GeneralizedTime, Int, OctetString, SetOfVec, Uint};
use der::{Any, Decode, Encode, Sequence, Tag};
use sha2::{Digest, Sha256};
use std::time::Duration;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2");
const OID_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// RFC 3161 `MessageImprint`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// RFC 3161 `TimeStampReq`, without extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
    #[asn1(optional = "true")]
    cert_req: Option<bool>,
}

/// RFC 3161 `TSTInfo`, without accuracy, ordering, name or extensions.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    nonce: Option<Int>,
}

/// RFC 3161 `PKIStatusInfo`, status only.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfo {
    status: u8,
}

/// RFC 3161 `TimeStampResp`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    #[asn1(optional = "true")]
    time_stamp_token: Option<Any>,
}

/// The authority: its root and its signing leaf.
pub struct Tsa {
    /// The root CA.
    pub root: Issuer,
    /// The timestamping certificate and key.
    pub leaf: Issuer,
    serial: u64,
}

fn error(e: impl std::fmt::Display) -> Error {
    e.to_string()
}

fn sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA_256,
        parameters: None,
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(error)?,
    })
}

impl Tsa {
    /// A fresh authority.
    pub fn new(not_before: i64) -> Result<Self, Error> {
        let root = x509::root_ca("O=fake-sigstore,CN=fake-tsa-root", not_before)?;
        let leaf = x509::timestamping_leaf(&root, "O=fake-sigstore,CN=fake-tsa", not_before)?;
        Ok(Tsa {
            root,
            leaf,
            serial: 0,
        })
    }

    /// Answer a DER `TimeStampReq` with a DER `TimeStampResp`.
    pub fn timestamp(&mut self, request: &[u8], now: i64) -> Result<Vec<u8>, Error> {
        let request = TimeStampReq::from_der(request).map_err(error)?;
        self.serial += 1;
        let secs = u64::try_from(now).map_err(error)?;
        let info = TstInfo {
            version: 1,
            policy: POLICY,
            message_imprint: request.message_imprint,
            serial_number: Uint::new(&self.serial.to_be_bytes()).map_err(error)?.into(),
            gen_time: GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
                .map_err(error)?,
            nonce: request.nonce,
        };
        let info_der = info.to_der().map_err(error)?;
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(
                ID_CONTENT_TYPE,
                Any::encode_from(&OID_TST_INFO).map_err(error)?,
            )?,
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(
                    &OctetString::new(Sha256::digest(&info_der).to_vec()).map_err(error)?,
                )
                .map_err(error)?,
            )?,
        ])
        .map_err(error)?;
        let signature = self
            .leaf
            .key
            .sign(&signed_attrs.to_der().map_err(error)?)
            .map_err(error)?;
        let tbs = &self.leaf.cert.tbs_certificate;
        let signer = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer.clone(),
                serial_number: tbs.serial_number.clone(),
            }),
            digest_alg: sha256(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: x509::ecdsa_sha256(),
            signature: OctetString::new(signature.as_bytes()).map_err(error)?,
            unsigned_attrs: None,
        };
        let signed_data = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![sha256()]).map_err(error)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: OID_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, info_der).map_err(error)?),
            },
            certificates: Some(CertificateSet(
                SetOfVec::try_from(vec![CertificateChoices::Certificate(
                    self.leaf.cert.clone(),
                )])
                .map_err(error)?,
            )),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(error)?),
        };
        let token = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(error)?,
        };
        let response = TimeStampResp {
            status: PkiStatusInfo { status: 0 },
            time_stamp_token: Some(Any::encode_from(&token).map_err(error)?),
        };
        response.to_der().map_err(error)
    }
}
