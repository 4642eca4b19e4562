//! Loopback fakes of the services the keyless signing path talks to: the
//! GitHub Actions OIDC token endpoint, Fulcio, Rekor v1, an RFC 3161
//! timestamp authority, and the GitHub Jobs and attestations APIs, on one HTTP server bound
//! to `127.0.0.1`.
//!
//! The fakes are strict where the real services are: Fulcio checks the
//! token's signature, issuer, audience and expiry and the proof of
//! possession; Rekor checks the envelope signature against the submitted
//! certificate. Their keys are fresh per instance, and
//! [`FakeSigstore::trusted_root`] describes them, so a verifier given that
//! root accepts what they issued and nothing else. Faults
//! ([`Faults`]) make each service fail the way tests need.

mod attestations;
mod fulcio;
mod oidc;
mod rekor;
mod static_files;
mod tsa;
mod x509;

pub use fulcio::{Fulcio, SanKind, USERNAME_SAN_OID};
pub use oidc::{Claims, GITHUB_ISSUER};
pub use static_files::StaticFiles;
pub use x509::Error;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tiny_http::{Header, Method, Request, Response, Server};

/// Ways to make the services fail.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Fulcio refuses every certificate request (HTTP 403).
    pub fulcio_refuses: bool,
    /// Rekor answers every request with HTTP 503.
    pub rekor_down: bool,
    /// The token service issues tokens for this audience instead of the
    /// one requested.
    pub token_audience: Option<String>,
    /// The token service issues tokens that expired a minute ago.
    pub token_expired: bool,
}

struct State {
    tokens: oidc::TokenIssuer,
    fulcio: fulcio::Fulcio,
    rekor: Mutex<rekor::Rekor>,
    tsa: Mutex<tsa::Tsa>,
    faults: Mutex<Faults>,
    claims: Mutex<Claims>,
    san: Mutex<fulcio::SanKind>,
    request_token: String,
    jobs: Mutex<Vec<Value>>,
    attestations: Mutex<attestations::Store>,
}

/// The running fakes. Dropping it stops the server.
pub struct FakeSigstore {
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
    base: String,
    state: Arc<State>,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Claims for a typical caller of the builder workflow: `acme/models`
/// calling `ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1` on a
/// push to `main`, run 4242 attempt 1, on a GitHub-hosted runner.
pub fn sample_claims() -> Claims {
    Claims {
        iss: GITHUB_ISSUER.into(),
        sub: "repo:acme/models:ref:refs/heads/main".into(),
        repository: "acme/models".into(),
        repository_id: "123456".into(),
        repository_owner: "acme".into(),
        repository_owner_id: "7890".into(),
        repository_visibility: "public".into(),
        git_ref: "refs/heads/main".into(),
        sha: "1111111111111111111111111111111111111111".into(),
        event_name: "push".into(),
        workflow: "train".into(),
        workflow_ref: "acme/models/.github/workflows/train.yml@refs/heads/main".into(),
        workflow_sha: "1111111111111111111111111111111111111111".into(),
        job_workflow_ref: "ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1".into(),
        job_workflow_sha: "2222222222222222222222222222222222222222".into(),
        run_id: "4242".into(),
        run_attempt: "1".into(),
        runner_environment: "github-hosted".into(),
    }
}

impl FakeSigstore {
    /// Start the fakes; tokens will carry `claims`.
    pub fn start(claims: Claims) -> Result<Self, Error> {
        let epoch = now() - 86_400;
        let state = Arc::new(State {
            tokens: oidc::TokenIssuer::new()?,
            fulcio: fulcio::Fulcio::new(epoch)?,
            rekor: Mutex::new(rekor::Rekor::new()?),
            tsa: Mutex::new(tsa::Tsa::new(epoch)?),
            faults: Mutex::new(Faults::default()),
            claims: Mutex::new(claims),
            san: Mutex::new(fulcio::SanKind::default()),
            jobs: Mutex::new(Vec::new()),
            attestations: Mutex::new(attestations::Store::default()),
            request_token: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(format!(
                "{epoch}|{}|{:?}",
                std::process::id(),
                std::time::Instant::now()
            ))),
        });
        let (server, base) = bind_loopback()?;
        let thread = {
            let (server, state) = (Arc::clone(&server), Arc::clone(&state));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    serve(&state, request);
                }
            })
        };
        Ok(FakeSigstore {
            server,
            thread: Some(thread),
            base,
            state,
        })
    }

    /// Change the faults for the requests that follow.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = faults;
    }

    /// Fulcio's base URL.
    pub fn fulcio_url(&self) -> String {
        format!("{}/fulcio", self.base)
    }

    /// Rekor's base URL.
    pub fn rekor_url(&self) -> String {
        format!("{}/rekor", self.base)
    }

    /// The TSA's timestamp endpoint.
    pub fn tsa_url(&self) -> String {
        format!("{}/tsa/api/v1/timestamp", self.base)
    }

    /// The variables GitHub sets in a job with `id-token: write`.
    pub fn actions_env(&self) -> Vec<(String, String)> {
        vec![
            ("GITHUB_ACTIONS".into(), "true".into()),
            (
                "RUNNER_ENVIRONMENT".into(),
                lock(&self.state.claims).runner_environment.clone(),
            ),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
                format!("{}/oidc/token?api-version=2.0", self.base),
            ),
            (
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN".into(),
                self.state.request_token.clone(),
            ),
        ]
    }

    /// The trusted root of a GitHub-style instance built on the same fakes:
    /// the CA and the TSA only, no transparency or CT log.
    pub fn github_trusted_root(&self) -> Result<Value, Error> {
        let mut root = self.trusted_root()?;
        root["tlogs"] = json!([]);
        root["ctlogs"] = json!([]);
        Ok(root)
    }

    /// The GitHub REST API root (`GITHUB_API_URL`).
    pub fn github_api_url(&self) -> String {
        format!("{}/github", self.base)
    }

    /// The token the fake GitHub API accepts (`GITHUB_TOKEN`).
    pub fn github_token(&self) -> &str {
        &self.state.request_token
    }

    /// Serve `job` (a Jobs API object with `id`, `run_id` and
    /// `run_attempt`) from `GET /repos/{repository}/actions/jobs/{id}` and,
    /// listed in the order added, from
    /// `GET /repos/{repository}/actions/runs/{run_id}/attempts/{run_attempt}/jobs`
    /// (`per_page`, `page`), for the claims' repository.
    pub fn add_job(&self, job: Value) {
        lock(&self.state.jobs).push(job);
    }

    /// Store `bundle` in the fake attestations API for the claims'
    /// repository, as an upload from its workflow would; its ID.
    pub fn add_attestation(&self, bundle: &Value) -> Result<u64, Error> {
        let body = serde_json::to_vec(&json!({ "bundle": bundle })).map_err(|e| e.to_string())?;
        let repository = lock(&self.state.claims).repository.clone();
        lock(&self.state.attestations).add(&repository, &body)
    }

    /// A fresh OIDC token (audience `sigstore`, valid five minutes) for the
    /// current claims, as the token endpoint would hand a job: for signing
    /// in-process without the ambient GitHub Actions variables.
    pub fn token(&self) -> Result<String, Error> {
        let claims = lock(&self.state.claims).clone();
        self.state.tokens.issue(&claims, "sigstore", now(), 300)
    }

    /// The claims tokens carry.
    pub fn claims(&self) -> Claims {
        lock(&self.state.claims).clone()
    }

    /// The kind of SAN the certificates that follow carry.
    pub fn set_san(&self, san: SanKind) {
        *lock(&self.state.san) = san;
    }

    /// Change the claims of the tokens that follow (another run, say).
    pub fn set_claims(&self, claims: Claims) {
        *lock(&self.state.claims) = claims;
    }

    /// A trusted root (`application/vnd.dev.sigstore.trustedroot+json`)
    /// naming the fake CA, CT log, Rekor and TSA.
    pub fn trusted_root(&self) -> Result<Value, Error> {
        let valid = json!({"start": "2020-01-01T00:00:00Z"});
        let log = |k: &sigstore_crypto::KeyPair, url: String| -> Result<Value, Error> {
            let der = k.public_key_der().map_err(|e| e.to_string())?;
            Ok(json!({
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": B64.encode(der.as_bytes()),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": valid},
                "logId": {"keyId": B64.encode(<sha2::Sha256 as sha2::Digest>::digest(der.as_bytes()))},
            }))
        };
        let chain = |ders: &[&[u8]]| json!({"certificates": ders.iter().map(|d| json!({"rawBytes": B64.encode(d)})).collect::<Vec<_>>()});
        let tsa = lock(&self.state.tsa);
        Ok(json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&lock(&self.state.rekor).key, self.rekor_url())?],
            "certificateAuthorities": [{
                "subject": {"organization": "fake-sigstore", "commonName": "fake-fulcio"},
                "uri": self.fulcio_url(),
                "certChain": chain(&[&self.state.fulcio.ca.cert_der]),
                "validFor": valid,
            }],
            "ctlogs": [log(&self.state.fulcio.ct_log, format!("{}/ct", self.base))?],
            "timestampAuthorities": [{
                "subject": {"organization": "fake-sigstore", "commonName": "fake-tsa"},
                "uri": self.tsa_url(),
                "certChain": chain(&[&tsa.leaf.cert_der, &tsa.root.cert_der]),
                "validFor": valid,
            }],
        }))
    }

    /// A client trust configuration (trusted root plus signing config), the
    /// form Python `sigstore --trust-config` reads.
    pub fn client_trust_config(&self) -> Result<Value, Error> {
        let service = |url: String| {
            json!({"url": url, "majorApiVersion": 1,
            "validFor": {"start": "2020-01-01T00:00:00Z"}, "operator": "fake-sigstore"})
        };
        Ok(json!({
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root()?,
            "signingConfig": {
                "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls": [service(self.fulcio_url())],
                "oidcUrls": [],
                "rekorTlogUrls": [service(self.rekor_url())],
                "tsaUrls": [service(self.tsa_url())],
                "rekorTlogConfig": {"selector": "ANY"},
                "tsaConfig": {"selector": "ANY"},
            },
        }))
    }
}

impl Drop for FakeSigstore {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A server on a free loopback port, and its base URL.
pub(crate) fn bind_loopback() -> Result<(Arc<Server>, String), Error> {
    let server = Arc::new(Server::http("127.0.0.1:0").map_err(|e| e.to_string())?);
    let port = server
        .server_addr()
        .to_ip()
        .ok_or("the server has no IP address")?
        .port();
    Ok((server, format!("http://127.0.0.1:{port}")))
}

fn json_response(status: u16, body: &Value) -> Response<std::io::Cursor<Vec<u8>>> {
    let header = Header::from_bytes("Content-Type", "application/json").ok();
    let mut r = Response::from_data(body.to_string().into_bytes()).with_status_code(status);
    if let Some(h) = header {
        r.add_header(h);
    }
    r
}

fn failure(status: u16, message: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    json_response(status, &json!({"code": status, "message": message}))
}

fn serve(state: &State, mut request: Request) {
    let mut body = Vec::new();
    let response = match request.as_reader().read_to_end(&mut body) {
        Err(e) => failure(400, &e.to_string()),
        Ok(_) => route(state, &request, &body),
    };
    let _ = request.respond(response);
}

fn route(state: &State, request: &Request, body: &[u8]) -> Response<std::io::Cursor<Vec<u8>>> {
    let faults = lock(&state.faults).clone();
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or_default();
    match (request.method(), path) {
        (Method::Get, "/oidc/token") => token(state, request, &url, &faults),
        (Method::Post, "/fulcio/api/v2/signingCert") => {
            if faults.fulcio_refuses {
                return failure(403, "fake Fulcio: refusing every certificate request");
            }
            let san = lock(&state.san).clone();
            match state.fulcio.signing_cert(body, &state.tokens, &san, now()) {
                Ok(v) => json_response(201, &v),
                Err(r) => failure(r.status, &r.message),
            }
        }
        (_, p) if p.starts_with("/rekor/") && faults.rekor_down => {
            failure(503, "fake Rekor: service unavailable")
        }
        (Method::Post, "/rekor/api/v1/log/entries") => {
            match lock(&state.rekor).add_dsse(body, now()) {
                Ok(v) => json_response(201, &v),
                Err(e) => failure(400, &e),
            }
        }
        (Method::Post, "/tsa/api/v1/timestamp") => match lock(&state.tsa).timestamp(body, now()) {
            Ok(der) => Response::from_data(der),
            Err(e) => failure(400, &e),
        },
        (Method::Post, p) if p.starts_with("/github/") => {
            upload_attestation(state, request, p, body)
        }
        (Method::Get, p) if p.contains("/attestations/") => list_attestations(state, request, &url),
        (Method::Get, p) if p.starts_with("/github/") && p.ends_with("/jobs") => {
            attempt_jobs(state, request, p, &url)
        }
        (Method::Get, p) if p.starts_with("/github/") => job(state, request, p),
        _ => failure(404, "no such endpoint"),
    }
}

/// Whether the request carries `Authorization: Bearer <request token>`
/// (the token endpoint's request token doubles as the fake `GITHUB_TOKEN`).
fn authorized(state: &State, request: &Request) -> bool {
    let expected = format!("bearer {}", state.request_token);
    request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Authorization") && h.value.as_str().eq_ignore_ascii_case(&expected))
}

fn upload_attestation(
    state: &State,
    request: &Request,
    path: &str,
    body: &[u8],
) -> Response<std::io::Cursor<Vec<u8>>> {
    if !authorized(state, request) {
        return failure(401, "Bad credentials");
    }
    // A job's token writes to its own repository only.
    let repository = lock(&state.claims).repository.clone();
    if path != format!("/github/repos/{repository}/attestations") {
        return failure(404, "Not Found");
    }
    match lock(&state.attestations).add(&repository, body) {
        Ok(id) => json_response(201, &json!({ "id": id })),
        Err(e) => failure(422, &e),
    }
}

/// `GET /repos/{o}/{r}/attestations/{d}` or `/users/{o}/...`; organisations
/// answer 404 (the claims' owner is a user here), as for a user on GitHub.
fn list_attestations(
    state: &State,
    request: &Request,
    url: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let param = |k: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
    };
    let Some((scope, digest)) = path
        .strip_prefix("/github/")
        .and_then(|p| p.split_once("/attestations/"))
    else {
        return failure(404, "Not Found");
    };
    let in_scope: Box<dyn Fn(&str) -> bool> = match scope.split_once('/') {
        Some(("repos", repo)) => {
            let repo = repo.to_string();
            Box::new(move |r| r == repo)
        }
        Some(("users", owner)) => {
            let prefix = format!("{owner}/");
            Box::new(move |r| r.starts_with(&prefix))
        }
        _ => return failure(404, "Not Found"),
    };
    let predicate_type = param("predicate_type").map(percent_decode);
    let per_page = param("per_page").and_then(|v| v.parse().ok()).unwrap_or(30);
    let after = param("after").and_then(|v| v.parse().ok()).unwrap_or(0);
    let page = lock(&state.attestations).page(
        in_scope,
        digest,
        predicate_type.as_deref(),
        per_page,
        after,
    );
    let mut response = json_response(200, &page.body);
    if let Some(next) = page.next_after {
        let host = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| h.value.as_str().to_string())
            .unwrap_or_default();
        let mut link = format!("<http://{host}{path}?per_page={per_page}&after={next}");
        if let Some(p) = param("predicate_type") {
            link.push_str(&format!("&predicate_type={p}"));
        }
        link.push_str(">; rel=\"next\"");
        if let Ok(h) = Header::from_bytes("Link", link) {
            response.add_header(h);
        }
    }
    response
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET /repos/{repo}/actions/runs/{run}/attempts/{attempt}/jobs`: the
/// jobs added for that run and attempt, a page at a time.
fn attempt_jobs(
    state: &State,
    request: &Request,
    path: &str,
    url: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    if !authorized(state, request) {
        return failure(401, "Bad credentials");
    }
    let prefix = format!(
        "/github/repos/{}/actions/runs/",
        lock(&state.claims).repository
    );
    let Some((run, attempt)) = path
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix("/jobs"))
        .and_then(|rest| rest.split_once("/attempts/"))
        .and_then(|(r, a)| Some((r.parse::<u64>().ok()?, a.parse::<u64>().ok()?)))
    else {
        return failure(404, "Not Found");
    };
    let param = |name: &str, default: usize| {
        url.split(['?', '&'])
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (per_page, page) = (param("per_page", 30).clamp(1, 100), param("page", 1).max(1));
    let jobs: Vec<Value> = lock(&state.jobs)
        .iter()
        .filter(|j| j["run_id"].as_u64() == Some(run) && j["run_attempt"].as_u64() == Some(attempt))
        .cloned()
        .collect();
    let shown: Vec<&Value> = jobs
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    json_response(200, &json!({ "total_count": jobs.len(), "jobs": shown }))
}

fn job(state: &State, request: &Request, path: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    if !authorized(state, request) {
        return failure(401, "Bad credentials");
    }
    let prefix = format!(
        "/github/repos/{}/actions/jobs/",
        lock(&state.claims).repository
    );
    let id = path
        .strip_prefix(&prefix)
        .and_then(|id| id.parse::<u64>().ok());
    match lock(&state.jobs)
        .iter()
        .find(|j| id.is_some() && j["id"].as_u64() == id)
    {
        Some(j) => json_response(200, j),
        None => failure(404, "Not Found"),
    }
}

fn token(
    state: &State,
    request: &Request,
    url: &str,
    faults: &Faults,
) -> Response<std::io::Cursor<Vec<u8>>> {
    if !authorized(state, request) {
        return failure(401, "bad ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    }
    let requested = url
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("audience="))
        .unwrap_or_default();
    let audience = faults.token_audience.as_deref().unwrap_or(requested);
    let (iat, lifetime) = if faults.token_expired {
        (now() - 600, 540)
    } else {
        (now(), 300)
    };
    let claims = lock(&state.claims).clone();
    match state.tokens.issue(&claims, audience, iat, lifetime) {
        Ok(jwt) => json_response(200, &json!({"value": jwt, "count": 1})),
        Err(e) => failure(500, &e),
    }
}
