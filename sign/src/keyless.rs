//! Keyless signing: the GitHub Actions OIDC token (audience `sigstore`) buys
//! a short-lived Fulcio certificate for a fresh key; the DSSE envelope is
//! signed with it, and the signature is either logged in Rekor or
//! timestamped by an RFC 3161 authority (GitHub's private instance, which
//! has no public log).

use crate::{Result, SignError};
use sigstore_sign::crypto::KeyPair;
use sigstore_sign::fulcio::FulcioClient;
use sigstore_sign::oidc::IdentityToken;
use sigstore_sign::tsa::TimestampClient;
use sigstore_sign::types::{Bundle, DsseEnvelope, DsseSignature, KeyId, PayloadBytes};
use sigstore_sign::{bundle::BundleV03, SigningContext, SigningServices};
use slsa_aibom_types::intoto::IN_TOTO_PAYLOAD_TYPE;

/// The audience Fulcio accepts.
const AUDIENCE: &str = "sigstore";

/// Where a signature's time and transparency evidence comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transparency {
    /// Public-good Sigstore: an entry in the Rekor log.
    Rekor,
    /// GitHub's private instance: an RFC 3161 timestamp, nothing public.
    Timestamp,
}

/// The service endpoints.
#[derive(Debug, Clone)]
pub struct Services {
    /// Fulcio's base URL.
    pub fulcio: String,
    /// Rekor's base URL (used with [`Transparency::Rekor`]).
    pub rekor: String,
    /// The TSA's timestamp endpoint (used with [`Transparency::Timestamp`]).
    pub tsa: String,
}

impl Services {
    /// The production endpoints for `transparency`: public-good Fulcio and
    /// Rekor, or GitHub's Fulcio and TSA.
    pub fn production(transparency: Transparency) -> Self {
        let fulcio = match transparency {
            Transparency::Rekor => "https://fulcio.sigstore.dev",
            Transparency::Timestamp => "https://fulcio.githubapp.com",
        };
        Services {
            fulcio: fulcio.into(),
            rekor: "https://rekor.sigstore.dev".into(),
            tsa: "https://timestamp.githubapp.com/api/v1/timestamp".into(),
        }
    }
}

/// How to sign keylessly: production services for `transparency` unless
/// overridden, and which trusted root the new bundles are to be verified
/// against (`trusted_root`, else the embedded root of the instance that
/// `transparency` implies): the signer only hands it back to the caller's
/// self-check.
#[derive(Debug, Clone)]
pub struct KeylessConfig {
    /// Rekor log entry or RFC 3161 timestamp.
    pub transparency: Transparency,
    /// Fulcio's URL, if not production's.
    pub fulcio: Option<String>,
    /// Rekor's URL, if not production's.
    pub rekor: Option<String>,
    /// The timestamp endpoint, if not GitHub's.
    pub tsa: Option<String>,
    /// A trusted root file, if not the embedded one for `transparency`.
    pub trusted_root: Option<std::path::PathBuf>,
}

impl KeylessConfig {
    /// A signer with the ambient GitHub Actions OIDC token.
    pub fn signer(&self) -> Result<KeylessSigner> {
        let defaults = Services::production(self.transparency);
        let services = Services {
            fulcio: self.fulcio.clone().unwrap_or(defaults.fulcio),
            rekor: self.rekor.clone().unwrap_or(defaults.rekor),
            tsa: self.tsa.clone().unwrap_or(defaults.tsa),
        };
        let mut signer = KeylessSigner::from_ambient(services, self.transparency)?;
        signer.trusted_root = self.trusted_root.clone();
        Ok(signer)
    }
}

/// A signer holding the job's OIDC token.
pub struct KeylessSigner {
    runtime: tokio::runtime::Runtime,
    token: IdentityToken,
    services: Services,
    transparency: Transparency,
    trusted_root: Option<std::path::PathBuf>,
}

fn sign_error(what: &str, e: impl std::fmt::Display) -> SignError {
    SignError(format!("keyless signing: {what}: {e}"))
}

/// The single-threaded runtime the HTTP clients run on.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| sign_error("cannot start the HTTP runtime", e))
}

/// Refuse a token Fulcio would refuse, with the reason.
fn check_token(token: &IdentityToken) -> Result<()> {
    let claims = token.claims();
    if !claims.aud.contains(AUDIENCE) {
        return Err(SignError(format!(
            "the OIDC token's audience is {:?}, not {AUDIENCE:?}; Fulcio would refuse it",
            claims.aud
        )));
    }
    if token.is_expired() {
        return Err(SignError(format!(
            "the OIDC token expired at {}; request a fresh one in the signing job",
            token.expiration()
        )));
    }
    Ok(())
}

impl KeylessSigner {
    /// Fetch the ambient GitHub Actions OIDC token and check it.
    pub fn from_ambient(services: Services, transparency: Transparency) -> Result<Self> {
        let runtime = runtime()?;
        let token = runtime
            .block_on(IdentityToken::detect_ambient())
            .map_err(|e| sign_error("cannot get the GitHub Actions OIDC token", e))?
            .ok_or_else(|| {
                SignError(
                    "keyless signing needs the GitHub Actions OIDC token, and none is available: \
                     run in a GitHub Actions job with `permissions: id-token: write` \
                     (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set)"
                        .into(),
                )
            })?;
        Self::holding(runtime, token, services, transparency)
    }

    /// A signer holding `token`, an OIDC identity token obtained some other
    /// way than GitHub Actions' ambient endpoint; checked as
    /// [`KeylessSigner::from_ambient`] checks its token.
    pub fn from_token(services: Services, transparency: Transparency, token: &str) -> Result<Self> {
        let token = IdentityToken::from_jwt(token)
            .map_err(|e| sign_error("the OIDC token is not a valid JWT", e))?;
        Self::holding(runtime()?, token, services, transparency)
    }

    /// A signer holding `token`, once it is checked.
    fn holding(
        runtime: tokio::runtime::Runtime,
        token: IdentityToken,
        services: Services,
        transparency: Transparency,
    ) -> Result<Self> {
        check_token(&token)?;
        Ok(KeylessSigner {
            runtime,
            token,
            services,
            transparency,
            trusted_root: None,
        })
    }

    /// Where the signatures' time evidence comes from.
    pub fn transparency(&self) -> Transparency {
        self.transparency
    }

    /// The trusted root file the bundles are to be verified against, when
    /// not the embedded one of [`KeylessSigner::transparency`]'s instance.
    pub fn trusted_root(&self) -> Option<&std::path::Path> {
        self.trusted_root.as_deref()
    }

    /// Sign an in-toto statement into a pretty-printed bundle v0.3.
    pub fn sign_statement(&self, statement: &[u8]) -> Result<String> {
        check_token(&self.token)?;
        let bundle = match self.transparency {
            Transparency::Rekor => {
                let services = SigningServices::new(&self.services.fulcio, &self.services.rekor);
                let signer = SigningContext::new(services).signer(self.token.clone());
                self.runtime
                    .block_on(signer.sign_raw_statement(statement))
                    .map_err(|e| sign_error("Fulcio or Rekor", e))?
            }
            Transparency::Timestamp => {
                self.runtime.block_on(self.sign_with_timestamp(statement))?
            }
        };
        let mut json = bundle
            .to_json_pretty()
            .map_err(|e| sign_error("cannot write the bundle", e))?;
        json.push('\n');
        Ok(json)
    }

    /// Fulcio certificate plus RFC 3161 timestamp, no log entry (what
    /// `sigstore-sign` does not offer: it always logs to Rekor).
    async fn sign_with_timestamp(&self, statement: &[u8]) -> Result<Bundle> {
        let key = KeyPair::generate_ecdsa_p256().map_err(|e| sign_error("key", e))?;
        let fulcio =
            FulcioClient::new(&self.services.fulcio).map_err(|e| sign_error("Fulcio", e))?;
        let chain = fulcio
            .create_signing_certificate(&self.token, &key)
            .await
            .map_err(|e| sign_error("Fulcio", e))?;
        let pae = sigstore_sign::types::pae(IN_TOTO_PAYLOAD_TYPE, statement);
        let signature = key.sign(&pae).map_err(|e| sign_error("signature", e))?;
        let timestamp = TimestampClient::new(&self.services.tsa)
            .map_err(|e| sign_error("TSA", e))?
            .timestamp_signature(&signature)
            .await
            .map_err(|e| sign_error("TSA", e))?;
        let envelope = DsseEnvelope::new(
            IN_TOTO_PAYLOAD_TYPE,
            PayloadBytes::from_bytes(statement),
            DsseSignature::new(signature, KeyId::default()),
        );
        Ok(
            BundleV03::with_certificate_and_dsse(chain.leaf_certificate().clone(), envelope)
                .with_rfc3161_timestamp(timestamp)
                .into_bundle(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Services {
        Services::production(Transparency::Rekor)
    }

    #[test]
    fn a_token_that_is_not_a_jwt_is_refused_before_any_request() {
        for token in ["", "not-a-jwt", "a.b", "a.b.c\u{7}"] {
            let e = KeylessSigner::from_token(services(), Transparency::Rekor, token)
                .err()
                .expect("refused");
            assert!(e.0.contains("not a valid JWT"), "{token:?}: {e}");
        }
    }
}
