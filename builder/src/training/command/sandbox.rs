//! Running a command confined, on Linux: a scrubbed environment, a process
//! group killed at the timeout and after the command exits, Landlock
//! limiting the file system to the system directories (read-only), the
//! declared inputs (read-only) and the working directory, a user namespace
//! (so the command holds no privilege over our process, whose environment
//! holds the runner's tokens) and, without network, a network namespace
//! whose only interface (loopback) is down, with Landlock also refusing TCP
//! where the kernel can. Our own process is not dumpable while the command
//! runs, a second guard of its memory where user namespaces are disabled.
//!
//! What held is measured in the child, after it confined itself and
//! before it ran the command, and reported back through a pipe, so the
//! record says what was enforced, not what was asked for.

use super::spec::Network;
use crate::error::{BuildError, Result};
use landlock::{
    Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr,
    RulesetStatus, ABI,
};
use serde::{Deserialize, Serialize};
use std::ffi::CString;
use std::io::Read as _;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The system directories a command may read (those that exist).
pub const SYSTEM_READ_ONLY: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/proc", "/sys",
];

/// Whether a protection held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Enforcement {
    /// Every requested restriction held.
    Enforced,
    /// Some held: the kernel lacks part of what was asked for.
    Partial,
    /// Asked for, but this runner could not enforce it.
    NotEnforced,
    /// Not asked for (the job allowed the network).
    NotRequested,
}

/// What confined the command, as measured in its own process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationRecord {
    /// Landlock's file-system restriction.
    pub filesystem: Enforcement,
    /// What the command could read (system directories, inputs, `read_only`).
    pub readable: Vec<String>,
    /// What it could write (its working directory, `/dev/shm`).
    pub writable: Vec<String>,
    /// The user namespace: the command holds no privilege over our
    /// process (its memory, its environment in `/proc`).
    pub user_namespace: Enforcement,
    /// The network the job asked for.
    pub network: Network,
    /// The network namespace (loopback only, down).
    pub network_namespace: Enforcement,
    /// Landlock's refusal of TCP connect and bind (kernels with ABI 4).
    pub network_landlock: Enforcement,
    /// The environment variables the command saw (all set by us; nothing
    /// of the runner's environment passes).
    pub environment: Vec<String>,
}

impl IsolationRecord {
    /// Whether the command could not reach the network.
    pub fn network_isolated(&self) -> bool {
        self.network == Network::None && self.network_namespace == Enforcement::Enforced
    }
}

/// What to confine a command to.
pub struct Confinement {
    /// Paths the command may read.
    pub read_only: Vec<PathBuf>,
    /// Paths the command may read and write.
    pub read_write: Vec<PathBuf>,
    /// The network.
    pub network: Network,
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this code.
    Exited(i32),
    /// A signal ended it.
    Signalled(i32),
    /// It ran past the timeout and was killed.
    TimedOut,
}

/// A finished run.
pub struct Finished {
    /// How it ended.
    pub ending: Ending,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// What confined it.
    pub isolation: IsolationRecord,
}

const USERNS: u8 = 1;
const NETNS: u8 = 32;
const LANDLOCK_FS_FULL: u8 = 2;
const LANDLOCK_FS_PARTIAL: u8 = 4;
const LANDLOCK_NET_FULL: u8 = 8;
const LANDLOCK_NET_PARTIAL: u8 = 16;

/// Run `argv` in `cwd` with exactly `env`, confined, its output to `log`,
/// killed after `timeout`.
pub fn run(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    confinement: &Confinement,
    log: std::fs::File,
    timeout: Duration,
) -> Result<Finished> {
    let fs_ruleset = ruleset(confinement)?;
    let (status_read, status_write) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| io("a pipe", e))?;
    let mut child_setup = ChildSetup {
        ruleset: Some(fs_ruleset),
        network_namespace: confinement.network == Network::None,
        uid_map: CString::new(format!("{0} {0} 1", nix::unistd::getuid())).map_err(cstr)?,
        gid_map: CString::new(format!("{0} {0} 1", nix::unistd::getgid())).map_err(cstr)?,
        status_fd: status_write.as_raw_fd(),
    };
    let mut cmd = std::process::Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().map_err(|e| io("the log", e))?)
        .stderr(log)
        .process_group(0);
    // SAFETY: the closure runs between fork and exec. It allocates nothing
    // (every string was made above) and makes only system calls.
    unsafe {
        cmd.pre_exec(move || {
            child_setup.apply();
            Ok(())
        });
    }
    let started = Instant::now();
    let _guard = NotDumpable::set();
    let mut child = cmd.spawn().map_err(|e| {
        BuildError::Train(format!(
            "cannot start {:?}: {e}; nothing was signed",
            slsa_aibom_verify::display::one_line(&argv[0])
        ))
    })?;
    drop(status_write);
    drop(cmd);
    let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
    let mut status = [0u8; 1];
    let measured = std::fs::File::from(status_read)
        .read_exact(&mut status)
        .is_ok();
    let ending = wait(&mut child, pgid, timeout)?;
    // Whatever the command left running (a daemon it forked) dies with it.
    let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    let bits = if measured { status[0] } else { 0 };
    Ok(Finished {
        ending,
        seconds: started.elapsed().as_secs_f64(),
        isolation: record(confinement, env, bits),
    })
}

fn wait(
    child: &mut std::process::Child,
    pgid: nix::unistd::Pid,
    timeout: Duration,
) -> Result<Ending> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| io("the command", e))? {
            return Ok(match (status.code(), status.signal()) {
                (Some(code), _) => Ending::Exited(code),
                (None, Some(sig)) => Ending::Signalled(sig),
                (None, None) => Ending::Signalled(0),
            });
        }
        if started.elapsed() >= timeout {
            let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
            child.wait().map_err(|e| io("the command", e))?;
            return Ok(Ending::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The Landlock ruleset: everything handled, the listed paths allowed (a
/// path that does not exist fails the build here);
/// without network, TCP connect and bind handled with no port allowed.
fn ruleset(c: &Confinement) -> Result<RulesetCreated> {
    let fs = ABI::V5;
    let mut ruleset = Ruleset::default()
        .handle_access(AccessFs::from_all(fs))
        .map_err(landlock_error)?;
    if c.network == Network::None {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(ABI::V4))
            .map_err(landlock_error)?;
    }
    let dev_access = AccessFs::from_read(fs) | AccessFs::WriteFile | AccessFs::IoctlDev;
    ruleset
        .create()
        .map_err(landlock_error)?
        .add_rules(landlock::path_beneath_rules(
            &c.read_only,
            AccessFs::from_read(fs),
        ))
        .map_err(landlock_error)?
        .add_rules(landlock::path_beneath_rules(["/dev"], dev_access))
        .map_err(landlock_error)?
        .add_rules(landlock::path_beneath_rules(
            &c.read_write,
            AccessFs::from_all(fs),
        ))
        .map_err(landlock_error)
}

/// What the child does to itself between fork and exec.
struct ChildSetup {
    ruleset: Option<RulesetCreated>,
    network_namespace: bool,
    uid_map: CString,
    gid_map: CString,
    status_fd: RawFd,
}

impl ChildSetup {
    fn apply(&mut self) {
        use nix::sched::CloneFlags;
        let mut bits = 0u8;
        let mut flags = CloneFlags::CLONE_NEWUSER;
        if self.network_namespace {
            flags |= CloneFlags::CLONE_NEWNET;
        }
        if nix::sched::unshare(flags).is_ok() {
            bits |= USERNS;
            if self.network_namespace {
                bits |= NETNS;
            }
            // Keep the command's own ids inside the namespace (Python and
            // pip look themselves up); a failure leaves them unmapped,
            // which confines no less.
            write_raw(c"/proc/self/setgroups", b"deny");
            write_raw(c"/proc/self/uid_map", self.uid_map.as_bytes());
            write_raw(c"/proc/self/gid_map", self.gid_map.as_bytes());
        }
        if let Some(ruleset) = self.ruleset.take() {
            if let Ok(status) = ruleset.restrict_self() {
                bits |= match status.ruleset {
                    RulesetStatus::FullyEnforced => LANDLOCK_FS_FULL | LANDLOCK_NET_FULL,
                    RulesetStatus::PartiallyEnforced => LANDLOCK_FS_PARTIAL | LANDLOCK_NET_PARTIAL,
                    _ => 0,
                };
            }
        }
        // SAFETY: a one-byte write to a pipe this process owns.
        unsafe { libc::write(self.status_fd, [bits].as_ptr().cast(), 1) };
    }
}

/// Our process made not dumpable (so a command without privilege over it
/// cannot read its memory or `/proc/PID/environ`), until dropped.
struct NotDumpable;

impl NotDumpable {
    fn set() -> Self {
        let _ = nix::sys::prctl::set_dumpable(false);
        NotDumpable
    }
}

impl Drop for NotDumpable {
    fn drop(&mut self) {
        let _ = nix::sys::prctl::set_dumpable(true);
    }
}

/// Write `bytes` to `path` with raw system calls (no allocation).
fn write_raw(path: &std::ffi::CStr, bytes: &[u8]) {
    // SAFETY: `path` is NUL-terminated and `bytes` is a live slice.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd >= 0 {
            libc::write(fd, bytes.as_ptr().cast(), bytes.len());
            libc::close(fd);
        }
    }
}

fn record(c: &Confinement, env: &[(String, String)], bits: u8) -> IsolationRecord {
    let landlock = |full: u8, partial: u8| {
        if bits & full != 0 {
            Enforcement::Enforced
        } else if bits & partial != 0 {
            Enforcement::Partial
        } else {
            Enforcement::NotEnforced
        }
    };
    let (namespace, net_landlock) = match c.network {
        Network::Allowed => (Enforcement::NotRequested, Enforcement::NotRequested),
        Network::None if bits & NETNS != 0 => (
            Enforcement::Enforced,
            landlock(LANDLOCK_NET_FULL, LANDLOCK_NET_PARTIAL),
        ),
        Network::None => (
            Enforcement::NotEnforced,
            landlock(LANDLOCK_NET_FULL, LANDLOCK_NET_PARTIAL),
        ),
    };
    let user_namespace = if bits & USERNS != 0 {
        Enforcement::Enforced
    } else {
        Enforcement::NotEnforced
    };
    let shown = |paths: &[PathBuf]| paths.iter().map(|p| p.display().to_string()).collect();
    IsolationRecord {
        filesystem: landlock(LANDLOCK_FS_FULL, LANDLOCK_FS_PARTIAL),
        readable: shown(&c.read_only),
        writable: shown(&c.read_write),
        user_namespace,
        network: c.network,
        network_namespace: namespace,
        network_landlock: net_landlock,
        environment: env.iter().map(|(k, _)| k.clone()).collect(),
    }
}

fn landlock_error(e: landlock::RulesetError) -> BuildError {
    BuildError::Train(format!(
        "cannot set up the file-system confinement (Landlock): {e}"
    ))
}

fn io(what: &str, e: impl std::fmt::Display) -> BuildError {
    BuildError::Io(format!("running the command: {what}: {e}"))
}

fn cstr(e: std::ffi::NulError) -> BuildError {
    BuildError::Io(format!("running the command: {e}"))
}
