//! Reading the files a verifier is handed, with a size limit and regular
//! files only. Evidence, keys and policies come from whoever publishes a
//! release: a `model.sig` that is a symlink to `/dev/zero` must not grow
//! memory until the process dies, and a FIFO must not block it forever.

use crate::error::{Error, Result};
use std::io::Read as _;
use std::path::Path;

/// The most an evidence file (bundle, JSON Lines, DSSE envelope, ML-BOM,
/// in-toto metadata) may hold.
pub const EVIDENCE_LIMIT: u64 = 64 << 20;
/// The most a key, certificate, policy, trusted root or proof may hold.
pub const SMALL_LIMIT: u64 = 4 << 20;

/// Whether a kernel interface file (`/proc`, `/sys`) may be read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pseudo {
    /// Only by the builder's record of its own host ([`read_host_file`]).
    Allow,
    /// Never as input.
    Refuse,
}

/// Whether a symbolic link at the path itself is followed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Links {
    /// Follow it: a key, policy or root the user names may be a link.
    Follow,
    /// Refuse it: evidence that came with a release must be the file itself,
    /// or a link could make a file inside the model directory stand in for
    /// it (and be left out of the signed manifest's walk).
    Refuse,
}

/// Open `path` for reading if it is a regular file (following symlinks).
/// On Unix the open does not block, so a FIFO swapped in after the check
/// is refused as well.
pub fn open_regular(path: &Path, what: &str) -> Result<std::fs::File> {
    open(path, what, Links::Follow, Pseudo::Refuse)
}

fn open(path: &Path, what: &str, links: Links, pseudo: Pseudo) -> Result<std::fs::File> {
    let not_regular = || {
        Error::Input(format!(
            "{what} {} is not a regular file (a directory, FIFO, socket or device)",
            path.display()
        ))
    };
    let cannot_read =
        |e: std::io::Error| Error::Input(format!("cannot read {what} {}: {e}", path.display()));
    if links == Links::Refuse
        && std::fs::symlink_metadata(path)
            .map_err(cannot_read)?
            .file_type()
            .is_symlink()
    {
        return Err(Error::Input(format!(
            "{what} {} is a symbolic link; release evidence must be a regular file itself",
            path.display()
        )));
    }
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let no_follow = if links == Links::Refuse {
            libc::O_NOFOLLOW
        } else {
            0
        };
        options.custom_flags(libc::O_NONBLOCK | no_follow);
    }
    let file = options
        .open(path)
        .map_err(|e| Error::Input(format!("cannot open {what} {}: {e}", path.display())))?;
    match file.metadata() {
        Ok(m) if m.is_file() => {}
        _ => return Err(not_regular()),
    }
    if pseudo == Pseudo::Refuse && on_pseudo_filesystem(&file) {
        return Err(Error::Input(format!(
            "{what} {} is a kernel interface file (/proc or /sys), not data",
            path.display()
        )));
    }
    Ok(file)
}

/// Whether `file` lies on the kernel's proc or sys file system, whose
/// "regular" files (`/proc/self/environ`) are views of the process and the
/// machine: never evidence, a key or a dataset.
#[cfg(target_os = "linux")]
fn on_pseudo_filesystem(file: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd as _;
    const PROC_SUPER_MAGIC: i64 = 0x9fa0;
    const SYSFS_MAGIC: i64 = 0x6265_6572;
    let mut fs = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: the descriptor is open for the call, and `fs` is written by
    // fstatfs before it is read (only on success).
    let ok = unsafe { libc::fstatfs(file.as_raw_fd(), fs.as_mut_ptr()) } == 0;
    if !ok {
        return true;
    }
    // SAFETY: fstatfs succeeded, so it filled `fs`.
    // `f_type`'s width differs between C libraries and architectures.
    #[allow(clippy::unnecessary_cast)]
    let kind = unsafe { fs.assume_init() }.f_type as i64;
    kind == PROC_SUPER_MAGIC || kind == SYSFS_MAGIC
}

#[cfg(not(target_os = "linux"))]
fn on_pseudo_filesystem(_: &std::fs::File) -> bool {
    false
}

/// Read a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    read_with(path, limit, what, Links::Follow, Pseudo::Refuse)
}

/// Read a file describing this host (`/proc/meminfo`, `/etc/os-release`)
/// of at most [`SMALL_LIMIT`] bytes as text: the one reader that accepts
/// kernel interface files, for the builder's record of its own machine.
pub fn read_host_file(path: &Path) -> Result<String> {
    let bytes = read_with(path, SMALL_LIMIT, "host file", Links::Follow, Pseudo::Allow)?;
    String::from_utf8(bytes)
        .map_err(|_| Error::Input(format!("host file {} is not UTF-8 text", path.display())))
}

/// Read an evidence file of a release (a bundle, `model.sig`, a byproduct,
/// in-toto metadata) of at most `limit` bytes: a regular file that is not a
/// symbolic link.
pub fn read_evidence(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    read_with(path, limit, what, Links::Refuse, Pseudo::Refuse)
}

/// [`read_evidence`] as UTF-8 text.
pub fn read_evidence_text(path: &Path, limit: u64, what: &str) -> Result<String> {
    String::from_utf8(read_evidence(path, limit, what)?)
        .map_err(|_| Error::Input(format!("{what} {} is not UTF-8 text", path.display())))
}

fn read_with(path: &Path, limit: u64, what: &str, links: Links, pseudo: Pseudo) -> Result<Vec<u8>> {
    let too_big = || {
        Error::Input(format!(
            "{what} {} is larger than {limit} bytes, the most this verifier reads",
            path.display()
        ))
    };
    let file = open(path, what, links, pseudo)?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Input(format!("cannot read {what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Read a regular UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String> {
    String::from_utf8(read(path, limit, what)?)
        .map_err(|_| Error::Input(format!("{what} {} is not UTF-8 text", path.display())))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn special_files_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("model.sig");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read(&fifo, EVIDENCE_LIMIT, "evidence").unwrap_err();
            assert!(e.detail().contains("not a regular file"), "{e}");
        }
        let zero = dir.path().join("zero.sig");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read(&zero, EVIDENCE_LIMIT, "evidence").unwrap_err();
        assert!(e.detail().contains("not a regular file"), "{e}");
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; 2048]).unwrap();
        let e = read(&big, 1024, "evidence").unwrap_err();
        assert!(e.detail().contains("larger than 1024 bytes"), "{e}");
        assert_eq!(read(&big, 2048, "evidence").unwrap().len(), 2048);
        assert!(read(dir.path(), 10, "evidence").is_err());
    }

    #[test]
    fn kernel_interface_files_are_not_input_and_evidence_is_no_link() {
        let environ = Path::new("/proc/self/environ");
        if environ.exists() {
            let e = read(environ, SMALL_LIMIT, "input").unwrap_err();
            assert!(e.detail().contains("kernel interface file"), "{e}");
            assert!(read_host_file(Path::new("/proc/self/status")).is_ok());
        }
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("bundle.json");
        std::fs::write(&real, b"{}").unwrap();
        let link = dir.path().join("model.sig");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(read(&link, 10, "evidence").unwrap(), b"{}");
        let e = read_evidence(&link, 10, "evidence").unwrap_err();
        assert!(e.detail().contains("is a symbolic link"), "{e}");
        assert_eq!(read_evidence(&real, 10, "evidence").unwrap(), b"{}");
    }
}
