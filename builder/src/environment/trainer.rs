//! The trainer binary's identity: its own sha256 and the locked dependency
//! list of the build (the workspace `Cargo.lock`, embedded at compile time).

use crate::error::{BuildError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The `Cargo.lock` this binary was built from (the workspace's, or a
/// published package's own; `build.rs` finds it).
pub const CARGO_LOCK: &str = include_str!(concat!(env!("OUT_DIR"), "/Cargo.lock"));

/// A locked package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedPackage {
    /// Crate name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// The registry checksum, for registry crates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// The trainer binary and its dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainerInfo {
    /// Crate version of the builder.
    pub version: String,
    /// sha256 of the running executable.
    pub binary_sha256: String,
    /// sha256 of the embedded `Cargo.lock`.
    pub cargo_lock_sha256: String,
    /// Every locked package, sorted by name and version.
    pub dependencies: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct Lock {
    package: Vec<LockedPackage>,
}

impl TrainerInfo {
    /// Describe the running binary.
    pub fn capture() -> Result<Self> {
        let exe = std::env::current_exe()
            .map_err(|e| BuildError::Io(format!("cannot locate the trainer binary: {e}")))?;
        Self::of_binary(&exe)
    }

    /// A trainer binary built from this binary's sources and `Cargo.lock`
    /// (the CUDA build of the same commit): its digest (read as a regular
    /// file, streamed), this lock.
    pub fn of_binary(exe: &std::path::Path) -> Result<Self> {
        let digest = slsa_aibom_verify::documents::hashing::sha256_file(exe)
            .map_err(|e| BuildError::Io(format!("trainer binary: {}", e.detail())))?;
        let lock: Lock = toml::from_str(CARGO_LOCK)
            .map_err(|e| BuildError::Io(format!("embedded Cargo.lock: {e}")))?;
        let mut dependencies = lock.package;
        dependencies.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        Ok(TrainerInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            binary_sha256: hex::encode(digest),
            cargo_lock_sha256: hex::encode(Sha256::digest(CARGO_LOCK.as_bytes())),
            dependencies,
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_trainer_binary_that_is_not_a_regular_file_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("slsa-aibom-build");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path it is given.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = TrainerInfo::of_binary(&fifo).unwrap_err().to_string();
        assert!(e.contains("trainer binary"), "{e}");
        let own = TrainerInfo::capture().unwrap();
        assert_eq!(own.binary_sha256.len(), 64);
    }
}
