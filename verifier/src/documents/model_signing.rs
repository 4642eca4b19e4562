//! OpenSSF model signatures (`https://model_signing/signature/v1.0`): check a
//! model directory against the signed manifest, with the model-signing
//! semantics (files or shards, recorded ignore paths, symlink policy).

use crate::digest::Digest;
use crate::documents::hashing::{sha256_jobs, HashJob};
use crate::documents::model_dir::{components, walk};
use crate::error::{Error, Result};
use crate::evidence::statement::Statement;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The model-signing predicate type.
pub use slsa_aibom_types::intoto::MODEL_SIGNING_V1;

#[derive(Debug, Deserialize)]
struct Predicate {
    serialization: Serialization,
    resources: Vec<Resource>,
}

#[derive(Debug, Deserialize)]
struct Serialization {
    method: String,
    hash_type: String,
    #[serde(default)]
    allow_symlinks: bool,
    #[serde(default)]
    ignore_paths: Vec<String>,
    /// The shard size of `shards` (model_signing writes it as a float).
    #[serde(default)]
    shard_size: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Resource {
    name: String,
    algorithm: String,
    digest: String,
}

/// What a successful model check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCheck {
    /// Number of files verified.
    pub files: usize,
    /// The manifest's root digest, recomputed from the bytes on disk.
    pub root: Digest,
}

/// A manifest key: a file's path components and, for shards, the byte range.
pub type Key = (Vec<String>, Option<(u64, u64)>);

/// Whether a resource's algorithm is sha256: `sha256`, or for shards the
/// `sha256-sharded-N` that model_signing 1.1 writes, N being the recorded
/// shard size.
fn sha256_algorithm(algorithm: &str, sharded: bool, shard_size: Option<f64>) -> bool {
    match algorithm.strip_prefix("sha256-sharded-") {
        None => algorithm == "sha256",
        Some(n) => {
            let n = n.parse::<u64>().ok();
            sharded
                && n.is_some()
                && shard_size.is_none_or(|s| Some(s as u64) == n && s.fract() == 0.0)
        }
    }
}

/// The name model_signing gives the one resource of a single-file model.
const SINGLE_FILE: &str = ".";

/// A manifest path as messages show it (`.` for a single-file model).
fn shown(components: &[String]) -> String {
    match components {
        [] => SINGLE_FILE.to_string(),
        _ => components.join("/"),
    }
}

fn parse_name(name: &str, sharded: bool) -> Result<Key> {
    let bad = || {
        Error::Input(format!(
            "model signature resource name {name:?} is malformed"
        ))
    };
    let (path, range) = if sharded {
        let mut parts = name.rsplitn(3, ':');
        let end = parts
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(bad)?;
        let start = parts
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(bad)?;
        let path = parts.next().ok_or_else(bad)?;
        if start > end {
            return Err(bad());
        }
        (path, Some((start, end)))
    } else {
        (name, None)
    };
    if path == SINGLE_FILE {
        return Ok((Vec::new(), range));
    }
    let comps: Vec<String> = path.split('/').map(str::to_string).collect();
    if comps.iter().any(|c| c.is_empty() || c == "." || c == "..") {
        return Err(bad());
    }
    Ok((comps, range))
}

fn list(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
    let more = names.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} (+{more} more)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A model signature's manifest, parsed and checked: how it serialised
/// the model, what it leaves out, and the sha256 of every file (or shard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `shards` rather than `files`.
    pub sharded: bool,
    /// Whether symbolic links may be followed.
    pub allow_symlinks: bool,
    /// Recorded paths to leave out, as path components.
    pub ignore_paths: Vec<Vec<String>>,
    /// Each resource's raw sha256, by path components and shard range, in
    /// manifest order.
    pub resources: BTreeMap<Key, Vec<u8>>,
}

impl Manifest {
    /// Parse the manifest of a model signature statement: the predicate
    /// type, the serialization (`files` or `shards`, sha256 only) and every
    /// resource (a plain relative name, a 32-byte sha256, each once).
    pub fn from_statement(statement: &Statement) -> Result<Self> {
        if statement
            .predicate_type
            .starts_with("https://model_signing/")
            && statement.predicate_type != MODEL_SIGNING_V1
        {
            return Err(Error::Input(format!(
                "unsupported model-signing format {}: this verifier reads {MODEL_SIGNING_V1}, which model_signing 0.3.0 and later write",
                crate::display::one_line(&statement.predicate_type)
            )));
        }
        if statement.predicate_type != MODEL_SIGNING_V1 {
            return Err(Error::Input(format!(
                "a model directory needs a model signature ({MODEL_SIGNING_V1}), this statement is {}",
                statement.predicate_type
            )));
        }
        let pred: Predicate = serde_json::from_value(statement.predicate.clone())
            .map_err(|e| Error::Input(format!("malformed model-signing predicate: {e}")))?;
        let sharded = match pred.serialization.method.as_str() {
            "files" => false,
            "shards" => true,
            other => {
                return Err(Error::Input(format!(
                    "unknown model-signing serialization method {other:?}"
                )))
            }
        };
        if pred.serialization.hash_type != "sha256" {
            return Err(Error::Input(format!(
                "model-signing hash_type {:?} is not supported (sha256 only)",
                pred.serialization.hash_type
            )));
        }
        let shard_size = pred.serialization.shard_size;
        let mut resources = BTreeMap::new();
        for r in &pred.resources {
            if !sha256_algorithm(&r.algorithm, sharded, shard_size) {
                return Err(Error::Input(format!(
                    "resource {} uses unsupported algorithm {}",
                    r.name, r.algorithm
                )));
            }
            let raw = hex::decode(&r.digest)
                .ok()
                .filter(|d| d.len() == 32)
                .ok_or_else(|| {
                    Error::Input(format!("resource {} has a malformed digest", r.name))
                })?;
            if resources
                .insert(parse_name(&r.name, sharded)?, raw)
                .is_some()
            {
                return Err(Error::Input(format!("resource {} appears twice", r.name)));
            }
        }
        Ok(Manifest {
            sharded,
            allow_symlinks: pred.serialization.allow_symlinks,
            ignore_paths: pred
                .serialization
                .ignore_paths
                .iter()
                .map(|p| components(p))
                .collect(),
            resources,
        })
    }
}

/// The paths the walk leaves out: those the signature records, the
/// caller's, and the signature file itself when it lies inside `dir`.
fn ignored_paths(
    manifest: &Manifest,
    dir: &Path,
    signature_file: Option<&Path>,
    extra_ignore: &[String],
) -> BTreeSet<Vec<String>> {
    let mut ignore: BTreeSet<Vec<String>> = manifest
        .ignore_paths
        .iter()
        .cloned()
        .chain(extra_ignore.iter().map(|p| components(p)))
        .collect();
    // Where the signature file itself lies, not where a link at its path
    // points: a `model.sig` that links to a file inside `dir` must not get
    // that file left out of the walk. (Evidence that is a link is refused
    // when it is read; this holds even for a caller that never reads it.)
    let signature_path = signature_file.and_then(|s| {
        let parent = match s.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(parent.canonicalize().ok()?.join(s.file_name()?))
    });
    if let Some(sig) = signature_path {
        if let Ok(root) = dir.canonicalize() {
            if let Ok(rel) = sig.strip_prefix(&root) {
                ignore.insert(
                    rel.iter()
                        .map(|c| c.to_string_lossy().into_owned())
                        .collect(),
                );
            }
        }
    }

    ignore
}

/// Files whose shards do not cover them exactly, from 0 to their length.
fn uncovered_shards(
    expected: &BTreeMap<Key, Vec<u8>>,
    on_disk: &BTreeMap<Vec<String>, std::path::PathBuf>,
) -> BTreeSet<String> {
    let mut changed = BTreeSet::new();
    // The shards of each file must cover it exactly, from 0 to its length.
    for (comps, path) in on_disk {
        let mut ranges: Vec<(u64, u64)> = expected
            .keys()
            .filter(|(p, _)| p == comps)
            .filter_map(|(_, r)| *r)
            .collect();
        if ranges.is_empty() {
            continue;
        }
        ranges.sort_unstable();
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let contiguous = ranges[0].0 == 0 && ranges.windows(2).all(|w| w[0].1 == w[1].0);
        if !contiguous || ranges.last().map(|r| r.1) != Some(len) {
            changed.insert(shown(comps));
        }
    }
    changed
}

/// An error naming every changed, missing and extra file, if any.
fn mismatch(changed: BTreeSet<String>, missing: &[String], extra: &[String]) -> Result<()> {
    if extra.is_empty() && missing.is_empty() && changed.is_empty() {
        return Ok(());
    }
    let mut parts = Vec::new();
    if !changed.is_empty() {
        parts.push(format!(
            "changed files: {}",
            list(&changed.into_iter().collect::<Vec<_>>())
        ));
    }
    if !missing.is_empty() {
        parts.push(format!("missing files: {}", list(missing)));
    }
    if !extra.is_empty() {
        parts.push(format!("extra files: {}", list(extra)));
    }
    Err(Error::Digest(format!(
        "model directory does not match its signature: {}",
        parts.join("; ")
    )))
}

/// Verify `dir` against the model signature `statement`. `signature_file` is
/// left out of the walk when it lies inside `dir`; `extra_ignore` adds paths
/// (relative to `dir`) to those the signature records. Returns the root
/// digest recomputed from disk, which the caller checks against the subject.
pub fn verify_dir(
    statement: &Statement,
    dir: &Path,
    signature_file: Option<&Path>,
    extra_ignore: &[String],
) -> Result<ModelCheck> {
    let manifest = Manifest::from_statement(statement)?;
    if manifest.resources.keys().any(|(p, _)| p.is_empty()) {
        return Err(Error::Input(
            "the model signature is over a single file, not a directory: verify it against that file".into(),
        ));
    }
    let ignore = ignored_paths(&manifest, dir, signature_file, extra_ignore);
    let on_disk = walk(dir, manifest.allow_symlinks, &ignore)?;
    compare(&manifest, &on_disk)
}

/// Verify the single file `file` against a model signature over one file
/// (model_signing names its one resource `.`, whole or in shards). Returns
/// the root digest recomputed from the file.
pub fn verify_file(statement: &Statement, file: &Path) -> Result<ModelCheck> {
    let manifest = Manifest::from_statement(statement)?;
    if manifest.resources.keys().any(|(p, _)| !p.is_empty()) {
        return Err(Error::Input(
            "the model signature is over a directory, not a single file: verify it against the directory".into(),
        ));
    }
    crate::bounded_read::open_regular(file, "model file")?;
    compare(
        &manifest,
        &BTreeMap::from([(Vec::new(), file.to_path_buf())]),
    )
}

/// The files on disk (path components → path) against the manifest: every
/// changed, missing and extra file named, else the root digest.
fn compare(
    manifest: &Manifest,
    on_disk: &BTreeMap<Vec<String>, std::path::PathBuf>,
) -> Result<ModelCheck> {
    let sharded = manifest.sharded;
    let expected = &manifest.resources;
    let signed_files: BTreeSet<&Vec<String>> = expected.keys().map(|(p, _)| p).collect();
    let extra: Vec<String> = on_disk
        .keys()
        .filter(|p| !signed_files.contains(p))
        .map(|p| shown(p))
        .collect();
    let missing: Vec<String> = signed_files
        .iter()
        .filter(|p| !on_disk.contains_key(**p))
        .map(|p| shown(p))
        .collect();

    let mut jobs = Vec::new();
    let mut keys = Vec::new();
    let mut changed = BTreeSet::new();
    for (key, _) in expected.iter() {
        if let Some(path) = on_disk.get(&key.0) {
            jobs.push(HashJob {
                path: path.clone(),
                range: key.1,
            });
            keys.push(key.clone());
        }
    }
    if sharded {
        changed.extend(uncovered_shards(expected, on_disk));
    }
    for (key, result) in keys.iter().zip(sha256_jobs(&jobs, None)) {
        match result {
            Ok(d) if d.as_slice() == expected[key].as_slice() => {}
            Ok(_) | Err(Error::Digest(_)) => {
                changed.insert(shown(&key.0));
            }
            Err(e) => return Err(e),
        }
    }
    mismatch(changed, &missing, &extra)?;
    // Root digest: sha256 over the raw resource digests in manifest order
    // (path components, then shard range), as model-signing computes it.
    let mut root = Sha256::new();
    for digest in expected.values() {
        root.update(digest);
    }
    Ok(ModelCheck {
        files: on_disk.len(),
        root: Digest::sha256(&root.finalize()),
    })
}

/// An unsigned directory's manifest as model-signing computes it (`files`,
/// sha256, no symbolic links, `ignore` left out): every file's sha256 by
/// `/`-joined path, and the root digest, sha256 over the file digests in
/// path order. Anything that is neither a file nor a directory is refused.
pub fn dir_manifest(dir: &Path, ignore: &[String]) -> Result<(Digest, BTreeMap<String, [u8; 32]>)> {
    let ignore: BTreeSet<Vec<String>> = ignore.iter().map(|p| components(p)).collect();
    let on_disk = walk(dir, false, &ignore)?;
    let jobs: Vec<HashJob> = on_disk
        .values()
        .map(|path| HashJob {
            path: path.clone(),
            range: None,
        })
        .collect();
    let mut root = Sha256::new();
    let mut files = BTreeMap::new();
    for (comps, digest) in on_disk.keys().zip(sha256_jobs(&jobs, None)) {
        let digest = digest?;
        root.update(digest);
        files.insert(comps.join("/"), digest);
    }
    Ok((Digest::sha256(&root.finalize()), files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_model_signing_format_is_named_as_unsupported() {
        let mut st: Statement = serde_json::from_value(serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "m", "digest": {"sha256": "00"}}],
            "predicateType": "https://model_signing/Digests/v0.1",
            "predicate": {}
        }))
        .unwrap();
        let e = Manifest::from_statement(&st).unwrap_err();
        assert!(
            e.detail()
                .starts_with("unsupported model-signing format https://model_signing/Digests/v0.1"),
            "{e}"
        );
        st.predicate_type = "https://slsa.dev/provenance/v1".into();
        let e = Manifest::from_statement(&st).unwrap_err();
        assert!(e.detail().contains("needs a model signature"), "{e}");
    }

    #[test]
    fn sharded_sha256_names_its_shard_size_and_nothing_else_passes_for_sha256() {
        assert!(sha256_algorithm("sha256", false, None));
        assert!(sha256_algorithm("sha256-sharded-1000", true, Some(1000.0)));
        assert!(sha256_algorithm("sha256-sharded-1000", true, None));
        assert!(!sha256_algorithm("sha256-sharded-1000", false, None));
        assert!(!sha256_algorithm("sha256-sharded-1000", true, Some(999.0)));
        assert!(!sha256_algorithm("sha256-sharded-1000", true, Some(1000.5)));
        assert!(!sha256_algorithm("sha256-sharded-x", true, None));
        assert!(!sha256_algorithm("blake2b", false, None));
    }
    use crate::evidence::statement::{IN_TOTO_PAYLOAD_TYPE, STATEMENT_V1};

    fn sha(b: &[u8]) -> String {
        hex::encode(Sha256::digest(b))
    }

    fn statement(resources: &str, method: &str) -> Statement {
        let p = format!(
            r#"{{"_type":"{STATEMENT_V1}","subject":[{{"name":"m","digest":{{"sha256":"00"}}}}],"predicateType":"{MODEL_SIGNING_V1}",
            "predicate":{{"serialization":{{"method":"{method}","hash_type":"sha256","allow_symlinks":false,"ignore_paths":["skip"]}},"resources":{resources}}}}}"#
        );
        crate::evidence::statement::from_payload(IN_TOTO_PAYLOAD_TYPE, p.as_bytes()).unwrap()
    }

    #[test]
    fn files_extra_missing_changed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a"), b"A").unwrap();
        std::fs::write(dir.path().join("sub/b"), b"B").unwrap();
        std::fs::write(dir.path().join("skip"), b"ignored").unwrap();
        let st = statement(
            &format!(
                r#"[{{"name":"a","algorithm":"sha256","digest":"{}"}},{{"name":"sub/b","algorithm":"sha256","digest":"{}"}}]"#,
                sha(b"A"),
                sha(b"B")
            ),
            "files",
        );
        let ok = verify_dir(&st, dir.path(), None, &[]).unwrap();
        assert_eq!(ok.files, 2);
        let mut cat = hex::decode(sha(b"A")).unwrap();
        cat.extend(hex::decode(sha(b"B")).unwrap());
        assert_eq!(ok.root.value, sha(&cat));

        std::fs::write(dir.path().join("sub/b"), b"X").unwrap();
        std::fs::write(dir.path().join("c"), b"C").unwrap();
        std::fs::remove_file(dir.path().join("a")).unwrap();
        let err = verify_dir(&st, dir.path(), None, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("changed files: sub/b"), "{err}");
        assert!(err.contains("missing files: a"), "{err}");
        assert!(err.contains("extra files: c"), "{err}");
        assert!(verify_dir(&st, dir.path(), None, &["c".into()])
            .unwrap_err()
            .to_string()
            .contains("sub/b"));
    }

    #[cfg(unix)]
    #[test]
    fn a_signature_path_that_links_into_the_directory_hides_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        std::fs::create_dir(&model).unwrap();
        std::fs::write(model.join("a"), b"A").unwrap();
        let st = statement(
            &format!(
                r#"[{{"name":"a","algorithm":"sha256","digest":"{}"}}]"#,
                sha(b"A")
            ),
            "files",
        );
        // The file a link at the signature's path points to is still walked.
        std::fs::write(model.join("weights-extra.bin"), b"unsigned").unwrap();
        let sig = dir.path().join("model.sig");
        std::os::unix::fs::symlink(model.join("weights-extra.bin"), &sig).unwrap();
        let err = verify_dir(&st, &model, Some(&sig), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("extra files: weights-extra.bin"), "{err}");
        // A signature file that really lies inside the directory is left out.
        std::fs::remove_file(model.join("weights-extra.bin")).unwrap();
        std::fs::write(model.join("model.sig"), b"{}").unwrap();
        let inside = model.join("model.sig");
        assert_eq!(
            verify_dir(&st, &model, Some(&inside), &[]).unwrap().files,
            1
        );
    }

    #[test]
    fn a_tree_deeper_than_the_limit_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut deep = dir.path().to_path_buf();
        for _ in 0..crate::documents::model_dir::MAX_DEPTH {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("w"), b"W").unwrap();
        let st = statement("[]", "files");
        let err = verify_dir(&st, dir.path(), None, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("nests deeper than 64 folders"), "{err}");
        // One level less is walked (and the file is extra).
        std::fs::remove_dir_all(dir.path().join("d")).unwrap();
        let mut ok = dir.path().to_path_buf();
        for _ in 0..crate::documents::model_dir::MAX_DEPTH - 1 {
            ok.push("d");
        }
        std::fs::create_dir_all(&ok).unwrap();
        std::fs::write(ok.join("w"), b"W").unwrap();
        let err = verify_dir(&st, dir.path(), None, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("extra files: d/d/"), "{err}");
    }

    #[test]
    fn shards_must_cover_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("w"), b"0123456789").unwrap();
        let res = format!(
            r#"[{{"name":"w:0:4","algorithm":"sha256","digest":"{}"}},{{"name":"w:4:10","algorithm":"sha256","digest":"{}"}}]"#,
            sha(b"0123"),
            sha(b"456789")
        );
        assert_eq!(
            verify_dir(&statement(&res, "shards"), dir.path(), None, &[])
                .unwrap()
                .files,
            1
        );
        std::fs::write(dir.path().join("w"), b"0123456789X").unwrap();
        assert!(matches!(
            verify_dir(&statement(&res, "shards"), dir.path(), None, &[]),
            Err(Error::Digest(_))
        ));
        // Shards whose own bytes match but leave a gap, overlap, or start
        // late do not cover the file.
        std::fs::write(dir.path().join("w"), b"0123456789").unwrap();
        for (a, b) in [((0, 4), (5, 10)), ((0, 5), (4, 10)), ((1, 4), (4, 10))] {
            let bytes = b"0123456789";
            let res = format!(
                r#"[{{"name":"w:{}:{}","algorithm":"sha256","digest":"{}"}},{{"name":"w:{}:{}","algorithm":"sha256","digest":"{}"}}]"#,
                a.0,
                a.1,
                sha(&bytes[a.0..a.1]),
                b.0,
                b.1,
                sha(&bytes[b.0..b.1])
            );
            let e = verify_dir(&statement(&res, "shards"), dir.path(), None, &[]).unwrap_err();
            assert!(e.detail().contains("changed files: w"), "{a:?} {b:?}: {e}");
        }
    }

    /// A single-file model is a regular file: a FIFO in its place is
    /// refused by name, without blocking, and so is the wrong kind of
    /// signature for the subject.
    #[cfg(unix)]
    #[test]
    fn a_single_file_model_must_be_a_regular_file_and_signed_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("model.bin");
        std::fs::write(&file, b"weights").unwrap();
        let single = statement(
            &format!(
                r#"[{{"name":".","algorithm":"sha256","digest":"{}"}}]"#,
                sha(b"weights")
            ),
            "files",
        );
        assert!(verify_file(&single, &file).is_ok());
        std::fs::write(&file, b"weightz").unwrap();
        assert!(matches!(verify_file(&single, &file), Err(Error::Digest(_))));
        let fifo = dir.path().join("fifo.bin");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path it is given.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = verify_file(&single, &fifo).unwrap_err();
        assert!(e.detail().contains("not a regular file"), "{e}");
        assert!(verify_dir(&single, dir.path(), None, &[])
            .unwrap_err()
            .detail()
            .contains("over a single file"));
        let directory = statement(
            &format!(
                r#"[{{"name":"a","algorithm":"sha256","digest":"{}"}}]"#,
                sha(b"x")
            ),
            "files",
        );
        assert!(verify_file(&directory, &file)
            .unwrap_err()
            .detail()
            .contains("over a directory"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_refused_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"A").unwrap();
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("link")).unwrap();
        let st = statement(
            &format!(
                r#"[{{"name":"a","algorithm":"sha256","digest":"{}"}}]"#,
                sha(b"A")
            ),
            "files",
        );
        assert!(verify_dir(&st, dir.path(), None, &[])
            .unwrap_err()
            .to_string()
            .contains("symbolic link"));
    }

    #[test]
    fn resource_names_are_relative_paths_and_shard_ranges_run_forwards() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_name("a/b", false).unwrap(), (v(&["a", "b"]), None));
        assert_eq!(parse_name(".", false).unwrap(), (Vec::new(), None));
        assert_eq!(
            parse_name("w:4:10", true).unwrap(),
            (v(&["w"]), Some((4, 10)))
        );
        // An empty shard (start == end) is a range; a backwards one is not.
        assert_eq!(
            parse_name("w:4:4", true).unwrap(),
            (v(&["w"]), Some((4, 4)))
        );
        assert_eq!(
            parse_name(".:0:3", true).unwrap(),
            (Vec::new(), Some((0, 3)))
        );
        for bad in ["", "a//b", "/a", "a/", "./a", "a/./b", "../a", "a/.."] {
            assert!(parse_name(bad, false).is_err(), "{bad:?}");
        }
        for bad in ["w:5:4", "w:4", "w:x:4", "w:4:y", "4:10"] {
            assert!(parse_name(bad, true).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn messages_list_ten_names_and_count_the_rest() {
        let names: Vec<String> = (0..12).map(|i| format!("f{i}")).collect();
        assert_eq!(list(&names[..10]), "f0, f1, f2, f3, f4, f5, f6, f7, f8, f9");
        assert_eq!(
            list(&names),
            "f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 (+2 more)"
        );
        assert_eq!(list(&names[..1]), "f0");
        assert_eq!(shown(&[]), ".");
        assert_eq!(shown(&["a".into(), "b".into()]), "a/b");
    }

    /// A signature path given without a folder lies in the current one
    /// (cargo runs tests in the package's folder, which holds Cargo.toml).
    #[test]
    fn a_bare_signature_name_is_found_in_the_current_folder() {
        let st = statement("[]", "files");
        let manifest = Manifest::from_statement(&st).unwrap();
        let ignored = ignored_paths(
            &manifest,
            Path::new("."),
            Some(Path::new("Cargo.toml")),
            &[],
        );
        assert!(
            ignored.contains(&vec!["Cargo.toml".to_string()]),
            "{ignored:?}"
        );
        assert!(ignored.contains(&vec!["skip".to_string()]), "{ignored:?}");
    }
}
