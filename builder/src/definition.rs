//! The build definition: what the workflow's `detect` job fixes before any
//! caller data is touched — the job file and its digest, the input digests
//! the caller expects, and the source the run came from. `train` refuses to
//! run on anything that does not match it.

use crate::error::{sha256_hex, BuildError, Result};
use crate::spec::Job;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `build-definition.json` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BuildDefinition {
    /// The job file, as given to `detect`.
    pub job: PathBuf,
    /// sha256 of the job file's bytes.
    pub job_sha256: String,
    /// The job file's text, as `detect` read it from the caller's commit:
    /// the signing job takes the job spec from here, never from the train
    /// runner's copy.
    #[serde(default)]
    pub job_toml: String,
    /// Input files (paths as the caller wrote them) and the sha256 each must have.
    pub expected_digests: BTreeMap<PathBuf, String>,
    /// Allow-listed `GITHUB_*` variables of the run (empty outside Actions).
    pub source: BTreeMap<String, String>,
    /// The reusable workflow's inputs, each of
    /// `slsa_aibom_verify::identity::our_builder::WORKFLOW_INPUTS` (empty outside it).
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_json::Value>,
    /// The builder's commit (`job.workflow_sha` of `detect`), which the
    /// signing certificate must name; absent outside the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder_sha: Option<String>,
    /// A fine-tune's base-model signature and what it is checked with, as
    /// `detect` read them from the caller's commit, so that the signing
    /// job verifies the signature itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<LineageEvidence>,
}

/// The files a base model's signature is verified with, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LineageEvidence {
    /// The model signature (a Sigstore bundle).
    pub signature: String,
    /// The public key of a keyed signature (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The trusted root of a keyless signature, when not public-good's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<String>,
}

impl LineageEvidence {
    /// Read what `job`'s `[model.pretrained]` names (none without a signature).
    fn read(job: &Job) -> Result<Option<Self>> {
        let Some(p) = &job.spec.model.pretrained else {
            return Ok(None);
        };
        let Some(signature) = &p.signature else {
            return Ok(None);
        };
        let text = |path: &Path| {
            crate::error::read_text_file(
                &job.resolve(path),
                slsa_aibom_verify::bounded_read::EVIDENCE_LIMIT,
            )
        };
        Ok(Some(LineageEvidence {
            signature: text(signature)?,
            key: p.key.as_deref().map(text).transpose()?,
            trusted_root: p.trusted_root.as_deref().map(text).transpose()?,
        }))
    }
}

/// The workflow's `toJSON(inputs)`: an object with exactly its inputs.
fn parse_inputs(json: &str) -> Result<BTreeMap<String, serde_json::Value>> {
    use slsa_aibom_verify::identity::our_builder::WORKFLOW_INPUTS;
    let inputs: BTreeMap<String, serde_json::Value> = slsa_aibom_verify::json::from_str(json)
        .map_err(|e| BuildError::Spec(format!("workflow inputs: not a JSON object: {e}")))?;
    let mut names: Vec<&str> = inputs.keys().map(String::as_str).collect();
    let mut want = WORKFLOW_INPUTS.to_vec();
    names.sort_unstable();
    want.sort_unstable();
    if names != want {
        return Err(BuildError::Spec(format!(
            "workflow inputs: got {names:?}, this builder records exactly {want:?}"
        )));
    }
    Ok(inputs)
}

/// Parse `sha256sum` output lines: `HEX  PATH` (or `HEX *PATH`).
fn parse_expected(text: &str, origin: &Path) -> Result<BTreeMap<PathBuf, String>> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| {
            BuildError::Spec(format!(
                "{} line {}: {why} (expected `SHA256  PATH`, as sha256sum writes)",
                origin.display(),
                n + 1
            ))
        };
        let (hex, path) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| bad("no path"))?;
        let path = path.trim_start().trim_start_matches('*');
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a sha256"));
        }
        if path.is_empty() {
            return Err(bad("no path"));
        }
        if out
            .insert(PathBuf::from(path), hex.to_ascii_lowercase())
            .is_some()
        {
            return Err(bad("path listed twice"));
        }
    }
    Ok(out)
}

impl BuildDefinition {
    /// Validate the job file (spec only; no data is read) and fix it, with
    /// the expected input digests from a `sha256sum`-format file.
    pub fn detect(job: &Path, expected: Option<&Path>) -> Result<Self> {
        Self::detect_in_workflow(job, expected, None, None)
    }

    /// [`BuildDefinition::detect`] in the reusable workflow: `inputs` is
    /// the workflow's `toJSON(inputs)`, which must name exactly its inputs,
    /// and `builder_sha` the workflow's own commit. Refuses to run on
    /// anything but a GitHub-hosted runner when in GitHub Actions.
    pub fn detect_in_workflow(
        job: &Path,
        expected: Option<&Path>,
        inputs: Option<&str>,
        builder_sha: Option<&str>,
    ) -> Result<Self> {
        crate::environment::runner::require_github_hosted("detect")?;
        let inputs = inputs.map(parse_inputs).transpose()?.unwrap_or_default();
        if let Some(sha) =
            builder_sha.filter(|s| s.len() != 40 || !s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(BuildError::Spec(format!(
                "builder commit {sha:?} is not a 40-hex commit"
            )));
        }
        let loaded = Job::load(job)?;
        let expected_digests = match expected {
            Some(p) => {
                let text =
                    crate::error::read_text_file(p, slsa_aibom_verify::bounded_read::SMALL_LIMIT)?;
                parse_expected(&text, p)?
            }
            None => BTreeMap::new(),
        };
        let definition = BuildDefinition {
            job: job.to_path_buf(),
            job_sha256: hex::encode(Sha256::digest(&loaded.bytes)),
            // Job::load parsed the bytes as UTF-8 TOML already.
            job_toml: String::from_utf8_lossy(&loaded.bytes).into_owned(),
            expected_digests,
            source: crate::environment::runner::capture(),
            inputs,
            builder_sha: builder_sha.map(str::to_ascii_lowercase),
            lineage: LineageEvidence::read(&loaded)?,
        };
        if !definition.inputs.is_empty() {
            definition.require_gpu_runner(&loaded)?;
        }
        Ok(definition)
    }

    /// The device the train job will use: the workflow's `device` input,
    /// else the job's `training.device`, else `cpu`.
    pub fn effective_device(&self, job: &Job) -> String {
        self.device()
            .or_else(|| job.spec.training.device.clone())
            .unwrap_or_else(|| "cpu".into())
    }

    /// A CUDA job must train on a runner with the GPU label the caller
    /// declared (`gpu-runner-label`), and `train-runs-on` must ask for it:
    /// otherwise it would land on a machine without a GPU and fail late.
    fn require_gpu_runner(&self, job: &Job) -> Result<()> {
        let device = self.effective_device(job);
        if !device.starts_with("cuda") {
            return Ok(());
        }
        let label = self
            .inputs
            .get("gpu-runner-label")
            .and_then(|v| v.as_str())
            .filter(|l| !l.is_empty())
            .ok_or_else(|| {
                BuildError::Spec(format!(
                    "the job trains on {device}: set the workflow input gpu-runner-label to the \
                     label your GPU runners carry, and ask for it in train-runs-on"
                ))
            })?;
        let runs_on = crate::runs_on::RunsOn::parse(&self.train_runs_on().unwrap_or_default())?;
        if !runs_on.labels.iter().any(|l| l == label) {
            return Err(BuildError::Spec(format!(
                "the job trains on {device}, but train-runs-on {:?} does not ask for the GPU label {label:?}",
                runs_on.labels
            )));
        }
        Ok(())
    }

    /// The workflow's `device` input, when it was recorded and not empty
    /// (it overrides the job's `training.device`).
    pub fn device(&self) -> Option<String> {
        self.inputs
            .get("device")
            .and_then(|v| v.as_str())
            .filter(|d| !d.is_empty())
            .map(str::to_string)
    }

    /// The workflow's `train-runs-on` input, when it was recorded.
    pub fn train_runs_on(&self) -> Option<String> {
        self.inputs.get("train-runs-on").map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// The job spec embedded in the definition, checked against the digest
    /// `detect` fixed and validated as the trainer validates a job file.
    pub fn embedded_spec(&self) -> Result<crate::spec::JobSpec> {
        if hex::encode(Sha256::digest(self.job_toml.as_bytes())) != self.job_sha256 {
            return Err(BuildError::Verify(format!(
                "the build definition's job text does not have the digest it fixed ({}); it was not written by detect",
                self.job_sha256
            )));
        }
        crate::spec::JobSpec::parse(self.job_toml.as_bytes())
            .map_err(|e| BuildError::Spec(format!("the build definition's job: {e}")))
    }

    /// Read a definition file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = crate::error::read_file(path, slsa_aibom_verify::bounded_read::EVIDENCE_LIMIT)?;
        slsa_aibom_verify::json::from_slice(&bytes)
            .map_err(|e| BuildError::Spec(format!("{}: {e}", path.display())))
    }

    /// Load the defined job, refusing a job file or input whose bytes differ
    /// from the definition.
    pub fn job(&self) -> Result<Job> {
        let job = Job::load(&self.job)?;
        let got = hex::encode(Sha256::digest(&job.bytes));
        if got != self.job_sha256 {
            return Err(BuildError::Spec(format!(
                "{} has sha256 {got}, the build definition fixed {}",
                self.job.display(),
                self.job_sha256
            )));
        }
        for (path, want) in &self.expected_digests {
            let got = sha256_hex(path)?;
            if &got != want {
                return Err(BuildError::Data(format!(
                    "{} has sha256 {got}, the caller expected {want}",
                    path.display()
                )));
            }
        }
        Ok(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_digests_parse_sha256sum_output_and_reject_junk() {
        let hex = "ab".repeat(32);
        let ok = parse_expected(
            &format!("{hex}  data/a.csv\n{hex} *b.bin\n\n"),
            Path::new("e"),
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[Path::new("b.bin")], hex);
        for (text, why) in [
            ("abc  a.csv", "not a sha256"),
            (&hex.clone(), "no path"),
            (&format!("{hex}  a\n{hex}  a"), "listed twice"),
        ] {
            let err = parse_expected(text, Path::new("e"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
