//! The files of a model directory: walked in full, as path components,
//! with ignored paths left out, symbolic links followed only when allowed,
//! and anything that is neither a file nor a directory refused by name.
//! Model signatures and verification summaries check directories through it.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How deep a model directory may nest. Real ones are a few levels deep;
/// a deeper tree is refused by name rather than walked (a chain 1,500
/// folders deep once took the walk 30 s).
pub const MAX_DEPTH: usize = 64;

/// A relative path (`a/b/`) as its components, as [`walk`] lists them.
pub(crate) fn components(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

/// Every regular file under `dir`, as path components: a symbolic link,
/// FIFO, socket or device anywhere in it is an error that names it.
pub fn regular_files(dir: &Path) -> Result<BTreeMap<Vec<String>, PathBuf>> {
    walk(dir, false, &BTreeSet::new())
}

/// Every regular file under `dir`, as path components, skipping ignored
/// paths; anything that is neither a file nor a directory is a digest failure.
/// Linear in the number of entries: a folder is entered only when it is not
/// ignored itself, so each entry's own path is the only one looked up, and
/// the depth is capped at [`MAX_DEPTH`].
pub(crate) fn walk(
    dir: &Path,
    allow_symlinks: bool,
    ignore: &BTreeSet<Vec<String>>,
) -> Result<BTreeMap<Vec<String>, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(dir.to_path_buf(), Vec::<String>::new())];
    while let Some((abs, rel)) = stack.pop() {
        if rel.len() >= MAX_DEPTH {
            return Err(Error::Input(format!(
                "{}/... nests deeper than {MAX_DEPTH} folders, the most a model directory may",
                crate::display::one_line(&rel[..8].join("/"))
            )));
        }
        let entries = std::fs::read_dir(&abs)
            .map_err(|e| Error::Input(format!("cannot list {}: {e}", abs.display())))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::Input(format!("cannot list {}: {e}", abs.display())))?;
            let name = entry
                .file_name()
                .into_string()
                .map_err(|n| Error::Input(format!("non-UTF-8 file name {n:?}")))?;
            let mut child = rel.clone();
            child.push(name);
            if ignore.contains(&child) {
                continue;
            }
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path)
                .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
            let meta = if meta.file_type().is_symlink() {
                if !allow_symlinks {
                    return Err(Error::Digest(format!(
                        "{} is a symbolic link, which this model signature does not allow",
                        child.join("/")
                    )));
                }
                std::fs::metadata(&path)
                    .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?
            } else {
                meta
            };
            if meta.is_dir() {
                stack.push((path, child));
            } else if meta.is_file() {
                out.insert(child, path);
            } else {
                // A FIFO, socket or device has no content to hash: it is
                // never a model file, and never silently left out.
                return Err(Error::Digest(format!(
                    "{} is not a regular file or directory ({}); a model directory holds files only",
                    child.join("/"),
                    kind(&meta.file_type())
                )));
            }
        }
    }
    Ok(out)
}

/// What a special file is, for messages.
#[cfg(not(unix))]
fn kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// What a special file is, for messages.
#[cfg(unix)]
fn kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}
