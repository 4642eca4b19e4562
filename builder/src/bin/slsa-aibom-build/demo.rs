//! `demo`: the end-to-end demo on the embedded example.

use super::options::Common;
use super::{report, threads};
use clap::Args;
use slsa_aibom_builder::demo;
use slsa_aibom_builder::error::Result;
use std::path::PathBuf;

#[derive(Args)]
pub(super) struct DemoArgs {
    /// Output directory.
    #[arg(long, default_value = "demo-out")]
    pub(super) out: PathBuf,
    #[command(flatten)]
    pub(super) common: Common,
}
impl DemoArgs {
    /// Run the demo.
    pub(super) fn run(self) -> Result<()> {
        let threads = threads(self.common.threads);
        let s = demo::run(
            &self.out,
            threads,
            self.common.device.as_deref(),
            self.common.quiet,
        )?;
        if !self.common.quiet {
            report(&s, &self.out);
            println!("check it yourself: slsa-aibom-verify verify-bundle --bundle {}/attestations/provenance.sigstore.json --key {}/key.pub {}/model/model.safetensors", self.out.display(), self.out.display(), self.out.display());
        }
        Ok(())
    }
}
