//! A signed link, and whom it must be signed by.

use super::key::public_keys;
use super::layout::{functionaries, signed_layout, unexpired};
use super::{load, public_key_from_pem};
use crate::check_id::CheckId;
use crate::checks::Checks;
use crate::error::{Error, Result};
use in_toto::crypto::PublicKey;
use in_toto::models::{LayoutMetadata, LinkMetadata, Metablock, MetadataWrapper};
use std::path::{Path, PathBuf};

/// Whom a link must be signed by.
#[derive(Debug, Clone)]
pub enum LinkTrust {
    /// The functionary's public key (PEM), from outside the release: a key
    /// in the link's own folder is refused.
    Key(PathBuf),
    /// The functionary's public key (PEM) where the caller has already
    /// verified that a signed ML-BOM pins the layout listing it (as
    /// [`crate::release::verify_release`] does); it may lie beside the link.
    Pinned(PathBuf),
    /// The functionaries that a layout, signed by every one of `keys`,
    /// authorises for the link's step.
    Layout {
        /// The layout.
        layout: PathBuf,
        /// Public keys (PEM) that must each have signed the layout.
        keys: Vec<PathBuf>,
    },
}

impl LinkTrust {
    /// How the report names this trust.
    pub fn describe(&self) -> String {
        match self {
            LinkTrust::Key(k) => {
                format!(
                    "functionary key {} (given from outside the release)",
                    k.display()
                )
            }
            LinkTrust::Pinned(k) => {
                format!(
                    "functionary key {} (pinned by a verified ML-BOM)",
                    k.display()
                )
            }
            LinkTrust::Layout { layout, .. } => format!("layout {}", layout.display()),
        }
    }
}

/// Verify the link at `path` under `trust`; returns its metadata.
pub(crate) fn verify_link(
    path: &Path,
    trust: &LinkTrust,
    checks: &mut Checks,
) -> Result<LinkMetadata> {
    let loaded = load(path)?;
    let signers: Vec<PublicKey> = match trust {
        LinkTrust::Key(key) => {
            super::key_from_outside(key, path)?;
            vec![public_key_from_pem(key)?]
        }
        LinkTrust::Pinned(key) => vec![public_key_from_pem(key)?],
        LinkTrust::Layout { layout, keys } => {
            for key in keys {
                super::key_from_outside(key, layout)?;
            }
            let layout = signed_layout(&load(layout)?, &public_keys(keys)?, checks)?;
            unexpired(&layout, checks)?;
            step_signers(&layout, &loaded.block)?
        }
    };
    signed_link(&loaded.block, &signers, checks)
}

/// The link in `block`, after checking that one of `signers` signed it.
pub(crate) fn signed_link(
    block: &Metablock,
    signers: &[PublicKey],
    checks: &mut Checks,
) -> Result<LinkMetadata> {
    let ids: Vec<String> = signers.iter().map(|k| k.key_id().prefix()).collect();
    let verified = block
        .verify(1, signers)
        .map_err(|e| Error::Crypto(format!("link signature: {e}")))
        .and_then(|m| match m {
            MetadataWrapper::Link(link) => Ok(link),
            MetadataWrapper::Layout(_) => Err(Error::Input("this is a layout, not a link".into())),
        });
    checks.record(
        CheckId::LinkSignature,
        Some(format!("one of {}", ids.join(", "))),
        None,
        "signed by an authorised functionary",
        verified,
    )
}

/// The link in `block`, not yet verified (to read what to verify it with).
pub(crate) fn unverified_link(block: &Metablock) -> Result<&LinkMetadata> {
    match &block.metadata {
        MetadataWrapper::Link(link) => Ok(link),
        MetadataWrapper::Layout(_) => Err(Error::Input("this is a layout, not a link".into())),
    }
}

/// The functionaries `layout` authorises for the step the link in `block`
/// claims to be.
pub(crate) fn step_signers(layout: &LayoutMetadata, block: &Metablock) -> Result<Vec<PublicKey>> {
    let name = &unverified_link(block)?.name;
    let step = layout
        .steps
        .iter()
        .find(|s| &s.name == name)
        .ok_or_else(|| Error::Policy(format!("the layout has no step {name:?}")))?;
    Ok(functionaries(layout, &step.pub_keys))
}
