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
            let (model, key) = (self.out.join("model"), self.out.join("key.pub"));
            println!(
                "check it yourself (the whole release, as one): slsa-aibom-verify model {} --key {}",
                shell_word(&model),
                shell_word(&key)
            );
        }
        Ok(())
    }
}

/// `path` as one word a POSIX shell reads back: as it is when plain,
/// single-quoted otherwise; control characters are shown escaped (never
/// printed raw), so such a path has to be typed by hand.
fn shell_word(path: &std::path::Path) -> String {
    let text = slsa_aibom_verify::display::one_line(&path.to_string_lossy()).into_owned();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
