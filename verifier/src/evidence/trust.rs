//! Trusted roots: the embedded Sigstore instances and roots loaded from files.
//!
//! Verification never touches the network. Public-good, GitHub's private
//! instance and staging are compiled in (from `sigstore-trust-root`); any
//! other root (custom, air-gapped) is loaded with [`TrustRoot::from_file`].

use crate::error::{Error, Result};
use sigstore_trust_root::{
    TrustedRoot, SIGSTORE_GITHUB_TRUSTED_ROOT, SIGSTORE_PRODUCTION_TRUSTED_ROOT,
    SIGSTORE_STAGING_TRUSTED_ROOT,
};
use std::path::Path;

/// An embedded Sigstore instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Instance {
    /// The Sigstore public-good instance (Fulcio + Rekor + CT + TSA).
    #[default]
    PublicGood,
    /// GitHub's private instance: Fulcio and a TSA, no transparency log.
    GitHub,
    /// The Sigstore staging instance (for testing only).
    Staging,
}

impl Instance {
    /// Parse `public-good`, `github` or `staging`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "public-good" => Ok(Instance::PublicGood),
            "github" => Ok(Instance::GitHub),
            "staging" => Ok(Instance::Staging),
            other => Err(Error::Input(format!(
                "unknown Sigstore instance {other:?}: expected public-good, github or staging"
            ))),
        }
    }

    fn json(self) -> &'static str {
        match self {
            Instance::PublicGood => SIGSTORE_PRODUCTION_TRUSTED_ROOT,
            Instance::GitHub => SIGSTORE_GITHUB_TRUSTED_ROOT,
            Instance::Staging => SIGSTORE_STAGING_TRUSTED_ROOT,
        }
    }

    /// `public-good`, `github` or `staging`.
    pub fn name(self) -> &'static str {
        match self {
            Instance::PublicGood => "public-good",
            Instance::GitHub => "github",
            Instance::Staging => "staging",
        }
    }
}

/// A trusted root ready for verification, with where it came from.
#[derive(Debug, Clone)]
pub struct TrustRoot {
    /// The parsed root.
    pub root: TrustedRoot,
    /// `embedded:public-good`, or the file it was read from.
    pub origin: String,
}

impl TrustRoot {
    /// One of the embedded instances.
    pub fn embedded(instance: Instance) -> Self {
        let root = TrustedRoot::from_json(instance.json())
            .expect("embedded trusted roots are valid JSON shipped with sigstore-trust-root");
        TrustRoot {
            root,
            origin: format!("embedded:{}", instance.name()),
        }
    }

    /// A trusted root JSON file (`trusted_root.json`, media type
    /// `application/vnd.dev.sigstore.trustedroot+json`).
    pub fn from_file(path: &Path) -> Result<Self> {
        let json =
            crate::bounded_read::read_text(path, crate::bounded_read::SMALL_LIMIT, "trusted root")?;
        let invalid = |e: &dyn std::fmt::Display| {
            Error::Input(format!("trusted root {} is not valid: {e}", path.display()))
        };
        crate::json::check_unique_keys(json.as_bytes()).map_err(|e| invalid(&e))?;
        let root = TrustedRoot::from_json(&json).map_err(|e| invalid(&e))?;
        Ok(TrustRoot {
            root,
            origin: path.display().to_string(),
        })
    }

    /// The embedded instance this root is, if it is one unchanged.
    pub fn instance(&self) -> Option<Instance> {
        Instance::parse(self.origin.strip_prefix("embedded:")?).ok()
    }

    /// Whether this root names any transparency log. GitHub's private
    /// instance has none and relies on RFC 3161 timestamps alone.
    pub fn has_transparency_log(&self) -> bool {
        !self.root.tlogs.is_empty()
    }

    /// Whether this root names any certificate-transparency log.
    pub fn has_ct_log(&self) -> bool {
        !self.root.ctlogs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_roots_load() {
        for i in [Instance::PublicGood, Instance::GitHub, Instance::Staging] {
            let r = TrustRoot::embedded(i);
            assert!(!r.root.certificate_authorities.is_empty(), "{i:?}");
        }
        assert!(!TrustRoot::embedded(Instance::GitHub).has_transparency_log());
        assert!(TrustRoot::embedded(Instance::PublicGood).has_transparency_log());
    }

    #[test]
    fn bad_instance_and_file_are_input_errors() {
        assert!(matches!(Instance::parse("prod"), Err(Error::Input(_))));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("root.json");
        std::fs::write(&p, "{not json").unwrap();
        assert!(matches!(TrustRoot::from_file(&p), Err(Error::Input(_))));
    }
}
