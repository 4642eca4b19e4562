//! Source repositories and owners, as a policy names them and as a
//! certificate states them (`.1.12`, `.1.16`, deprecated `.1.5`), in one
//! normal form so that both sides compare the same way: scheme and host
//! are kept (a GitLab repository never stands in for a GitHub one), owner
//! and name are case-insensitive, and a trailing `/` or `.git` is dropped.

use crate::error::{Error, Result};
use std::fmt;

/// GitHub's web host: a bare `OWNER/NAME` or `OWNER` means a repository or
/// an owner there.
pub const GITHUB_HOST: &str = "github.com";

/// A repository (`OWNER/NAME`) or an owner (`OWNER`) on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUrl {
    scheme: String,
    host: String,
    /// Lower-case path segments: `[owner, name]` or `[owner]`.
    segments: Vec<String>,
}

impl RepoUrl {
    /// Parse `https://HOST/OWNER/NAME` (or a bare `OWNER/NAME`, meaning
    /// GitHub) as a repository.
    pub fn repository(text: &str) -> Result<Self> {
        Self::parse(
            text,
            2,
            "a repository (OWNER/NAME or https://HOST/OWNER/NAME)",
        )
    }

    /// Parse `https://HOST/OWNER` (or a bare `OWNER`, meaning GitHub) as an
    /// owner.
    pub fn owner(text: &str) -> Result<Self> {
        Self::parse(text, 1, "an owner (NAME or https://HOST/NAME)")
    }

    fn parse(text: &str, depth: usize, what: &str) -> Result<Self> {
        let bad = || Error::Input(format!("{text:?} is not {what}"));
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_string(), text),
        };
        if scheme != "https" && scheme != "http" {
            return Err(bad());
        }
        let rest = rest.trim_end_matches('/');
        let mut parts: Vec<&str> = rest.split('/').collect();
        let host = if text.contains("://") {
            parts.remove(0).to_ascii_lowercase()
        } else {
            GITHUB_HOST.to_string()
        };
        if let Some(last) = parts.last_mut() {
            if depth == 2 {
                *last = last.strip_suffix(".git").unwrap_or(last);
            }
        }
        let valid = |s: &&str| {
            !s.is_empty()
                && *s != "."
                && *s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && !b"?#@:%\\".contains(&b))
        };
        if host.is_empty() || parts.len() != depth || !parts.iter().all(valid) {
            return Err(bad());
        }
        Ok(RepoUrl {
            scheme,
            host,
            segments: parts.iter().map(|s| s.to_ascii_lowercase()).collect(),
        })
    }

    /// Whether it is on GitHub (`https://github.com`).
    pub fn is_github(&self) -> bool {
        self.scheme == "https" && self.host == GITHUB_HOST
    }

    /// The host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The owner of a repository (itself for an owner).
    pub fn owner_of(&self) -> RepoUrl {
        RepoUrl {
            segments: self.segments[..1].to_vec(),
            ..self.clone()
        }
    }
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}/{}",
            self.scheme,
            self.host,
            self.segments.join("/")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(s: &str) -> RepoUrl {
        RepoUrl::repository(s).unwrap()
    }

    #[test]
    fn one_normal_form_for_both_sides() {
        let want = repo("https://github.com/Sigstore/Sigstore-JS");
        for same in [
            "sigstore/sigstore-js",
            "https://github.com/sigstore/sigstore-js/",
            "https://GitHub.com/sigstore/sigstore-js.git",
        ] {
            assert_eq!(repo(same), want, "{same}");
        }
        for other in [
            "https://evil.example/sigstore/sigstore-js",
            "https://gitlab.com/sigstore/sigstore-js",
            "http://github.com/sigstore/sigstore-js",
            "sigstore/sigstore-js2",
        ] {
            assert_ne!(repo(other), want, "{other}");
        }
        assert!(want.is_github());
        assert_eq!(want.host(), "github.com");
        assert_eq!(repo("https://GitLab.com/o/r").host(), "gitlab.com");
        assert_eq!(want.to_string(), "https://github.com/sigstore/sigstore-js");
        assert_eq!(want.owner_of(), RepoUrl::owner("SIGSTORE").unwrap());
    }

    #[test]
    fn malformed_names_are_refused() {
        for bad in [
            "",
            "sigstore",
            "a/b/c",
            "https://github.com/a",
            "ftp://github.com/a/b",
            "https:///a/b",
            "a/../b",
            "a//b",
            "a/b?x=1",
            "user@github.com:a/b",
        ] {
            assert!(RepoUrl::repository(bad).is_err(), "{bad:?}");
        }
        assert!(RepoUrl::owner("a/b").is_err());
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn spellings(owner: &str, name: &str) -> Vec<String> {
            vec![
                format!("{owner}/{name}"),
                format!("{}/{}", owner.to_uppercase(), name.to_uppercase()),
                format!("https://github.com/{owner}/{name}"),
                format!("https://GITHUB.com/{owner}/{name}/"),
                format!("https://github.com/{owner}/{name}.git"),
            ]
        }

        proptest! {
            #[test]
            fn every_spelling_of_a_repository_is_one_repository(
                owner in "[a-zA-Z0-9][a-zA-Z0-9-]{0,12}",
                name in "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,12}",
                host in "[a-z]{1,8}\\.(example|org)",
            ) {
                prop_assume!(name != "." && name != ".." && !name.ends_with(".git"));
                let want = RepoUrl::repository(&format!("{owner}/{name}")).unwrap();
                for s in spellings(&owner, &name) {
                    prop_assert_eq!(RepoUrl::repository(&s).unwrap(), want.clone(), "{}", s);
                }
                let elsewhere = RepoUrl::repository(&format!("https://{host}/{owner}/{name}")).unwrap();
                prop_assert_ne!(elsewhere.clone(), want.clone());
                prop_assert!(!elsewhere.is_github());
                prop_assert_eq!(want.owner_of(), RepoUrl::owner(&owner).unwrap());
            }

            #[test]
            fn parsing_never_panics(text in "\\PC{0,40}") {
                let _ = RepoUrl::repository(&text);
                let _ = RepoUrl::owner(&text);
            }
        }
    }
}
