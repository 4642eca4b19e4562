//! What both command-line front ends (`slsa-aibom-verify`,
//! `slsa-aibom-build`) offer beside their work: a `--version` that says
//! which build this is, shell completions and a man page, generated from
//! the clap definition so that they never drift from it. Behind the
//! `cli-support` feature; the library proper never needs it.

use std::io::Write;
use std::sync::OnceLock;

/// The commit a release build was made from, when the build was told
/// (`scripts/build-release.sh` sets `SLSA_AIBOM_COMMIT`).
pub const COMMIT: Option<&str> = option_env!("SLSA_AIBOM_COMMIT");

/// `VERSION (commit C, release|debug build, features: F)`, computed once:
/// `features` are the binary's enabled cargo features, by name.
pub fn version_text(version: &'static str, features: &[&str]) -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let commit = COMMIT.map_or_else(|| "commit unknown".to_string(), |c| format!("commit {c}"));
        let profile = if cfg!(debug_assertions) {
            "debug build"
        } else {
            "release build"
        };
        let features = if features.is_empty() {
            "none".to_string()
        } else {
            features.join(", ")
        };
        format!("{version} ({commit}, {profile}, features: {features})")
    })
}

/// The shells completions are written for.
pub use clap_complete::Shell;

/// Write `command`'s completion script for `shell` to standard output.
pub fn completions(shell: Shell, mut command: clap::Command) -> std::io::Result<()> {
    let name = command.get_name().to_string();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, name, &mut out);
    out.flush()
}

/// Write `command`'s man page (roff) to standard output.
pub fn man(command: clap::Command) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(command).render(&mut out)?;
    out.flush()
}
