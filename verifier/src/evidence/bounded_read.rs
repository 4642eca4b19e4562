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

/// Open `path` for reading if it is a regular file (following symlinks).
/// On Unix the open does not block, so a FIFO swapped in after the check
/// is refused as well.
pub fn open_regular(path: &Path, what: &str) -> Result<std::fs::File> {
    let not_regular = || {
        Error::Input(format!(
            "{what} {} is not a regular file (a directory, FIFO, socket or device)",
            path.display()
        ))
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Input(format!("cannot read {what} {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|e| Error::Input(format!("cannot open {what} {}: {e}", path.display())))?;
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(file),
        _ => Err(not_regular()),
    }
}

/// Read a regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let too_big = || {
        Error::Input(format!(
            "{what} {} is larger than {limit} bytes, the most this verifier reads",
            path.display()
        ))
    };
    let file = open_regular(path, what)?;
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
}
