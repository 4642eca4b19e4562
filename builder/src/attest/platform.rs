//! What the signing job knows from the platform rather than from the train
//! runner, and how it holds the train runner's record to it before signing.
//!
//! The train job may run on the tenant's own machine, so `build-record.json`
//! is the train runner's word. The signing job (GitHub-hosted) has three
//! sources of its own: the build definition `detect` wrote before any
//! training (job digest, expected input digests, the workflow's inputs), the
//! Jobs API's record of the train job (runner, start and end), and its own
//! run (the invocation). It also has the trainer binary it was handed. The
//! record must agree with each; the provenance then takes the invocation
//! and the times from the platform.

use super::record::BuildRecord;
use super::signing_check::SigningCheck;
use super::train_runner::TrainRunner;
use crate::definition::BuildDefinition;
use crate::environment::TrainerInfo;
use crate::error::{BuildError, Result};

/// The platform's facts about this run.
#[derive(Debug, Clone)]
pub struct Platform {
    /// The build definition `detect` fixed.
    pub definition: BuildDefinition,
    /// The train job, from the Jobs API.
    pub runner: TrainRunner,
    /// This run and attempt, from the signing job's environment.
    pub invocation_id: String,
    /// The trainer binary the signing job was handed (its own): its
    /// digest, its `Cargo.lock` and the locked packages.
    pub trainer: TrainerInfo,
}

impl Platform {
    /// The platform's facts in a GitHub Actions signing job. The trainer
    /// is this binary, or `trainer_binary` when the workflow built the train
    /// job a trainer of its own (the CUDA build, from the same sources).
    pub fn from_env(
        definition: BuildDefinition,
        runner: TrainRunner,
        trainer_binary: Option<&std::path::Path>,
    ) -> Result<Self> {
        let invocation_id = crate::environment::runner::github_invocation_id().ok_or_else(|| {
            BuildError::Sign(
                "GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID must be set in the signing job".into(),
            )
        })?;
        Ok(Platform {
            definition,
            runner,
            invocation_id,
            trainer: match trainer_binary {
                Some(path) => TrainerInfo::of_binary(path)?,
                None => TrainerInfo::capture()?,
            },
        })
    }

    /// Check the train runner's `record` against the platform, and return
    /// it as it will be signed: with this run's invocation ID, the Jobs
    /// API's start and end times, and the signing job's own description of
    /// the trainer (version and locked packages: what the ML-BOM lists as
    /// frameworks), which the record's digests were just shown to match.
    pub fn vouch(&self, record: &BuildRecord) -> Result<BuildRecord> {
        let def = &self.definition;
        let job_path = def.job.display().to_string();
        if record.job.sha256 != def.job_sha256 || record.job.path != job_path {
            return Err(SigningCheck::DefinitionJob.refuse(format!(
                    "the record trained {} (sha256 {}), the build definition fixed {job_path} (sha256 {})",
                    record.job.path, record.job.sha256, def.job_sha256
                ),
            ));
        }
        let inputs: Vec<&str> = std::iter::once(record.job.sha256.as_str())
            .chain(record.data_files.iter().map(|f| f.sha256.as_str()))
            .chain(record.croissant.iter().map(|c| c.sha256.as_str()))
            .chain(record.base_model.iter().map(|b| b.sha256.as_str()))
            .chain(record.pretrained.iter().flat_map(|p| {
                std::iter::once(p.manifest_sha256.as_str())
                    .chain(p.files.iter().map(|f| f.sha256.as_str()))
            }))
            .collect();
        if let Some((path, want)) = def
            .expected_digests
            .iter()
            .find(|(_, want)| !inputs.contains(&want.as_str()))
        {
            return Err(SigningCheck::DefinitionExpectedDigests.refuse(format!(
                    "the caller expected {} with sha256 {want}, and the record lists no input with that digest",
                    path.display()
                ),
            ));
        }
        let (spec, checked) = self.spec_and_lineage(record)?;
        let (said, own) = (&record.environment.trainer, &self.trainer);
        if said.binary_sha256 != own.binary_sha256 {
            return Err(SigningCheck::Trainer.refuse(format!(
                    "the record says the trainer binary had sha256 {}, the binary the workflow built has {}",
                    said.binary_sha256, own.binary_sha256
                ),
            ));
        }
        if said.cargo_lock_sha256 != own.cargo_lock_sha256 {
            return Err(SigningCheck::Trainer.refuse(format!(
                    "the record says the trainer was built from Cargo.lock sha256 {}, this builder's is {}",
                    said.cargo_lock_sha256, own.cargo_lock_sha256
                ),
            ));
        }
        if record.invocation_id != self.invocation_id {
            return Err(SigningCheck::Invocation.refuse(format!(
                "the record names invocation {}, this run is {}",
                record.invocation_id, self.invocation_id
            )));
        }
        let (start, end) = (
            timestamp(&self.runner.started_at, "the train job's start")?,
            timestamp(&self.runner.completed_at, "the train job's end")?,
        );
        let (rec_start, rec_end) = (
            timestamp(&record.started_on, "the record's startedOn")?,
            timestamp(&record.finished_on, "the record's finishedOn")?,
        );
        // The record's clock may round to the second.
        let slack = jiff::SignedDuration::from_secs(1);
        if rec_start < start - slack || rec_end > end + slack || rec_start > rec_end {
            return Err(SigningCheck::Times.refuse(format!(
                    "the record says training ran {} to {}, outside the train job's {} to {} (Jobs API)",
                    record.started_on, record.finished_on, self.runner.started_at, self.runner.completed_at
                ),
            ));
        }
        let mut vouched = record.clone();
        vouched.job.spec = spec;
        // Only this job says it checked: whatever the runner wrote is dropped.
        if let Some(base) = vouched.pretrained.as_mut() {
            base.verification.checked_by =
                checked.then(|| super::lineage_check::SIGNING_JOB.into());
        }
        vouched.started_on = self.runner.started_at.clone();
        vouched.finished_on = self.runner.completed_at.clone();
        vouched.environment.trainer = own.clone();
        Ok(vouched)
    }
}

impl Platform {
    /// The job spec `detect` read from the caller's commit (the train
    /// runner's copy must equal it, and only it is signed), its base-model
    /// pins held, and whether this job verified the base model's signature
    /// itself.
    fn spec_and_lineage(&self, record: &BuildRecord) -> Result<(crate::spec::JobSpec, bool)> {
        let def = &self.definition;
        let spec = def
            .embedded_spec()
            .map_err(|e| SigningCheck::DefinitionSpec.refuse(e.to_string()))?;
        if spec != record.job.spec {
            return Err(SigningCheck::DefinitionSpec.refuse("the record's job spec differs from the job file detect read from the caller's commit"
            ));
        }
        base_model_pins_hold(&spec, record)?;
        let checked = match (&spec.model.pretrained, &record.pretrained) {
            (Some(pins), Some(base)) => {
                super::lineage_check::reverify(pins, def.lineage.as_ref(), base)?
            }
            _ => false,
        };
        Ok((spec, checked))
    }
}

/// The base model the record describes has the digests the job spec (as
/// detect read it) pins, and a base model is recorded exactly when the spec
/// fine-tunes one.
fn base_model_pins_hold(spec: &crate::spec::JobSpec, record: &BuildRecord) -> Result<()> {
    let Some(pins) = &spec.model.pretrained else {
        if record.pretrained.is_some() {
            return Err(SigningCheck::BaseModel
                .refuse("the record describes a pretrained model, and the job fine-tunes none"));
        }
        return Ok(());
    };
    let Some(base) = &record.pretrained else {
        return Err(SigningCheck::BaseModel
            .refuse("the job fine-tunes a pretrained model, and the record describes none"));
    };
    let file = |name: &str| {
        base.files
            .iter()
            .find(|f| f.path == name)
            .map(|f| f.sha256.as_str())
    };
    let broken = pins
        .manifest_sha256
        .as_deref()
        .filter(|pin| *pin != base.manifest_sha256)
        .map(|pin| format!("manifest sha256 {pin}, the record {}", base.manifest_sha256))
        .or_else(|| {
            pins.files
                .iter()
                .find(|(name, pin)| file(name) != Some(pin.as_str()))
                .map(|(name, pin)| {
                    format!(
                        "{name} sha256 {pin}, the record {}",
                        file(name).unwrap_or("nothing")
                    )
                })
        });
    match broken {
        Some(what) => {
            Err(SigningCheck::BaseModel.refuse(format!("the job pins the base model's {what}")))
        }
        None => Ok(()),
    }
}

fn timestamp(text: &str, what: &str) -> Result<jiff::Timestamp> {
    text.parse().map_err(|e| {
        SigningCheck::Times.refuse(format!("{what} {text:?} is not an RFC 3339 time: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::record::{OutputFile, PretrainedRecord};

    /// The shipped release's record, fine-tuned from a base with these files.
    fn record(pins: &str) -> BuildRecord {
        let text = include_str!("../../../testdata/release/build-record.json");
        let mut r: BuildRecord = serde_json::from_str(text).unwrap();
        r.job.spec.model.pretrained =
            Some(toml::from_str(&format!("path = \"base\"\n{pins}")).unwrap());
        r.pretrained = Some(PretrainedRecord {
            path: "base".into(),
            manifest_sha256: "aa".repeat(32),
            files: vec![OutputFile {
                path: "model.safetensors".into(),
                sha256: "bb".repeat(32),
                size: 1,
            }],
            verification: slsa_aibom_types::provenance::BaseModelVerification {
                verified_by: crate::lineage::PINNED_ONLY.into(),
                signer: None,
                signature_sha256: None,
                pinned: true,
                checked_by: None,
            },
        });
        r
    }

    #[test]
    fn the_base_model_must_have_the_digests_the_job_pins() {
        let holds = |r: &BuildRecord| base_model_pins_hold(&r.job.spec, r);
        let (a, b, c) = ("aa".repeat(32), "bb".repeat(32), "cc".repeat(32));
        assert!(holds(&record(&format!("manifest_sha256 = \"{a}\""))).is_ok());
        let files = format!("files = {{ \"model.safetensors\" = \"{b}\" }}");
        assert!(holds(&record(&files)).is_ok());
        let e = holds(&record(&format!("manifest_sha256 = \"{c}\""))).unwrap_err();
        assert!(e.to_string().contains("attest.base-model"), "{e}");
        let other = format!("files = {{ \"config.json\" = \"{b}\" }}");
        let e = holds(&record(&other)).unwrap_err();
        assert!(e.to_string().contains("config.json sha256"), "{e}");
        let mut none = record("");
        none.pretrained = None;
        assert!(holds(&none).is_err());
        // A base model recorded for a job that fine-tunes none: refused
        // (the spec detect read is the one that decides).
        let r = record(&format!("manifest_sha256 = \"{a}\""));
        let mut plain = r.job.spec.clone();
        plain.model.pretrained = None;
        let e = base_model_pins_hold(&plain, &r).unwrap_err();
        assert!(e.to_string().contains("fine-tunes none"), "{e}");
        // The runner dropping [model.pretrained] from its copy changes
        // nothing: the definition's spec still pins the base.
        let mut dropped = record(&format!("manifest_sha256 = \"{c}\""));
        let spec = dropped.job.spec.clone();
        dropped.job.spec.model.pretrained = None;
        assert!(base_model_pins_hold(&spec, &dropped).is_err());
    }
}
