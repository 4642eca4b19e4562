//! Bare DSSE envelopes: verifiable offline with a caller-supplied key; with
//! only an embedded certificate (old slsa-github-generator output) they carry
//! no signed time and no log proof, so they are refused after the checks that
//! can be made.

use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use crate::evidence::anchor::TrustAnchor;
use crate::evidence::keys::PublicKey;
use crate::evidence::Envelope;
use crate::setting::SettingProblem;
use sigstore_types::DerCertificate;

/// Verify the envelope's signature. Returns `Ok` only for keyed envelopes.
pub(crate) fn verify(env: &Envelope, anchor: &TrustAnchor, checks: &mut Checks) -> Result<()> {
    checks.pass(
        CheckId::BundleFormat,
        None,
        Some("bare DSSE".into()),
        "bare DSSE envelope, not a Sigstore bundle",
    );
    let pae = env.pae();
    if let Some(key) = anchor.key() {
        let ok = env
            .signatures
            .iter()
            .any(|s| key.verify(&pae, &s.sig).is_ok());
        let result = if ok {
            Ok(())
        } else {
            Err(Error::Crypto(format!(
                "none of the {} DSSE signatures verifies with the supplied key",
                env.signatures.len()
            )))
        };
        checks.record(
            CheckId::SignerKey,
            None,
            Some(key.scheme.name().into()),
            "DSSE signature verifies with the supplied key",
            result,
        )?;
        checks.not_applicable(
            CheckId::Transparency,
            "keyed DSSE envelope: the supplied key is the trust anchor",
        );
        return Ok(());
    }
    // Keyless: everything checkable offline is checked before refusing.
    let mut certs = 0;
    for s in env.signatures.iter() {
        let Some(pem) = &s.cert else { continue };
        certs += 1;
        let der = DerCertificate::from_pem(pem)
            .map_err(|e| Error::Input(format!("embedded certificate is not PEM: {e}")))?;
        let info = sigstore_crypto::parse_certificate_info(&der)
            .map_err(|e| Error::Input(format!("malformed embedded certificate: {e}")))?;
        let key = PublicKey::from_der(info.public_key)?;
        checks.record(
            CheckId::Signature,
            None,
            None,
            "DSSE signature verifies with the embedded certificate's key",
            key.verify(&pae, &s.sig),
        )?;
    }
    let why = if certs == 0 {
        Error::Setting(SettingProblem::BareEnvelopeWithoutKey)
    } else {
        Error::NoTransparency(
            "bare DSSE envelope with an embedded certificate but no log entry, inclusion proof or timestamp, \
             so neither its signing time nor its logging can be established offline; \
             fetch its Rekor entry and verify it as a Sigstore bundle"
                .into(),
        )
    };
    checks.record(CheckId::Transparency, None, None, "", Err(why))
}
