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
        let a = self;
        let threads = threads(a.common.threads);
        let s = demo::run(&a.out, threads, a.common.device.as_deref(), a.common.quiet)?;
        if !a.common.quiet {
            report(&s, &a.out);
            println!("check it yourself: slsa-aibom-verify verify-bundle --bundle {}/attestations/provenance.sigstore.json --key {}/key.pub {}/model/model.safetensors", a.out.display(), a.out.display(), a.out.display());
        }
        Ok(())
    }
}
