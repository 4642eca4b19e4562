//! A fake Fulcio: checks the OIDC token it is given (signature, issuer,
//! audience, expiry) and the proof of possession, then issues a ten-minute
//! code-signing certificate carrying GitHub's Fulcio extensions (OID arc
//! `1.3.6.1.4.1.57264.1`) and an embedded SCT from a fake CT log.

use crate::oidc::{Claims, TokenIssuer};
use crate::x509::{self, CertSpec, Error, Issuer};
use const_oid::ObjectIdentifier;
use der::asn1::{Ia5String, OctetString, Utf8StringRef};
use der::Encode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sigstore_crypto::{KeyPair, SigningScheme};
use sigstore_types::{DerPublicKey, SignatureBytes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

/// The kind of subject alternative name Fulcio puts in a certificate,
/// which the real one picks by the token issuer's type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SanKind {
    /// A URI: the job's workflow (CI issuers such as GitHub Actions).
    #[default]
    Uri,
    /// An e-mail address (`rfc822Name`, for e-mail issuers).
    Email(String),
    /// A username (`otherName` with OID `1.3.6.1.4.1.57264.1.7`, a UTF-8
    /// string `USER!DOMAIN`, for username issuers).
    Username(String),
    /// An `otherName` of another type (a UTF-8 string): what a verifier
    /// must not read as a username.
    OtherName(ObjectIdentifier, String),
}

/// The `otherName` type of Fulcio's username identities.
pub const USERNAME_SAN_OID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.7");

/// The audience Fulcio requires.
pub const AUDIENCE: &str = "sigstore";

const SCT_LIST_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");

/// An `otherName` SAN of type `type_id` holding the UTF-8 string `value`.
fn other_name(type_id: ObjectIdentifier, value: &str) -> Result<GeneralName, Error> {
    Ok(GeneralName::OtherName(
        x509_cert::ext::pkix::name::OtherName {
            type_id,
            value: der::Any::encode_from(&Utf8StringRef::new(value).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?,
        },
    ))
}

fn oid(n: u32) -> ObjectIdentifier {
    ObjectIdentifier::new(&format!("1.3.6.1.4.1.57264.1.{n}"))
        .expect("the Fulcio OID arc is well formed")
}

/// The certificate authority and the CT log that countersigns its
/// certificates.
pub struct Fulcio {
    /// The root CA (issues leaves directly).
    pub ca: Issuer,
    /// The CT log key.
    pub ct_log: KeyPair,
}

/// A refusal, as Fulcio reports it: an HTTP status and a message.
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// Why.
    pub message: String,
}

fn refuse(status: u16, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

impl Fulcio {
    /// A fresh CA and CT log.
    pub fn new(not_before: i64) -> Result<Self, Error> {
        Ok(Fulcio {
            ca: x509::root_ca("O=fake-sigstore,CN=fake-fulcio", not_before)?,
            ct_log: KeyPair::generate_ecdsa_p256().map_err(|e| e.to_string())?,
        })
    }

    /// Answer `POST /api/v2/signingCert`.
    pub fn signing_cert(
        &self,
        request: &[u8],
        tokens: &TokenIssuer,
        san: &SanKind,
        now: i64,
    ) -> Result<Value, Refusal> {
        let request: Value = serde_json::from_slice(request)
            .map_err(|e| refuse(400, format!("request is not JSON: {e}")))?;
        let token = request["credentials"]["oidcIdentityToken"]
            .as_str()
            .ok_or_else(|| refuse(400, "credentials.oidcIdentityToken missing"))?;
        let claims = tokens
            .check(token, AUDIENCE, now)
            .map_err(|e| refuse(401, e))?;
        let pem_text = request["publicKeyRequest"]["publicKey"]["content"]
            .as_str()
            .ok_or_else(|| refuse(400, "publicKeyRequest.publicKey.content missing"))?;
        let key = DerPublicKey::from_pem(pem_text)
            .map_err(|e| refuse(400, format!("public key: {e}")))?;
        let pop = request["publicKeyRequest"]["proofOfPossession"]
            .as_str()
            .ok_or_else(|| refuse(400, "publicKeyRequest.proofOfPossession missing"))?;
        let pop = SignatureBytes::from_base64(pop)
            .map_err(|e| refuse(400, format!("proof of possession: {e}")))?;
        sigstore_crypto::verify_signature(
            &key,
            claims.sub.as_bytes(),
            &pop,
            SigningScheme::EcdsaP256Sha256,
        )
        .map_err(|_| {
            refuse(
                400,
                "proof of possession does not verify for the token's subject",
            )
        })?;
        let leaf = self
            .issue(key.as_bytes(), &claims, san, now)
            .map_err(|e| refuse(500, e))?;
        Ok(
            json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": [
                x509::certificate_pem(&leaf), x509::certificate_pem(&self.ca.cert_der)
            ]}}}),
        )
    }

    /// Issue a leaf for the key `spki_der`, as [`Fulcio::signing_cert`]
    /// does once the token and the proof of possession are checked. Tests
    /// of certificate parsers call it directly.
    pub fn issue(
        &self,
        spki_der: &[u8],
        claims: &Claims,
        san: &SanKind,
        now: i64,
    ) -> Result<Vec<u8>, Error> {
        let mut extensions = x509::code_signing_usage()?;
        let ia5 = |s: &str| Ia5String::new(s).map_err(|e| e.to_string());
        // The workflow's URI, in the SAN of a CI identity and in `.1.9`.
        let signer_uri = format!("https://github.com/{}", claims.job_workflow_ref);
        let name = match san {
            SanKind::Uri => GeneralName::UniformResourceIdentifier(ia5(&signer_uri)?),
            SanKind::Email(address) => GeneralName::Rfc822Name(ia5(address)?),
            SanKind::Username(user) => other_name(USERNAME_SAN_OID, user)?,
            SanKind::OtherName(type_id, value) => other_name(*type_id, value)?,
        };
        extensions.push(x509::extension(&SubjectAltName(vec![name]), true)?);
        // Deprecated extensions: raw bytes.
        for (n, value) in [
            (1, &claims.iss),
            (2, &claims.event_name),
            (3, &claims.sha),
            (4, &claims.workflow),
            (5, &claims.repository),
            (6, &claims.git_ref),
        ] {
            extensions.push(x509::raw_extension(
                oid(n),
                false,
                value.as_bytes().to_vec(),
            )?);
        }
        // Current extensions: DER UTF8String.
        let run = format!(
            "https://github.com/{}/actions/runs/{}/attempts/{}",
            claims.repository, claims.run_id, claims.run_attempt
        );
        for (n, value) in [
            (8, claims.iss.clone()),
            (9, signer_uri.clone()),
            (10, claims.job_workflow_sha.clone()),
            (11, claims.runner_environment.clone()),
            (12, format!("https://github.com/{}", claims.repository)),
            (13, claims.sha.clone()),
            (14, claims.git_ref.clone()),
            (15, claims.repository_id.clone()),
            (
                16,
                format!("https://github.com/{}", claims.repository_owner),
            ),
            (17, claims.repository_owner_id.clone()),
            (18, format!("https://github.com/{}", claims.workflow_ref)),
            (19, claims.workflow_sha.clone()),
            (20, claims.event_name.clone()),
            (21, run.clone()),
            (22, claims.repository_visibility.clone()),
        ] {
            let der = Utf8StringRef::new(&value)
                .and_then(|s| s.to_der())
                .map_err(|e| e.to_string())?;
            extensions.push(x509::raw_extension(oid(n), false, der)?);
        }
        let spec = CertSpec {
            subject: String::new(),
            spki_der: spki_der.to_vec(),
            not_before: now - 60,
            not_after: now + 600,
            extensions,
        };
        let mut tbs = x509::tbs(&spec, Some(&self.ca))?;
        let sct = self.sct(&tbs.to_der().map_err(|e| e.to_string())?, now)?;
        let list = OctetString::new(sct_list(&sct))
            .and_then(|o| o.to_der())
            .map_err(|e| e.to_string())?;
        tbs.extensions
            .get_or_insert_with(Vec::new)
            .push(x509::raw_extension(SCT_LIST_OID, false, list)?);
        Ok(x509::sign(tbs, &self.ca.key)?.0)
    }

    /// An RFC 6962 v1 SCT over the precertificate `precert_tbs`.
    fn sct(&self, precert_tbs: &[u8], now: i64) -> Result<Vec<u8>, Error> {
        let log_key = self.ct_log.public_key_der().map_err(|e| e.to_string())?;
        let log_id = Sha256::digest(log_key.as_bytes());
        let issuer_spki = self.ca.key.public_key_der().map_err(|e| e.to_string())?;
        let issuer_key_hash = Sha256::digest(issuer_spki.as_bytes());
        let millis = u64::try_from(now * 1000).map_err(|e| e.to_string())?;
        let tbs_len = u32::try_from(precert_tbs.len()).map_err(|e| e.to_string())?;
        let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
        signed.extend(millis.to_be_bytes());
        signed.extend([0u8, 1u8]); // precert_entry
        signed.extend(issuer_key_hash);
        signed.extend(&tbs_len.to_be_bytes()[1..]);
        signed.extend(precert_tbs);
        signed.extend([0u8, 0u8]); // no extensions
        let signature = self.ct_log.sign(&signed).map_err(|e| e.to_string())?;
        let sig = signature.as_bytes();
        let mut sct = vec![0u8];
        sct.extend(log_id);
        sct.extend(millis.to_be_bytes());
        sct.extend([0u8, 0u8]);
        sct.extend([4u8, 3u8]); // sha256, ecdsa
        sct.extend(
            u16::try_from(sig.len())
                .map_err(|e| e.to_string())?
                .to_be_bytes(),
        );
        sct.extend(sig);
        Ok(sct)
    }
}

fn sct_list(sct: &[u8]) -> Vec<u8> {
    let one = sct.len() as u16;
    let mut list = (one + 2).to_be_bytes().to_vec();
    list.extend(one.to_be_bytes());
    list.extend(sct);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_a_parsable_leaf() {
        let f = Fulcio::new(1_700_000_000).unwrap();
        let key = KeyPair::generate_ecdsa_p256().unwrap();
        let der = f
            .issue(
                key.public_key_der().unwrap().as_bytes(),
                &crate::sample_claims(),
                &SanKind::Uri,
                1_800_000_000,
            )
            .unwrap();
        let info = sigstore_crypto::parse_certificate_info(&der.into()).unwrap();
        assert!(info.identity.is_some());
    }

    #[test]
    fn issues_email_and_username_sans() {
        let f = Fulcio::new(1_700_000_000).unwrap();
        let key = KeyPair::generate_ecdsa_p256().unwrap();
        let issue = |san: SanKind| {
            let der = f
                .issue(
                    key.public_key_der().unwrap().as_bytes(),
                    &crate::sample_claims(),
                    &san,
                    1_800_000_000,
                )
                .unwrap();
            sigstore_crypto::parse_certificate_info(&der.into()).unwrap()
        };
        let email = issue(SanKind::Email("a@example.com".into()));
        assert_eq!(
            email.identity.map(|i| i.as_str().to_string()).as_deref(),
            Some("a@example.com")
        );
        // sigstore-crypto does not read an otherName; the verifier's own parser does.
        assert!(issue(SanKind::Username("a!example.com".into()))
            .identity
            .is_none());
    }
}
