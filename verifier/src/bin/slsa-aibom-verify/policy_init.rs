//! `policy init`: write the commented policy template.

use crate::{fail, Format};
use clap::{Args, Subcommand};
use slsa_aibom_verify::release::rules::{KEYED_TEMPLATE, TEMPLATE};
use slsa_aibom_verify::Error;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Write a commented release-policy template (TOML, version 1).
    Init(Init),
}

#[derive(Args)]
pub struct Init {
    /// Where to write it [default: standard output]. An existing file is
    /// never overwritten.
    #[arg(long)]
    out: Option<PathBuf>,
    /// For releases signed with a key (`build --key`, `model --key`): no
    /// `[builder]` section, which only a certificate can satisfy.
    #[arg(long)]
    keyed: bool,
}

/// `e` (a policy that a keyed release cannot meet) with the command that
/// writes one it can.
pub fn keyed_hint(e: Error) -> Error {
    Error::Input(format!(
        "{}; `slsa-aibom-verify policy init --keyed` writes a template for keyed releases",
        e.detail()
    ))
}

impl PolicyCommand {
    /// Run and pick the exit code.
    pub fn main(&self) -> ExitCode {
        let PolicyCommand::Init(init) = self;
        let template = if init.keyed { KEYED_TEMPLATE } else { TEMPLATE };
        let result = match &init.out {
            None => std::io::stdout()
                .write_all(template.as_bytes())
                .map_err(|e| Error::Input(e.to_string())),
            Some(path) => std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| f.write_all(template.as_bytes()))
                .map_err(|e| Error::Input(format!("cannot create {}: {e}", path.display()))),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e, Format::Human),
        }
    }
}
