//! in-toto evidence of a build, in the classic link and layout format that
//! Python's `in-toto-verify` reads: a link for the training step, a link for
//! the signing step, and the layout of the two.
//!
//! A fresh Ed25519 functionary key signs all three; only its public key
//! (`intoto/functionary.pub`) is written. The signed ML-BOM references the
//! layout and the training link by sha256, so the build's Sigstore identity
//! vouches for the layout, the layout for the key, and the key for the links.
//!
//! Materials of the training step are named relative to the job file's
//! directory (the job and its data); products relative to the output
//! directory (`model/...` and the byproducts).

use super::record::{BuildRecord, OutputFile};
use crate::cyclonedx::{ExternalReference, Hash};
use crate::error::{BuildError, Result};
use in_toto::crypto::{HashAlgorithm, HashValue};
use in_toto::models::rule::{Artifact, ArtifactRule};
use in_toto::models::step::{Command, Step};
use in_toto::models::{
    LayoutMetadataBuilder, LinkMetadataBuilder, TargetDescription, VirtualTargetPath,
};
use sha2::{Digest as _, Sha256};
use slsa_aibom_verify::intoto::Functionary;
use std::collections::BTreeMap;

/// The folder of the in-toto files in the output directory.
pub const DIR: &str = "intoto";
/// The layout, inside [`DIR`].
pub const LAYOUT: &str = "root.layout";
/// The functionary's public key, inside [`DIR`].
pub const KEY: &str = "functionary.pub";
/// The training step.
pub const TRAIN: &str = "train";
/// The signing step.
pub const ATTEST: &str = "attest";
/// How long the layout stays valid, in days (about five years).
const LAYOUT_DAYS: i64 = 5 * 365;

/// The in-toto files of one build, `(path relative to the output directory, contents)`.
pub struct InTotoFiles {
    functionary: Functionary,
    /// Files written so far.
    pub files: Vec<(String, String)>,
}

fn err(e: impl std::fmt::Display) -> BuildError {
    BuildError::Sign(format!("in-toto: {e}"))
}

fn artifacts<'a>(
    files: impl IntoIterator<Item = (String, &'a str)>,
) -> Result<BTreeMap<VirtualTargetPath, TargetDescription>> {
    files
        .into_iter()
        .map(|(name, sha256)| {
            let value = hex::decode(sha256).map_err(err)?;
            let hashes = TargetDescription::from([(HashAlgorithm::Sha256, HashValue::new(value))]);
            Ok((VirtualTargetPath::from(name.as_str()), hashes))
        })
        .collect()
}

/// The training step's materials: the job file and the data it read.
fn train_materials(record: &BuildRecord) -> Vec<(String, &str)> {
    let job = std::path::Path::new(&record.job.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| record.job.path.clone());
    let mut out = vec![(job, record.job.sha256.as_str())];
    out.extend(
        record
            .data_files
            .iter()
            .chain(&record.croissant)
            .map(|f| (f.name.clone(), f.sha256.as_str())),
    );
    out.extend(
        record
            .base_model
            .iter()
            .map(|b| (b.path.clone(), b.sha256.as_str())),
    );
    out
}

/// The training step's products: the model files and the byproducts.
fn train_products(record: &BuildRecord) -> Vec<(String, &str)> {
    record
        .model_files
        .iter()
        .map(|f| {
            (
                format!("{}/{}", crate::layout::MODEL_DIR, f.path),
                f.sha256.as_str(),
            )
        })
        .chain(
            record
                .byproducts
                .iter()
                .map(|f| (f.path.clone(), f.sha256.as_str())),
        )
        .collect()
}

fn train_command(record: &BuildRecord) -> Command {
    Command::from(vec![
        "slsa-aibom-build".to_string(),
        "train".into(),
        "--job".into(),
        record.job.path.clone(),
    ])
}

impl InTotoFiles {
    /// A new functionary key, the layout and the training link for `record`
    /// (whose byproducts include the build record itself).
    pub fn new(record: &BuildRecord) -> Result<Self> {
        let functionary = Functionary::generate()?;
        let key_id = functionary.public().key_id().clone();
        let env = BTreeMap::from([("invocation_id".to_string(), record.invocation_id.clone())]);
        let train_link = LinkMetadataBuilder::new()
            .name(TRAIN.into())
            .materials(artifacts(train_materials(record))?)
            .products(artifacts(train_products(record))?)
            .env(Some(env.clone()))
            .command(train_command(record))
            .build()
            .map_err(err)?;

        let mut train = Step::new(TRAIN)
            .threshold(1)
            .add_key(key_id.clone())
            .expected_command(train_command(record));
        for (name, _) in train_materials(record) {
            train = train
                .add_expected_material(ArtifactRule::Allow(VirtualTargetPath::from(name.as_str())));
        }
        train = train.add_expected_material(ArtifactRule::Disallow(VirtualTargetPath::from("*")));
        for (name, _) in train_products(record) {
            train = train
                .add_expected_product(ArtifactRule::Create(VirtualTargetPath::from(name.as_str())));
        }
        train = train.add_expected_product(ArtifactRule::Disallow(VirtualTargetPath::from("*")));
        let attest = Step::new(ATTEST)
            .threshold(1)
            .add_key(key_id)
            .expected_command(Command::from("slsa-aibom-build attest"))
            .add_expected_material(ArtifactRule::Match {
                pattern: VirtualTargetPath::from("*"),
                in_src: None,
                with: Artifact::Products,
                in_dst: None,
                from: TRAIN.into(),
            })
            .add_expected_material(ArtifactRule::Disallow(VirtualTargetPath::from("*")))
            .add_expected_product(ArtifactRule::Create(VirtualTargetPath::from("*")));
        let expires = chrono::DateTime::from_timestamp(
            jiff::Timestamp::now().as_second() + LAYOUT_DAYS * 86_400,
            0,
        )
        .ok_or_else(|| err("layout expiry out of range"))?;
        let layout = LayoutMetadataBuilder::new()
            .expires(expires)
            .readme(format!(
                "slsa-aibom-build: {TRAIN} (job and data to model), then {ATTEST} (model to signed attestations), run {}",
                record.invocation_id
            ))
            .add_key(functionary.public().clone())
            .add_step(train)
            .add_step(attest)
            .build()
            .map_err(err)?;

        let prefix = functionary.key_id_prefix();
        let files = vec![
            (
                format!("{DIR}/{LAYOUT}"),
                functionary.sign(Box::new(layout))?,
            ),
            (
                format!("{DIR}/{TRAIN}.{prefix}.link"),
                functionary.sign(Box::new(train_link))?,
            ),
            (format!("{DIR}/{KEY}"), functionary.public_pem()),
        ];
        Ok(InTotoFiles { functionary, files })
    }

    /// The ML-BOM's references to the layout and the training link.
    pub fn references(&self) -> Vec<ExternalReference> {
        self.files
            .iter()
            .filter(|(p, _)| !p.ends_with(KEY))
            .map(|(p, text)| ExternalReference {
                url: p.clone(),
                kind: "attestation".into(),
                comment: Some(if p.ends_with(LAYOUT) {
                    "in-toto layout of this build's steps".into()
                } else {
                    "in-toto link of the training step".into()
                }),
                hashes: vec![Hash::sha256(hex::encode(Sha256::digest(text.as_bytes())))],
            })
            .collect()
    }

    /// Add the signing step's link: its materials are the training step's
    /// products (`record`), its products the signed `outputs`.
    pub fn add_attest_link(&mut self, record: &BuildRecord, outputs: &[OutputFile]) -> Result<()> {
        let link = LinkMetadataBuilder::new()
            .name(ATTEST.into())
            .materials(artifacts(train_products(record))?)
            .products(artifacts(
                outputs.iter().map(|f| (f.path.clone(), f.sha256.as_str())),
            )?)
            .env(Some(BTreeMap::from([(
                "invocation_id".to_string(),
                record.invocation_id.clone(),
            )])))
            .command(Command::from("slsa-aibom-build attest"))
            .build()
            .map_err(err)?;
        let name = format!("{DIR}/{ATTEST}.{}.link", self.functionary.key_id_prefix());
        self.files
            .push((name, self.functionary.sign(Box::new(link))?));
        Ok(())
    }
}
