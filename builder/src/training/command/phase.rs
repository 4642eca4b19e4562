//! One confined process of a command job (the setup phase's steps, then the
//! command), its output appended to the job's log, and any ending but a
//! zero exit turned into an error that quotes its last lines safely.

use super::sandbox::{self, Confinement, Ending, Finished};
use crate::error::{BuildError, Result};
use std::path::Path;
use std::time::Duration;

/// Where a phase runs and what it may touch.
pub struct Phase<'a> {
    /// The working directory.
    pub cwd: &'a Path,
    /// The whole environment.
    pub env: &'a [(String, String)],
    /// The confinement.
    pub confinement: &'a Confinement,
    /// The log, appended to.
    pub log: &'a Path,
    /// The time allowed.
    pub timeout: Duration,
}

impl Phase<'_> {
    /// Run `argv`; `what` names it in errors ("the command", "the setup
    /// phase (pip)").
    pub fn run(&self, what: &str, argv: &[String]) -> Result<Finished> {
        let log = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(self.log)
            .map_err(|e| BuildError::io(self.log, e))?;
        let finished = sandbox::run(
            argv,
            self.cwd,
            self.env,
            self.confinement,
            log,
            self.timeout,
        )?;
        let how = match finished.ending {
            Ending::Exited(0) => return Ok(finished),
            Ending::Exited(code) => format!("exited with status {code}"),
            Ending::Signalled(sig) => format!("was killed by signal {sig}"),
            Ending::TimedOut => format!(
                "ran past run.timeout ({} s) and was killed",
                self.timeout.as_secs()
            ),
        };
        let tail: Vec<String> = last_lines(&log_tail(self.log), 10)
            .iter()
            .map(|l| format!("  | {}", slsa_aibom_verify::display::one_line(l)))
            .collect();
        let said = if tail.is_empty() {
            "It printed nothing.".to_string()
        } else {
            format!("The log's last lines:\n{}", tail.join("\n"))
        };
        Err(BuildError::Train(format!(
            "{what} {how}; nothing was signed. {said}"
        )))
    }
}

fn last_lines(text: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}

/// The last 4 KiB of the log (a bounded read of a file that may be large),
/// lossily as text.
fn log_tail(log: &Path) -> String {
    use std::io::{Read as _, Seek as _, SeekFrom};
    const TAIL: u64 = 4096;
    let mut text = Vec::new();
    if let Ok(mut file) = std::fs::OpenOptions::new().read(true).open(log) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(TAIL)));
        let _ = file.take(TAIL).read_to_end(&mut text);
    }
    String::from_utf8_lossy(&text).into_owned()
}
