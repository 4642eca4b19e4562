//! `trust update`: refresh a trusted root over TUF into the per-user cache
//! that verification then reads (unless `--offline`).

use crate::{fail, print_json, Format};
use clap::{Args, Subcommand};
use slsa_aibom_verify::bounded_read::{read, SMALL_LIMIT};
use slsa_aibom_verify::evidence::trust_cache::{update, CachedTrust, TrustCache, TufSource};
use slsa_aibom_verify::{Error, Instance};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Refresh a Sigstore trusted root (`trusted_root.json`,
    /// `signing_config.json`) over TUF, from the embedded TUF root of an
    /// instance or a given one. The only command that goes to the network.
    /// A failed update leaves the previous cache as it was.
    Update(Update),
}

#[derive(Args)]
pub struct Update {
    /// The instance whose TUF repository and embedded TUF root to use:
    /// public-good (default), github or staging.
    #[arg(long, conflicts_with = "root_json")]
    instance: Option<String>,
    /// The TUF repository's URL: a mirror of the instance's, or with
    /// --root-json another repository.
    #[arg(long)]
    tuf_url: Option<String>,
    /// TUF root metadata (`root.json`) to start from instead of an embedded
    /// instance's, for a private Sigstore instance.
    #[arg(long, requires = "tuf_url")]
    root_json: Option<PathBuf>,
    /// The cache folder [default: $SLSA_AIBOM_CACHE, else
    /// $XDG_CACHE_HOME/slsa-aibom/trust, else ~/.cache/slsa-aibom/trust].
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

impl TrustCommand {
    /// Run and pick the exit code.
    pub fn main(&self) -> ExitCode {
        let TrustCommand::Update(args) = self;
        match args.run() {
            Ok((source, cached)) => {
                args.report(&source, &cached);
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, args.format),
        }
    }
}

impl Update {
    fn run(&self) -> Result<(TufSource, CachedTrust), Error> {
        let source = match (&self.root_json, &self.tuf_url) {
            (Some(root), Some(url)) => TufSource::custom(url, read(root, SMALL_LIMIT, "TUF root")?),
            _ => {
                let instance = Instance::parse(self.instance.as_deref().unwrap_or("public-good"))?;
                match &self.tuf_url {
                    Some(url) => TufSource::mirror(instance, url),
                    None => TufSource::instance(instance),
                }
            }
        };
        let cache = match &self.cache {
            Some(dir) => TrustCache::at(dir),
            None => TrustCache::per_user()?,
        };
        let cached = update(&cache, &source, jiff::Timestamp::now())?;
        Ok((source, cached))
    }

    fn report(&self, source: &TufSource, cached: &CachedTrust) {
        if self.format == Format::Json {
            print_json(&serde_json::json!({
                "updated": true,
                "source": source.name(),
                "url": source.url(),
                "rootVersion": cached.root_version,
                "expires": cached.expires.to_string(),
                "dir": cached.dir.display().to_string(),
            }));
        } else {
            println!(
                "updated {} from {}: TUF root version {}, metadata expires {}",
                source.name(),
                slsa_aibom_verify::display::one_line(source.url()),
                cached.root_version,
                cached.expires,
            );
            let dir = cached.dir.display().to_string();
            println!("  {}", slsa_aibom_verify::display::one_line(&dir));
        }
    }
}
