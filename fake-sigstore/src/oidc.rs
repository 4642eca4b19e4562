//! A fake GitHub Actions OIDC token service: ES256 JWTs with the claims
//! GitHub puts in a workflow job's token, for whatever audience is asked.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair as _, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// GitHub's Actions token issuer. The fake claims it, so that verifiers
/// run the same GitHub-specific checks as in production; only the trusted
/// root differs.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The workflow run a token describes (GitHub's claim names).
#[derive(Debug, Clone)]
pub struct Claims {
    /// `iss`.
    pub iss: String,
    /// `sub`, e.g. `repo:acme/models:ref:refs/heads/main`.
    pub sub: String,
    /// `repository`, `OWNER/NAME` of the caller.
    pub repository: String,
    /// `repository_id`.
    pub repository_id: String,
    /// `repository_owner`.
    pub repository_owner: String,
    /// `repository_owner_id`.
    pub repository_owner_id: String,
    /// `repository_visibility`.
    pub repository_visibility: String,
    /// `ref`.
    pub git_ref: String,
    /// `sha`.
    pub sha: String,
    /// `event_name`.
    pub event_name: String,
    /// `workflow` (its name).
    pub workflow: String,
    /// `workflow_ref`: the caller's workflow.
    pub workflow_ref: String,
    /// `workflow_sha`.
    pub workflow_sha: String,
    /// `job_workflow_ref`: the reusable workflow the job runs (ours).
    pub job_workflow_ref: String,
    /// `job_workflow_sha`.
    pub job_workflow_sha: String,
    /// `run_id`.
    pub run_id: String,
    /// `run_attempt`.
    pub run_attempt: String,
    /// `runner_environment`.
    pub runner_environment: String,
}

impl Claims {
    fn to_json(&self, aud: &str, iat: i64, exp: i64) -> Value {
        json!({
            "iss": self.iss, "sub": self.sub, "aud": aud, "iat": iat, "nbf": iat, "exp": exp,
            "repository": self.repository, "repository_id": self.repository_id,
            "repository_owner": self.repository_owner,
            "repository_owner_id": self.repository_owner_id,
            "repository_visibility": self.repository_visibility,
            "ref": self.git_ref, "sha": self.sha, "event_name": self.event_name,
            "workflow": self.workflow, "workflow_ref": self.workflow_ref,
            "workflow_sha": self.workflow_sha, "job_workflow_ref": self.job_workflow_ref,
            "job_workflow_sha": self.job_workflow_sha, "run_id": self.run_id,
            "run_attempt": self.run_attempt, "runner_environment": self.runner_environment,
        })
    }

    fn from_json(v: &Value) -> Result<Self, String> {
        let s = |k: &str| {
            v[k].as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("token claim {k} missing"))
        };
        Ok(Claims {
            iss: s("iss")?,
            sub: s("sub")?,
            repository: s("repository")?,
            repository_id: s("repository_id")?,
            repository_owner: s("repository_owner")?,
            repository_owner_id: s("repository_owner_id")?,
            repository_visibility: s("repository_visibility")?,
            git_ref: s("ref")?,
            sha: s("sha")?,
            event_name: s("event_name")?,
            workflow: s("workflow")?,
            workflow_ref: s("workflow_ref")?,
            workflow_sha: s("workflow_sha")?,
            job_workflow_ref: s("job_workflow_ref")?,
            job_workflow_sha: s("job_workflow_sha")?,
            run_id: s("run_id")?,
            run_attempt: s("run_attempt")?,
            runner_environment: s("runner_environment")?,
        })
    }
}

/// The token service's signing key.
pub struct TokenIssuer {
    key: EcdsaKeyPair,
}

impl TokenIssuer {
    /// A fresh ES256 key.
    pub fn new() -> Result<Self, String> {
        let key =
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|e| e.to_string())?;
        Ok(TokenIssuer { key })
    }

    /// A signed JWT for `claims` and `aud`, issued at `iat` and valid for
    /// `lifetime` seconds (negative: already expired).
    pub fn issue(
        &self,
        claims: &Claims,
        aud: &str,
        iat: i64,
        lifetime: i64,
    ) -> Result<String, String> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT","kid":"fake"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.to_json(aud, iat, iat + lifetime).to_string());
        let signing_input = format!("{header}.{body}");
        let sig = self
            .key
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(sig.as_ref())
        ))
    }

    /// Check a token as Fulcio does: our signature, GitHub's issuer, the
    /// audience, and the expiry. Returns its claims.
    pub fn check(&self, token: &str, audience: &str, now: i64) -> Result<Claims, String> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, body, sig] = parts[..] else {
            return Err("not a JWT".into());
        };
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|e| format!("JWT signature: {e}"))?;
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.key.public_key().as_ref())
            .verify(format!("{header}.{body}").as_bytes(), &sig)
            .map_err(|_| "the token's signature does not verify".to_string())?;
        let claims: Value = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("JWT body is not base64url JSON")?;
        if claims["iss"] != GITHUB_ISSUER {
            return Err(format!("unknown issuer {}", claims["iss"]));
        }
        if claims["aud"] != audience {
            return Err(format!(
                "audience {} is not the required {audience:?}",
                claims["aud"]
            ));
        }
        match claims["exp"].as_i64() {
            Some(exp) if exp > now => {}
            _ => return Err("the token has expired".into()),
        }
        Claims::from_json(&claims)
    }
}
