//! `intoto`: in-toto links and layouts (a layout with its links, a file or a
//! directory against a link, an ML-BOM with the link it references).

use crate::policy_args::PolicyArgs;
use crate::{report_bundle, Format};
use clap::{Args, Subcommand, ValueEnum};
use slsa_aibom_verify::intoto::{self, LinkTrust, Side};
use slsa_aibom_verify::{Error, Policy, Report};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum InTotoCommand {
    /// Verify a signed layout with its links: layout signatures and expiry,
    /// each step's signature threshold, and the artifact rules.
    Layout(LayoutArgs),
    /// Check a file's sha256 against a signed link's materials or products.
    File(FileArgs),
    /// Check a directory of stored artifacts against a signed link: each
    /// artifact verified, mismatched or missing; unlisted files are warnings.
    Dir(DirArgs),
    /// Verify a signed ML-BOM together with the link and layout it references.
    Bom(Box<BomArgs>),
}

#[derive(Args)]
pub struct LayoutArgs {
    /// The root layout.
    #[arg(long)]
    layout: PathBuf,
    /// Public key (PEM) that must have signed the layout (repeatable: each must).
    #[arg(long = "layout-key", required = true)]
    layout_keys: Vec<PathBuf>,
    /// Where the `<step>.<keyid prefix>.link` files are (default: the layout's directory).
    #[arg(long)]
    link_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Whom the link must be signed by.
#[derive(Args)]
pub struct LinkSigner {
    /// The signed link.
    #[arg(long)]
    link: PathBuf,
    /// The functionary's public key (PEM) that must have signed the link.
    #[arg(long, conflicts_with = "layout", required_unless_present = "layout")]
    functionary_key: Option<PathBuf>,
    /// Or: a layout whose step of the link's name authorises the signer.
    #[arg(long, requires = "layout_keys")]
    layout: Option<PathBuf>,
    /// Public key (PEM) that must have signed --layout (repeatable).
    #[arg(long = "layout-key", requires = "layout")]
    layout_keys: Vec<PathBuf>,
}

impl LinkSigner {
    fn trust(&self) -> LinkTrust {
        match (&self.functionary_key, &self.layout) {
            (Some(key), _) => LinkTrust::Key(key.clone()),
            (None, layout) => LinkTrust::Layout {
                layout: layout.clone().unwrap_or_default(),
                keys: self.layout_keys.clone(),
            },
        }
    }
}

#[derive(Args)]
pub struct FileArgs {
    /// The file.
    file: PathBuf,
    /// The artifact name in the link (default: the longest materials or
    /// products path that FILE ends with).
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    signer: LinkSigner,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Only {
    Materials,
    Products,
}

#[derive(Args)]
pub struct DirArgs {
    /// The directory; paths inside it are compared with the link's paths.
    dir: PathBuf,
    /// Check only the materials or only the products (default: both).
    #[arg(long, value_enum)]
    only: Option<Only>,
    #[command(flatten)]
    signer: LinkSigner,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Args)]
pub struct BomArgs {
    /// The ML-BOM bundle (`attestations/aibom.sigstore.json`).
    #[arg(long)]
    bom: PathBuf,
    /// The link the ML-BOM references (`intoto/train.<keyid>.link`).
    #[arg(long)]
    link: PathBuf,
    /// The layout the ML-BOM references (default: `root.layout` beside the link).
    #[arg(long)]
    layout: Option<PathBuf>,
    /// Who must have signed the ML-BOM.
    #[command(flatten)]
    signer: PolicyArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

impl InTotoCommand {
    pub fn main(&self) -> ExitCode {
        let (result, format): (Result<Report, Error>, Format) = match self {
            InTotoCommand::Layout(a) => {
                let dir = a.link_dir.clone().unwrap_or_else(|| {
                    a.layout
                        .parent()
                        .map(|p| p.to_path_buf())
                        .unwrap_or_default()
                });
                let dir = if dir.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    dir
                };
                (
                    Ok(intoto::verify_layout(&a.layout, &a.layout_keys, &dir)),
                    a.format,
                )
            }
            InTotoCommand::File(a) => (
                Ok(intoto::verify_file(
                    &a.file,
                    a.name.as_deref(),
                    &a.signer.link,
                    &a.signer.trust(),
                )),
                a.format,
            ),
            InTotoCommand::Dir(a) => {
                let side = match a.only {
                    None => Side::Both,
                    Some(Only::Materials) => Side::Materials,
                    Some(Only::Products) => Side::Products,
                };
                (
                    Ok(intoto::verify_dir(
                        &a.dir,
                        side,
                        &a.signer.link,
                        &a.signer.trust(),
                    )),
                    a.format,
                )
            }
            InTotoCommand::Bom(a) => {
                let layout = a
                    .layout
                    .clone()
                    .unwrap_or_else(|| a.link.with_file_name("root.layout"));
                let result = a
                    .signer
                    .apply(Policy::default())
                    .map(|policy| intoto::verify_bom(&policy, &a.bom, &a.link, &layout));
                (result, a.format)
            }
        };
        report_bundle(result, format)
    }
}
