//! A fake GitHub attestations API: `POST /repos/{o}/{r}/attestations`
//! stores a bundle under the sha256 digests of its statement's subjects;
//! `GET /{repos/o/r|users/o}/attestations/{digest}` lists them in pages of
//! at most [`MAX_PAGE`], linked by `Link: <...>; rel="next"` as GitHub
//! does, so clients' paging is exercised.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};

/// The fake's largest page, whatever `per_page` asks for.
pub const MAX_PAGE: usize = 2;

struct Entry {
    id: u64,
    repository: String,
    digests: Vec<String>,
    predicate_type: String,
    bundle: Value,
}

/// Every bundle uploaded so far.
#[derive(Default)]
pub struct Store {
    entries: Vec<Entry>,
}

/// One page of a listing.
pub struct Page {
    /// The `{"attestations": [...]}` body.
    pub body: Value,
    /// The cursor of the next page, if any.
    pub next_after: Option<usize>,
}

impl Store {
    /// Store `body` (`{"bundle": {...}}`) for `repository`; its new ID.
    pub fn add(&mut self, repository: &str, body: &[u8]) -> Result<u64, String> {
        let body: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let bundle = body["bundle"].clone();
        let payload = bundle["dsseEnvelope"]["payload"]
            .as_str()
            .ok_or("the bundle has no DSSE envelope")?;
        let statement: Value = B64
            .decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or("the DSSE payload is not a JSON statement")?;
        let digests = statement["subject"]
            .as_array()
            .ok_or("the statement has no subjects")?
            .iter()
            .filter_map(|s| s["digest"]["sha256"].as_str())
            .map(|d| format!("sha256:{d}"))
            .collect::<Vec<_>>();
        if digests.is_empty() {
            return Err("no subject has a sha256 digest".into());
        }
        let id = self.entries.len() as u64 + 1;
        self.entries.push(Entry {
            id,
            repository: repository.to_string(),
            digests,
            predicate_type: statement["predicateType"].as_str().unwrap_or("").into(),
            bundle,
        });
        Ok(id)
    }

    /// The page after cursor `after` of the bundles for `digest` in the
    /// repositories `in_scope` accepts.
    pub fn page(
        &self,
        in_scope: impl Fn(&str) -> bool,
        digest: &str,
        predicate_type: Option<&str>,
        per_page: usize,
        after: usize,
    ) -> Page {
        let matching: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| in_scope(&e.repository) && e.digests.iter().any(|d| d == digest))
            .filter(|e| predicate_type.is_none_or(|p| p == e.predicate_type))
            .collect();
        let size = per_page.clamp(1, MAX_PAGE);
        let page: Vec<Value> = matching
            .iter()
            .skip(after)
            .take(size)
            .map(|e| json!({"bundle": e.bundle, "repository_id": 1, "id": e.id}))
            .collect();
        let next_after = (after + size < matching.len()).then_some(after + size);
        Page {
            body: json!({ "attestations": page }),
            next_after,
        }
    }
}
