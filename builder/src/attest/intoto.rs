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

pub use slsa_aibom_verify::intoto::release::{ATTEST, DIR, KEY, LAYOUT, TRAIN};
/// How long the layout stays valid, in days (about five years).
const LAYOUT_DAYS: i64 = 5 * 365;

/// The in-toto files of one build, `(path relative to the output directory, contents)`.
pub struct InTotoFiles {
    functionary: Functionary,
    /// The ML-BOM's references to the layout and the training link.
    references: Vec<ExternalReference>,
    /// Files written so far.
    pub files: Vec<(String, String)>,
}

fn err(e: impl std::fmt::Display) -> BuildError {
    BuildError::Sign(format!("in-toto: {e}"))
}

/// In-toto artifacts from `(name, hex sha256)` pairs.
fn artifacts<S: AsRef<str>>(
    files: impl IntoIterator<Item = (String, S)>,
) -> Result<BTreeMap<VirtualTargetPath, TargetDescription>> {
    files
        .into_iter()
        .map(|(name, sha256)| {
            let value = hex::decode(sha256.as_ref()).map_err(err)?;
            let hashes = TargetDescription::from([(HashAlgorithm::Sha256, HashValue::new(value))]);
            Ok((VirtualTargetPath::from(name.as_str()), hashes))
        })
        .collect()
}

/// What the in-toto links of a build name, whichever tier trained.
pub struct Steps<'a> {
    /// The command the training step ran (recorded, and expected by the
    /// layout).
    pub train_command: Vec<String>,
    /// Its materials, relative to the job file's directory: `(name, sha256)`.
    pub materials: Vec<(String, &'a str)>,
    /// Its products, relative to the output directory.
    pub products: Vec<(String, &'a str)>,
    /// The run they belong to.
    pub invocation_id: &'a str,
}

impl<'a> Steps<'a> {
    /// The Rust tier's steps: `slsa-aibom-build train --job JOB` read the job
    /// and its data and wrote the model and the byproducts.
    pub fn of(record: &'a BuildRecord) -> Self {
        Steps {
            train_command: vec![
                "slsa-aibom-build".to_string(),
                "train".into(),
                "--job".into(),
                record.job.path.clone(),
            ],
            materials: train_materials(record),
            products: products(&record.model_files, &record.byproducts),
            invocation_id: &record.invocation_id,
        }
    }
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
pub fn products<'a>(
    model_files: &'a [OutputFile],
    byproducts: &'a [OutputFile],
) -> Vec<(String, &'a str)> {
    model_files
        .iter()
        .map(|f| {
            (
                format!("{}/{}", crate::layout::MODEL_DIR, f.path),
                f.sha256.as_str(),
            )
        })
        .chain(
            byproducts
                .iter()
                .map(|f| (f.path.clone(), f.sha256.as_str())),
        )
        .collect()
}

/// Each link's environment: the run it belongs to.
fn environment(steps: &Steps<'_>) -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::from([(
        "invocation_id".to_string(),
        steps.invocation_id.to_string(),
    )]))
}

fn attest_command() -> Command {
    Command::from("slsa-aibom-build attest")
}

/// The ML-BOM's reference to an in-toto file.
fn reference(path: &str, text: &str, comment: &str) -> ExternalReference {
    ExternalReference {
        url: path.into(),
        kind: "attestation".into(),
        comment: Some(comment.into()),
        hashes: vec![Hash::sha256(hex::encode(Sha256::digest(text.as_bytes())))],
    }
}

impl InTotoFiles {
    /// A new functionary key, the layout and the training link for
    /// `steps` (whose products include the record itself).
    pub fn new(steps: &Steps<'_>) -> Result<Self> {
        let functionary = Functionary::generate()?;
        let key_id = functionary.public().key_id().clone();
        let (materials, products) = (steps.materials.clone(), steps.products.clone());
        let train_command = Command::from(steps.train_command.clone());
        let mut train = Step::new(TRAIN)
            .threshold(1)
            .add_key(key_id.clone())
            .expected_command(train_command.clone());
        for (name, _) in &materials {
            train = train
                .add_expected_material(ArtifactRule::Allow(VirtualTargetPath::from(name.as_str())));
        }
        train = train.add_expected_material(ArtifactRule::Disallow(VirtualTargetPath::from("*")));
        for (name, _) in &products {
            train = train
                .add_expected_product(ArtifactRule::Create(VirtualTargetPath::from(name.as_str())));
        }
        train = train.add_expected_product(ArtifactRule::Disallow(VirtualTargetPath::from("*")));
        let train_link = LinkMetadataBuilder::new()
            .name(TRAIN.into())
            .materials(artifacts(materials)?)
            .products(artifacts(products)?)
            .env(environment(steps))
            .command(train_command)
            .build()
            .map_err(err)?;
        let attest = Step::new(ATTEST)
            .threshold(1)
            .add_key(key_id)
            .expected_command(attest_command())
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
                steps.invocation_id
            ))
            .add_key(functionary.public().clone())
            .add_step(train)
            .add_step(attest)
            .build()
            .map_err(err)?;

        let (layout_path, layout_text) = (
            format!("{DIR}/{LAYOUT}"),
            functionary.sign(Box::new(layout))?,
        );
        let (link_path, link_text) = (
            format!("{DIR}/{TRAIN}.{}.link", functionary.key_id_prefix()),
            functionary.sign(Box::new(train_link))?,
        );
        let references = vec![
            reference(
                &layout_path,
                &layout_text,
                "in-toto layout of this build's steps",
            ),
            reference(&link_path, &link_text, "in-toto link of the training step"),
        ];
        let files = vec![
            (layout_path, layout_text),
            (link_path, link_text),
            (format!("{DIR}/{KEY}"), functionary.public_pem()),
        ];
        Ok(InTotoFiles {
            functionary,
            references,
            files,
        })
    }

    /// The ML-BOM's references to the layout and the training link.
    pub fn references(&self) -> Vec<ExternalReference> {
        self.references.clone()
    }

    /// Add the signing step's link: its materials are the training step's
    /// products (`steps`), its products the signed `outputs`, as `(path
    /// relative to the output directory, contents)`.
    pub fn add_attest_link(
        &mut self,
        steps: &Steps<'_>,
        outputs: &[(String, String)],
    ) -> Result<()> {
        let products = outputs
            .iter()
            .map(|(path, text)| (path.clone(), hex::encode(Sha256::digest(text.as_bytes()))));
        let link = LinkMetadataBuilder::new()
            .name(ATTEST.into())
            .materials(artifacts(steps.products.clone())?)
            .products(artifacts(products)?)
            .env(environment(steps))
            .command(attest_command())
            .build()
            .map_err(err)?;
        let name = format!("{DIR}/{ATTEST}.{}.link", self.functionary.key_id_prefix());
        self.files
            .push((name, self.functionary.sign(Box::new(link))?));
        Ok(())
    }
}
