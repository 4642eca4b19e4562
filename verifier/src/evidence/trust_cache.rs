//! Trusted roots kept current over TUF.
//!
//! [`update`] refreshes one source's `trusted_root.json` and
//! `signing_config.json` from its TUF repository, starting from the root
//! metadata this library embeds (or one the caller gives), with
//! `sigstore-trust-root`'s TUF client: the chain of root versions, then the
//! timestamp, snapshot and targets, each signed, unexpired and not rolled
//! back, and every target held to its pinned length and hash.
//!
//! The result goes into a per-user cache, one folder per source. An update
//! is written into a new generation folder and made current by renaming a
//! symbolic link over the old one, so a failed or interrupted update leaves
//! the previous cache as it was, and usable. [`load`] re-verifies the
//! current generation offline from the same bootstrap root before anything
//! in it is trusted: the cache is writable, so its bytes are input, not
//! trust. Nothing here runs unless a caller asks; verification itself never
//! goes to the network.

use crate::bounded_read::{read_text, SMALL_LIMIT};
use crate::error::{Error, Result};
use crate::evidence::trust::{Instance, TrustRoot};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sigstore_trust_root::{
    fetch_trust_material_at, SigstoreInstance, TrustedRoot, TufBootstrap, TufConfig,
};
use std::path::{Path, PathBuf};

/// Where a trusted root is refreshed from: a TUF repository, and the root
/// metadata that trust in it starts from.
#[derive(Debug, Clone)]
pub struct TufSource {
    name: String,
    url: String,
    bootstrap: Vec<u8>,
}

impl TufSource {
    /// An embedded instance's repository, from its embedded TUF root.
    pub fn instance(instance: Instance) -> Self {
        let sigstore = sigstore_instance(instance);
        TufSource {
            name: instance.name().to_string(),
            url: sigstore.tuf_url().to_string(),
            bootstrap: sigstore.tuf_root().to_vec(),
        }
    }

    /// An embedded instance's repository served from another URL (a
    /// mirror): what it serves is still checked against the instance's root.
    pub fn mirror(instance: Instance, url: &str) -> Self {
        TufSource {
            url: url.to_string(),
            ..TufSource::instance(instance)
        }
    }

    /// Another repository, from the root metadata `root_json` (for a private
    /// Sigstore instance). Its cache folder is named after the URL.
    pub fn custom(url: &str, root_json: Vec<u8>) -> Self {
        use sha2::Digest as _;
        let tag = hex::encode(sha2::Sha256::digest(url.trim_end_matches('/').as_bytes()));
        TufSource {
            name: format!("custom-{}", &tag[..16]),
            url: url.to_string(),
            bootstrap: root_json,
        }
    }

    /// The cache folder's name: the instance, or `custom-HASH`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The repository's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn config(&self, tuf_dir: &Path) -> TufConfig {
        TufConfig::custom(&self.url, TufBootstrap::trusted(&self.bootstrap))
            .with_cache_dir(tuf_dir.to_path_buf())
    }
}

fn sigstore_instance(instance: Instance) -> SigstoreInstance {
    match instance {
        Instance::PublicGood => SigstoreInstance::PublicGood,
        Instance::GitHub => SigstoreInstance::GitHub,
        Instance::Staging => SigstoreInstance::Staging,
    }
}

/// The per-user cache of refreshed roots.
#[derive(Debug, Clone)]
pub struct TrustCache {
    base: PathBuf,
}

impl TrustCache {
    /// A cache in `base`.
    pub fn at(base: impl Into<PathBuf>) -> Self {
        TrustCache { base: base.into() }
    }

    /// The per-user cache: `$SLSA_AIBOM_CACHE`, else
    /// `$XDG_CACHE_HOME/slsa-aibom/trust`, else `$HOME/.cache/slsa-aibom/trust`.
    pub fn per_user() -> Result<Self> {
        Self::per_user_from(|name| std::env::var_os(name))
    }

    /// [`TrustCache::per_user`] with the environment read through `env`.
    fn per_user_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<Self> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(dir) = var("SLSA_AIBOM_CACHE") {
            return Ok(TrustCache::at(dir));
        }
        let cache_home = var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .ok_or_else(|| {
                Error::Input("no cache folder: set SLSA_AIBOM_CACHE, XDG_CACHE_HOME or HOME".into())
            })?;
        Ok(TrustCache::at(cache_home.join("slsa-aibom").join("trust")))
    }

    /// The cache's folder.
    pub fn dir(&self) -> &Path {
        &self.base
    }

    fn entry(&self, source: &TufSource) -> PathBuf {
        self.base.join(&source.name)
    }
}

/// What an update records beside the files: where from, and when. The
/// expiry and the root version are read from the TUF metadata itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct State {
    url: String,
    updated: Timestamp,
}

/// A refreshed root from the cache, verified offline just now.
#[derive(Debug, Clone)]
pub struct CachedTrust {
    /// The root; its origin names the cache, the update time and its age.
    pub root: TrustRoot,
    /// When the update that fetched it ran.
    pub updated: Timestamp,
    /// When its TUF metadata expires: after that, run an update again.
    pub expires: Timestamp,
    /// The TUF root version the update ended at.
    pub root_version: u64,
    /// The generation folder (`trusted_root.json`, `signing_config.json`).
    pub dir: PathBuf,
}

/// What the cache holds for a source.
#[derive(Debug, Clone)]
pub enum CacheState {
    /// No update has run for this source.
    Missing,
    /// A root that verified offline.
    Fresh(CachedTrust),
    /// The TUF metadata has expired: the root is not used until an update.
    Stale {
        /// When it expired.
        expired: Timestamp,
    },
    /// The cache did not verify (tampered, truncated, or from another root).
    Invalid(String),
}

const CURRENT: &str = "current";
const STATE: &str = "state.json";

/// Refresh `source` into `cache` at time `now`. On any failure the previous
/// cache is left as it was.
pub fn update(cache: &TrustCache, source: &TufSource, now: Timestamp) -> Result<CachedTrust> {
    let entry = cache.entry(source);
    std::fs::create_dir_all(&entry).map_err(|e| io_error(&entry, e))?;
    remove_unfinished(&entry);
    let generation = format!(".gen-{}-{}", now.as_nanosecond(), std::process::id());
    let dir = entry.join(&generation);
    let result = fill_generation(&entry, &dir, source, now)
        .and_then(|root| make_current(&entry, &generation).map(|()| root));
    match result {
        Ok(root) => {
            remove_old_generations(&entry, &generation);
            cached_trust(source, &entry.join(&generation), root, now, now)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(e)
        }
    }
}

/// Fetch into the new generation `dir`, starting from the current
/// generation's metadata so that its versions are the floor (no rollback
/// across updates). Returns the verified root.
fn fill_generation(
    entry: &Path,
    dir: &Path,
    source: &TufSource,
    now: Timestamp,
) -> Result<TrustedRoot> {
    let tuf_dir = dir.join("tuf");
    std::fs::create_dir_all(&tuf_dir).map_err(|e| io_error(&tuf_dir, e))?;
    if let Ok(current) = std::fs::canonicalize(entry.join(CURRENT)) {
        copy_files(&current.join("tuf"), &tuf_dir)?;
    }
    let (root, signing) = block_on(fetch_trust_material_at(source.config(&tuf_dir), now))?
        .map_err(|e| update_error(&source.url, &e.to_string()))?;
    write(&dir.join("trusted_root.json"), &pretty(&root)?)?;
    write(&dir.join("signing_config.json"), &pretty(&signing)?)?;
    let state = State {
        url: source.url.clone(),
        updated: now,
    };
    write(&dir.join(STATE), &pretty(&state)?)?;
    Ok(root)
}

/// Point `entry/current` at `generation`: a new link renamed over the old
/// one, which is atomic.
#[cfg(unix)]
fn make_current(entry: &Path, generation: &str) -> Result<()> {
    let link = entry.join(format!(".current-{}", std::process::id()));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(generation, &link).map_err(|e| io_error(&link, e))?;
    std::fs::rename(&link, entry.join(CURRENT)).map_err(|e| io_error(&link, e))
}

#[cfg(not(unix))]
fn make_current(_: &Path, _: &str) -> Result<()> {
    Err(Error::Input(
        "updating trusted roots needs a Unix file system (an atomic link swap)".into(),
    ))
}

/// Read the cache for `source` and verify it offline at `now`.
pub fn load(cache: &TrustCache, source: &TufSource, now: Timestamp) -> CacheState {
    let entry = cache.entry(source);
    let current = entry.join(CURRENT);
    let dir = match std::fs::canonicalize(&current) {
        Ok(dir) => dir,
        // No link at all: no update ran. A link that leads nowhere is a
        // damaged cache, and said so.
        Err(_) if std::fs::symlink_metadata(&current).is_err() => return CacheState::Missing,
        Err(e) => {
            return CacheState::Invalid(format!(
                "its `current` link {} is broken ({e})",
                current.display()
            ))
        }
    };
    if let Err(e) = check_generation_files(&dir) {
        return CacheState::Invalid(e.detail().into_owned());
    }
    let state = match read_state(&dir) {
        Ok(s) => s,
        Err(e) => return CacheState::Invalid(e.detail().into_owned()),
    };
    let verified = verify_offline(source, &dir, now)
        .and_then(|root| cached_trust(source, &dir, root, state.updated, now));
    match verified {
        Ok(c) => CacheState::Fresh(c),
        // Past its expiry, which is why it did not verify.
        Err(e) => match earliest_expiry(&dir.join("tuf")) {
            Ok(expired) if expired <= now => CacheState::Stale { expired },
            _ => CacheState::Invalid(e.detail().into_owned()),
        },
    }
}

/// Every file of the generation `dir` is a regular file, not a link, within
/// the size limit, and JSON with unique keys, before the TUF client (which
/// opens them itself) or anything else reads them: a FIFO planted in the
/// cache must not hang a verification, nor `/dev/zero` exhaust its memory.
fn check_generation_files(dir: &Path) -> Result<()> {
    let mut folders = vec![(dir.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| io_error(&folder, e))?;
        for entry in entries {
            let path = entry.map_err(|e| io_error(&folder, e))?.path();
            let kind = std::fs::symlink_metadata(&path).map_err(|e| io_error(&path, e))?;
            // A generation is `tuf/targets/` deep at most.
            if kind.file_type().is_dir() && depth < 2 {
                folders.push((path, depth + 1));
                continue;
            }
            if !kind.file_type().is_file() {
                return Err(Error::Input(format!(
                    "{} is not a regular file (a link, FIFO, device or too deep a folder)",
                    path.display()
                )));
            }
            let text = read_text(&path, 16 * SMALL_LIMIT, "trust cache file")?;
            // The TUF client leaves some files empty; a document it reads
            // must not repeat a key (its parser and ours would differ).
            if !text.trim().is_empty() {
                crate::json::check_unique_keys(text.as_bytes())
                    .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
            }
        }
    }
    Ok(())
}

/// The root of the generation `dir`, verified offline from the bootstrap
/// root: every metadata file and the target itself, as an update checks them.
fn verify_offline(source: &TufSource, dir: &Path, now: Timestamp) -> Result<TrustedRoot> {
    let config = source.config(&dir.join("tuf")).offline();
    let (root, _) = block_on(fetch_trust_material_at(config, now))?
        .map_err(|e| Error::Crypto(format!("the cached TUF metadata does not verify: {e}")))?;
    Ok(root)
}

/// A verified `root` of the generation `dir`, with its update time, its
/// expiry and TUF root version (read from the metadata it verified with),
/// and an origin that says all three.
fn cached_trust(
    source: &TufSource,
    dir: &Path,
    root: TrustedRoot,
    updated: Timestamp,
    now: Timestamp,
) -> Result<CachedTrust> {
    let tuf = dir.join("tuf");
    let expires = earliest_expiry(&tuf)?;
    let root_version = metadata_field(&tuf.join("root.json"), "version")?
        .as_u64()
        .unwrap_or_default();
    let days = (now.as_second() - updated.as_second()).max(0) / 86_400;
    Ok(CachedTrust {
        root: TrustRoot {
            root,
            origin: format!(
                "tuf-cache:{} (updated {updated}, {days} day(s) old; TUF metadata expires {expires})",
                source.name
            ),
        },
        updated,
        expires,
        root_version,
        dir: dir.to_path_buf(),
    })
}

/// The root to verify with for `instance`: the cached one when it is fresh
/// and newer than the embedded one, else the embedded one. The notes say
/// why, for the caller to show (a stale or invalid cache is never silent).
pub fn cached_or_embedded(
    cache: &TrustCache,
    instance: Instance,
    now: Timestamp,
) -> (TrustRoot, Vec<String>) {
    let source = TufSource::instance(instance);
    prefer_fresh(
        TrustRoot::embedded(instance),
        load(cache, &source, now),
        &source,
    )
}

/// `cached` when it is fresh and newer than `embedded`, else `embedded`,
/// with a note when the cache is stale or does not verify.
pub fn prefer_fresh(
    embedded: TrustRoot,
    cached: CacheState,
    source: &TufSource,
) -> (TrustRoot, Vec<String>) {
    match cached {
        CacheState::Missing => (embedded, Vec::new()),
        CacheState::Fresh(c) if newest_start(&c.root.root) > newest_start(&embedded.root) => {
            (c.root, Vec::new())
        }
        CacheState::Fresh(_) => (embedded, Vec::new()),
        CacheState::Stale { expired } => (
            embedded,
            vec![format!(
                "the TUF cache of {} expired at {expired}: verifying with the embedded root; refresh the cache",
                source.name
            )],
        ),
        CacheState::Invalid(why) => (
            embedded,
            vec![format!(
                "the TUF cache of {} does not verify ({why}): verifying with the embedded root; refresh the cache",
                source.name
            )],
        ),
    }
}

/// The latest `validFor.start` of any key in `root`: how recent it is.
fn newest_start(root: &TrustedRoot) -> Option<Timestamp> {
    fn walk(v: &serde_json::Value, newest: &mut Option<Timestamp>) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(t) = o
                    .get("validFor")
                    .and_then(|f| f["start"].as_str())
                    .and_then(|s| s.parse::<Timestamp>().ok())
                {
                    *newest = (*newest).max(Some(t));
                }
                o.values().for_each(|x| walk(x, newest));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, newest)),
            _ => {}
        }
    }
    let mut newest = None;
    walk(&serde_json::to_value(root).ok()?, &mut newest);
    newest
}

fn read_state(dir: &Path) -> Result<State> {
    let text = read_text(&dir.join(STATE), SMALL_LIMIT, "trust cache state")?;
    crate::json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: {e}", dir.join(STATE).display())))
}

/// The earliest `signed.expires` of the four top-level metadata files.
fn earliest_expiry(tuf_dir: &Path) -> Result<Timestamp> {
    [
        "root.json",
        "timestamp.json",
        "snapshot.json",
        "targets.json",
    ]
    .iter()
    .map(|name| {
        let v = metadata_field(&tuf_dir.join(name), "expires")?;
        v.as_str()
            .and_then(|s| s.parse::<Timestamp>().ok())
            .ok_or_else(|| Error::Input(format!("{name}: no expiry")))
    })
    .try_fold(None::<Timestamp>, |min, t| {
        t.map(|t| Some(min.map_or(t, |m| m.min(t))))
    })?
    .ok_or_else(|| Error::Input("no TUF metadata".into()))
}

/// `signed.FIELD` of a (verified) metadata file the update just stored.
fn metadata_field(path: &Path, field: &str) -> Result<serde_json::Value> {
    let text = read_text(path, 16 * SMALL_LIMIT, "TUF metadata")?;
    let v: serde_json::Value = crate::json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    Ok(v["signed"][field].clone())
}

/// Run `future` to completion on a runtime of its own.
fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Input(format!("cannot start an async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// Copy the regular files below `from` into `to` (missing `from`: nothing).
fn copy_files(from: &Path, to: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let kind = e.file_type().map_err(|err| io_error(&src, err))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&dst).map_err(|err| io_error(&dst, err))?;
            copy_files(&src, &dst)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).map_err(|err| io_error(&dst, err))?;
        }
    }
    Ok(())
}

/// Generation folders an interrupted update left behind.
fn remove_unfinished(entry: &Path) {
    let current = std::fs::read_link(entry.join(CURRENT)).ok();
    for e in std::fs::read_dir(entry).into_iter().flatten().flatten() {
        let name = e.file_name();
        let unfinished = name.to_string_lossy().starts_with(".gen-")
            && current.as_deref() != Some(Path::new(&name));
        if unfinished {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Every generation but `keep`.
fn remove_old_generations(entry: &Path, keep: &str) {
    for e in std::fs::read_dir(entry).into_iter().flatten().flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with(".gen-") && name != keep {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A failed update's error: the repository could not be reached or read
/// (an input error, exit 2), or what it served did not verify (exit 3).
fn update_error(url: &str, message: &str) -> Error {
    let message = format!("TUF update from {url}: {message}");
    if message.contains("transport error") {
        Error::Input(message)
    } else {
        Error::Crypto(message)
    }
}

fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(|e| Error::Input(format!("cannot serialise: {e}")))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Input(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_repository_is_an_input_error_and_a_bad_one_a_crypto_error() {
        let e = update_error("u", "TUF error: transport error: GET u/2.root.json failed");
        assert!(matches!(e, Error::Input(_)), "{e}");
        let e = update_error("u", "TUF error: rollback detected for snapshot");
        assert!(matches!(e, Error::Crypto(_)), "{e}");
    }

    #[test]
    fn the_per_user_cache_follows_the_environment() {
        // The lookup order, through an environment of the test's own (the
        // process's belongs to the user and to other tests).
        fn dir(pairs: &[(&str, &str)]) -> Result<std::path::PathBuf> {
            let env = |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            };
            TrustCache::per_user_from(env).map(|c| c.dir().to_path_buf())
        }
        let all = [
            ("SLSA_AIBOM_CACHE", "/own"),
            ("XDG_CACHE_HOME", "/xdg"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(dir(&all).unwrap(), Path::new("/own"));
        assert_eq!(dir(&all[1..]).unwrap(), Path::new("/xdg/slsa-aibom/trust"));
        assert_eq!(
            dir(&all[2..]).unwrap(),
            Path::new("/home/u/.cache/slsa-aibom/trust")
        );
        // An empty variable counts as unset.
        let empty = [
            ("SLSA_AIBOM_CACHE", ""),
            ("XDG_CACHE_HOME", ""),
            ("HOME", "/h"),
        ];
        assert_eq!(
            dir(&empty).unwrap(),
            Path::new("/h/.cache/slsa-aibom/trust")
        );
        assert!(dir(&[]).is_err());

        let base = TrustCache::at("/x");
        assert_eq!(base.dir(), Path::new("/x"));
        let source = TufSource::instance(Instance::GitHub);
        assert_eq!(base.entry(&source), Path::new("/x/github"));
        let custom = TufSource::custom("https://tuf.example/", b"{}".to_vec());
        assert_eq!(
            custom.name(),
            TufSource::custom("https://tuf.example", Vec::new()).name()
        );
        assert!(custom.name().starts_with("custom-"));
    }
}
