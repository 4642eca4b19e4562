//! A certification path for a signing certificate that is itself a CA,
//! which WebPKI refuses as an end entity (model-signing's own test PKI
//! signs with one). Built here, with WebPKI's rules where they apply: the
//! bundle's intermediates are untrusted candidates, only the supplied
//! anchors end a path; each issuer must name the child's issuer as its
//! subject, be a CA (and, with a key usage extension, allow certificate
//! signing), be valid at the time given, allow as many CAs below it as the
//! path has (`pathLenConstraint`), and sign the child. No certificate is
//! used twice, and a path has at most [`MAX_INTERMEDIATES`] intermediates.

use crate::error::{Error, Result};
use crate::setting::SettingProblem;
use rustls_pki_types::CertificateDer;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::Certificate;

/// The most intermediates a path may hold (WebPKI allows six).
pub const MAX_INTERMEDIATES: usize = 6;

/// The candidates a bundle may carry: more is refused, not searched.
const MAX_CANDIDATES: usize = 16;

fn parse(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|e| Error::Input(format!("malformed certificate: {e}")))
}

/// `leaf` (DER), valid at `at`, chains through some of `intermediates`
/// to one of `anchors`.
pub(crate) fn chain(
    leaf: &[u8],
    intermediates: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'_>],
    at: jiff::Timestamp,
) -> Result<()> {
    if intermediates.len() > MAX_CANDIDATES {
        return Err(Error::Input(format!(
            "the bundle carries {} certificates; at most {MAX_CANDIDATES} are searched",
            intermediates.len()
        )));
    }
    let leaf = parse(leaf)?;
    if !valid(&leaf, at) {
        return Err(Error::Crypto(
            "signing certificate is not valid at its issuance time".into(),
        ));
    }
    let parse_all = |ders: &[CertificateDer<'_>]| -> Result<Vec<Certificate>> {
        ders.iter().map(|d| parse(d.as_ref())).collect()
    };
    let search = Search {
        intermediates: parse_all(intermediates)?,
        anchors: parse_all(anchors)?,
        at: at.as_second(),
    };
    if search.reaches_anchor(&leaf, &mut Vec::new()) {
        Ok(())
    } else {
        Err(Error::Setting(SettingProblem::NotSignedByChain))
    }
}

struct Search {
    intermediates: Vec<Certificate>,
    anchors: Vec<Certificate>,
    at: i64,
}

impl Search {
    /// Whether `child` (with the intermediates `used` below it, by index)
    /// is issued by an anchor, or by an unused intermediate from which a
    /// path reaches one.
    fn reaches_anchor(&self, child: &Certificate, used: &mut Vec<usize>) -> bool {
        let below = used.len();
        if self.anchors.iter().any(|a| self.issued(a, child, below)) {
            return true;
        }
        if below == MAX_INTERMEDIATES {
            return false;
        }
        for (i, candidate) in self.intermediates.iter().enumerate() {
            if used.contains(&i) || !self.issued(candidate, child, below) {
                continue;
            }
            used.push(i);
            if self.reaches_anchor(candidate, used) {
                return true;
            }
            used.pop();
        }
        false
    }

    /// `issuer` issued `child`, with `below` CAs between it and the leaf.
    fn issued(&self, issuer: &Certificate, child: &Certificate, below: usize) -> bool {
        let tbs = &issuer.tbs_certificate;
        if tbs.subject != child.tbs_certificate.issuer || !valid_at(issuer, self.at) {
            return false;
        }
        let within_path_length = match tbs.get::<BasicConstraints>() {
            Ok(Some((_, bc))) if bc.ca => bc
                .path_len_constraint
                .is_none_or(|n| usize::from(n) >= below),
            _ => false,
        };
        let may_sign_certificates = match tbs.get::<KeyUsage>() {
            Ok(Some((_, ku))) => ku.key_cert_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        within_path_length && may_sign_certificates && signed_by(issuer, child)
    }
}

fn valid(c: &Certificate, at: jiff::Timestamp) -> bool {
    valid_at(c, at.as_second())
}

fn valid_at(c: &Certificate, at: i64) -> bool {
    let v = &c.tbs_certificate.validity;
    let secs = |t: x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
    (secs(v.not_before)..=secs(v.not_after)).contains(&at)
}

/// `child`'s signature verifies with `issuer`'s key.
fn signed_by(issuer: &Certificate, child: &Certificate) -> bool {
    let (Ok(spki), Ok(tbs)) = (
        issuer.tbs_certificate.subject_public_key_info.to_der(),
        child.tbs_certificate.to_der(),
    ) else {
        return false;
    };
    verify_tbs(
        &spki,
        &child.signature_algorithm.oid,
        &tbs,
        child.signature.raw_bytes(),
    )
}

/// Verify a certificate signature over `tbs` with the issuer's SPKI (DER).
fn verify_tbs(
    spki_der: &[u8],
    sig_alg: &x509_cert::der::oid::ObjectIdentifier,
    tbs: &[u8],
    sig: &[u8],
) -> bool {
    use aws_lc_rs::signature as s;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ders(path: &std::path::Path) -> Vec<CertificateDer<'static>> {
        let text = std::fs::read(path).unwrap();
        pem::parse_many(text)
            .unwrap()
            .into_iter()
            .map(|p| CertificateDer::from(p.into_contents()))
            .collect()
    }

    /// Each case of testdata/ca-leaf-pki (scripts/make-ca-leaf-pki.py):
    /// the good path is found; a root that allows no CA below it, an
    /// intermediate that is not a CA or may not sign certificates, two
    /// intermediates that issue each other, and an intermediate with the
    /// right name under another key each give no path.
    #[test]
    fn paths_follow_ca_flags_path_lengths_key_usage_and_signatures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/ca-leaf-pki");
        let at: jiff::Timestamp = "2026-12-02T00:00:00Z".parse().unwrap();
        let mut cases = 0;
        for entry in std::fs::read_dir(&root).unwrap().flatten() {
            let dir = entry.path();
            let expect = std::fs::read_to_string(dir.join("expect")).unwrap();
            let leaf = ders(&dir.join("leaf.pem")).remove(0);
            let got = chain(
                leaf.as_ref(),
                &ders(&dir.join("chain.pem")),
                &ders(&dir.join("anchor.pem")),
                at,
            );
            match expect.trim() {
                "path" => assert!(got.is_ok(), "{}: {got:?}", dir.display()),
                _ => assert!(
                    matches!(got, Err(Error::Setting(SettingProblem::NotSignedByChain))),
                    "{}: {got:?}",
                    dir.display()
                ),
            }
            cases += 1;
        }
        assert_eq!(cases, 6);
        // Outside the certificates' validity, not even the good path holds.
        let dir = root.join("good");
        let late: jiff::Timestamp = "2040-01-01T00:00:00Z".parse().unwrap();
        let leaf = ders(&dir.join("leaf.pem")).remove(0);
        assert!(chain(
            leaf.as_ref(),
            &ders(&dir.join("chain.pem")),
            &ders(&dir.join("anchor.pem")),
            late
        )
        .is_err());
    }
}
