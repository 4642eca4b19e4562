//! `slsa-aibom-build predict`: the command line of verified inference
//! (`slsa_aibom_builder::predict`).

use clap::{Args, ValueEnum};
use slsa_aibom_builder::error::{BuildError, Result};
use slsa_aibom_builder::predict::{predict, Prediction, Verification};
use slsa_aibom_verify::release::rules::ValidReleasePolicy;
use slsa_aibom_verify::{Policy, PublicKey, Setting, SettingNames, TrustAnchor, TrustRoot};
use std::io::Write as _;
use std::path::PathBuf;

/// How `predict` names each verification setting in messages: by its flag,
/// or by the policy file's section where it has no flag.
const FLAGS: SettingNames = SettingNames(flag);

fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::Key => "--key",
        Setting::TrustedRoot => "--trusted-root",
        Setting::Policy => "--policy FILE",
        Setting::ExpectedSigner | Setting::BuilderPin | Setting::BuilderId => {
            "[builder] in --policy FILE"
        }
        Setting::RunnerRules => "[runner] in --policy FILE",
        Setting::CertificateChain => {
            "slsa-aibom-verify model --certificate-chain (predict takes no private PKI)"
        }
    }
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).multiple(true).args(["key", "policy", "no_verify"])))]
pub struct PredictArgs {
    /// The model directory of a release (`model/`, with `attestations/`
    /// and `model.sig` beside it).
    model_dir: PathBuf,
    /// CSV rows to predict, with a header naming at least every feature
    /// column of the job the model was trained with (for a text model, its
    /// text column).
    #[arg(long)]
    input: PathBuf,
    /// The public key a keyed release must be signed with.
    #[arg(long, conflicts_with = "no_verify")]
    key: Option<PathBuf>,
    /// A release policy (TOML, as `slsa-aibom-verify policy init` writes):
    /// for keyless releases, `[builder]` names the signer.
    #[arg(long, conflicts_with = "no_verify")]
    policy: Option<PathBuf>,
    /// The trusted root for keyless releases [default: embedded public-good].
    #[arg(long, conflicts_with = "no_verify")]
    trusted_root: Option<PathBuf>,
    /// Load the model without verifying its release. Nothing vouches for
    /// the predictions; a warning says so.
    #[arg(long)]
    no_verify: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: OutputFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Json,
    Csv,
}

impl PredictArgs {
    fn verification(&self) -> Result<Verification> {
        if self.no_verify {
            return Ok(Verification::Skip);
        }
        let input = |e: slsa_aibom_verify::Error| BuildError::Spec(e.to_string());
        let rules = match &self.policy {
            Some(path) => ValidReleasePolicy::load(path).map_err(input)?.0,
            None => ValidReleasePolicy::none(),
        };
        let mut policy = Policy {
            setting_names: FLAGS,
            ..Policy::default()
        };
        if let Some(root) = &self.trusted_root {
            policy.anchor = TrustAnchor::Sigstore(TrustRoot::from_file(root).map_err(input)?);
        }
        rules.apply(&mut policy);
        if let Some(key) = &self.key {
            policy.anchor = policy
                .anchor
                .with_key(PublicKey::from_file(key).map_err(input)?);
            rules.check_keyed().map_err(|e| {
                BuildError::Spec(format!(
                    "{}; `slsa-aibom-verify policy init --keyed` writes a template for keyed releases",
                    e.detail()
                ))
            })?;
        }
        policy.validate().map_err(input)?;
        Ok(Verification::Release {
            policy: Box::new(policy),
            rules: Box::new(rules),
        })
    }

    /// Verify, predict and print.
    pub fn run(&self) -> Result<()> {
        if self.no_verify {
            eprintln!(
                "WARNING: --no-verify: the release of {} was NOT verified; nothing vouches for these predictions",
                self.model_dir.display()
            );
        }
        let predictions = predict(&self.model_dir, &self.input, &self.verification()?)?;
        let text = match self.format {
            OutputFormat::Json => serde_json::to_string_pretty(&predictions)
                .map_err(|e| BuildError::Io(e.to_string()))?,
            OutputFormat::Csv => std::iter::once("row,prediction,outputs,probabilities".into())
                .chain(predictions.iter().map(csv_line))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        // A lost output (a full disk, a closed pipe) is an error, not exit 0.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")
            .and_then(|()| out.flush())
            .map_err(|e| BuildError::Io(format!("cannot write the predictions: {e}")))
    }
}

/// One CSV line. The row key comes from the caller's input and the class
/// names from the job: each is quoted, with control and format characters
/// (an escape sequence, a carriage return, a bidi override) escaped so that
/// none reaches a terminal or a spreadsheet raw.
fn csv_line(p: &Prediction) -> String {
    let join = |v: &[f32]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let quote = |s: &str| {
        let shown = slsa_aibom_verify::display::one_line(s);
        format!("\"{}\"", shown.replace('"', "\"\""))
    };
    format!(
        "{},{},{},{}",
        quote(&p.row),
        quote(&p.prediction),
        join(&p.outputs),
        join(&p.probabilities)
    )
}
