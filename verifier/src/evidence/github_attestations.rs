//! Fetching Sigstore bundles from the GitHub attestations API by subject
//! digest, as `gh attestation download` does (cargo feature `github`).
//!
//! Fetching proves nothing: the bundles are then verified like any other
//! evidence, against the trusted root and the policy. The repository or
//! owner queried only decides where to look.

use crate::digest::Digest;
use crate::error::{Error, Result};
use serde_json::Value;

/// Whose attestations to search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One repository, `OWNER/NAME` (`GET /repos/{o}/{r}/attestations/{digest}`).
    Repo(String),
    /// Every repository of an organisation or user
    /// (`GET /orgs/{o}/attestations/{digest}`, then `/users/{o}/...`).
    Owner(String),
}

/// A query against one GitHub instance.
#[derive(Debug, Clone)]
pub struct AttestationQuery {
    /// The REST API root, e.g. `https://api.github.com`.
    pub api_url: String,
    /// Where to look.
    pub scope: Scope,
    /// A token (`GITHUB_TOKEN`/`GH_TOKEN`); private repositories need one.
    pub token: Option<String>,
    /// Ask only for this predicate type.
    pub predicate_type: Option<String>,
}

/// GitHub's default page size is 30; ask for its maximum.
const PER_PAGE: u32 = 100;

impl AttestationQuery {
    /// Every bundle attesting to `digest`, across all result pages. An empty
    /// list means GitHub has none in this scope.
    pub fn fetch(&self, digest: &Digest) -> Result<Vec<Value>> {
        if !matches!(digest.algorithm.as_str(), "sha256" | "sha512") {
            return Err(Error::Input(format!(
                "the attestations API indexes sha256 and sha512 digests, not {}",
                digest.algorithm
            )));
        }
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("slsa-aibom-verify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Input(format!("HTTP client: {e}")))?;
        let paths = match &self.scope {
            Scope::Repo(repo) => vec![format!("/repos/{repo}/attestations/{digest}")],
            Scope::Owner(owner) => vec![
                format!("/orgs/{owner}/attestations/{digest}"),
                format!("/users/{owner}/attestations/{digest}"),
            ],
        };
        for path in &paths {
            if let Some(bundles) = self.fetch_pages(&client, path)? {
                return Ok(bundles);
            }
        }
        Ok(Vec::new())
    }

    /// All pages at `path`, or `None` when GitHub answers 404.
    fn fetch_pages(
        &self,
        client: &reqwest::blocking::Client,
        path: &str,
    ) -> Result<Option<Vec<Value>>> {
        let mut url = format!(
            "{}{path}?per_page={PER_PAGE}",
            self.api_url.trim_end_matches('/')
        );
        if let Some(p) = &self.predicate_type {
            url.push_str("&predicate_type=");
            url.push_str(&percent_encode(p));
        }
        let mut bundles = Vec::new();
        loop {
            let mut request = client
                .get(&url)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28");
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let fail = |e: &dyn std::fmt::Display| Error::Input(format!("GET {url}: {e}"));
            let response = request.send().map_err(|e| fail(&e))?;
            let status = response.status();
            if status == reqwest::StatusCode::NOT_FOUND {
                return Ok(None);
            }
            let next = next_link(response.headers());
            let body = response.text().map_err(|e| fail(&e))?;
            if !status.is_success() {
                return Err(fail(&format!("HTTP {status}: {}", body.trim())));
            }
            let page: Value = crate::json::from_str(&body).map_err(|e| fail(&e))?;
            bundles.extend(bundles_of(&page).map_err(|e| fail(&e))?);
            match next {
                Some(n) => url = n,
                None => return Ok(Some(bundles)),
            }
        }
    }
}

/// The inline bundles of one answer page.
fn bundles_of(page: &Value) -> std::result::Result<Vec<Value>, String> {
    let list = page["attestations"]
        .as_array()
        .ok_or("the answer has no \"attestations\" array")?;
    list.iter()
        .enumerate()
        .map(|(i, a)| match &a["bundle"] {
            Value::Object(_) => Ok(a["bundle"].clone()),
            _ => Err(format!(
                "attestation {i} carries no inline bundle (only a bundle_url, which this \
                 client does not download)"
            )),
        })
        .collect()
}

/// The `rel="next"` target of a `Link` header (RFC 8288), as GitHub pages.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let link = headers.get(reqwest::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// Percent-encode a query value (predicate types are URLs).
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Bundles as JSON Lines, one compact bundle a line: the file format that
/// `gh attestation download` writes and `verify-bundle --bundle` reads.
pub fn to_json_lines(bundles: &[Value]) -> String {
    bundles.iter().map(|b| format!("{b}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_follows_rel_next_only() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::LINK,
            "<https://api.github.com/x?after=a>; rel=\"prev\", <https://api.github.com/x?after=b>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/x?after=b")
        );
        h.insert(
            reqwest::header::LINK,
            "<https://x>; rel=\"prev\"".parse().unwrap(),
        );
        assert_eq!(next_link(&h), None);
    }

    #[test]
    fn bundle_url_only_is_refused() {
        let page =
            serde_json::json!({"attestations": [{"bundle": null, "bundle_url": "https://x"}]});
        assert!(bundles_of(&page).unwrap_err().contains("bundle_url"));
    }

    #[test]
    fn predicate_types_are_encoded() {
        assert_eq!(
            percent_encode("https://slsa.dev/provenance/v1"),
            "https%3A%2F%2Fslsa.dev%2Fprovenance%2Fv1"
        );
    }
}
