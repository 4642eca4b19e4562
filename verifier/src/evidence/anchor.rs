//! What signatures must chain to: a Sigstore trusted root, a public key
//! or a private PKI. The evidence layer's slice of [`crate::Policy`].

use crate::error::{Error, Result};
use crate::evidence::keys::PublicKey;
use crate::evidence::trust::{Instance, TrustRoot};

/// What signatures must chain to. One of three; no other combination can
/// be written.
#[derive(Debug, Clone)]
pub enum TrustAnchor {
    /// Fulcio certificates, with Rekor entries or RFC 3161 timestamps, of a
    /// Sigstore trusted root (the default: the embedded public-good root).
    Sigstore(TrustRoot),
    /// A public key. Log entries that a keyed bundle carries are checked
    /// against `log_root`.
    Key {
        /// The key.
        key: PublicKey,
        /// The trusted root of the logs a keyed bundle may name.
        log_root: TrustRoot,
    },
    /// Certificates that chain to a private PKI: DER certificates, the
    /// intermediates first and the root last.
    CertificateChain(Vec<Vec<u8>>),
}

impl TrustAnchor {
    /// The Sigstore trusted root in force: the root itself, or the one a
    /// key's log entries are checked against (`None` for a private PKI).
    pub fn trust_root(&self) -> Option<&TrustRoot> {
        match self {
            TrustAnchor::Sigstore(root) => Some(root),
            TrustAnchor::Key { log_root, .. } => Some(log_root),
            TrustAnchor::CertificateChain(_) => None,
        }
    }

    /// The supplied public key, if that is the anchor.
    pub fn key(&self) -> Option<&PublicKey> {
        match self {
            TrustAnchor::Key { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The private PKI's certificates, if that is the anchor.
    pub fn certificate_chain(&self) -> Option<&[Vec<u8>]> {
        match self {
            TrustAnchor::CertificateChain(chain) => Some(chain),
            _ => None,
        }
    }

    /// Where trust comes from, for reports.
    pub fn describe(&self) -> String {
        match self {
            TrustAnchor::Sigstore(root) => root.origin.clone(),
            TrustAnchor::Key { log_root, .. } => format!(
                "supplied public key (log entries against {})",
                log_root.origin
            ),
            TrustAnchor::CertificateChain(chain) => {
                format!("private PKI: {} supplied certificate(s)", chain.len())
            }
        }
    }

    /// A public key, with the embedded public-good root for any log entries.
    pub fn public_key(key: PublicKey) -> TrustAnchor {
        TrustAnchor::default().with_key(key)
    }

    /// This anchor's key trusted instead, keeping the trusted root for
    /// the logs a keyed bundle may name.
    pub fn with_key(&self, key: PublicKey) -> TrustAnchor {
        TrustAnchor::Key {
            key,
            log_root: self
                .trust_root()
                .cloned()
                .unwrap_or_else(|| TrustRoot::embedded(Instance::PublicGood)),
        }
    }
}

impl Default for TrustAnchor {
    fn default() -> Self {
        TrustAnchor::Sigstore(TrustRoot::embedded(Instance::PublicGood))
    }
}

impl TrustAnchor {
    /// The Sigstore trusted root of a Sigstore or key anchor (a private PKI
    /// has none: its evidence never reaches the Sigstore checks).
    pub(crate) fn sigstore_root(&self) -> Result<&TrustRoot> {
        self.trust_root().ok_or_else(|| {
            Error::Input(
                "the policy trusts a private PKI, which has no Sigstore trusted root".into(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_anchor_says_what_it_trusts() {
        let root = TrustRoot::embedded(Instance::GitHub);
        let key = PublicKey::from_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed/key.pub"),
        )
        .unwrap();
        let sigstore = TrustAnchor::Sigstore(root.clone());
        assert_eq!(sigstore.trust_root().unwrap().origin, root.origin);
        assert!(sigstore.key().is_none() && sigstore.certificate_chain().is_none());
        // A key keeps the root its bundles' log entries are checked against.
        let keyed = sigstore.with_key(key);
        assert!(keyed.key().is_some());
        assert_eq!(keyed.trust_root().unwrap().origin, root.origin);
        assert!(keyed
            .describe()
            .starts_with("supplied public key (log entries against"));
        let pki = TrustAnchor::CertificateChain(vec![vec![0x30]]);
        assert!(pki.trust_root().is_none() && pki.key().is_none());
        assert_eq!(pki.describe(), "private PKI: 1 supplied certificate(s)");
        assert!(pki.sigstore_root().is_err());
    }
}
