//! Parallel sha256 over files and byte ranges of files, spread over all cores.

use crate::error::{Error, Result};
use sha2::{Digest as _, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One unit of hashing work: a whole file, or the byte range `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashJob {
    /// The file.
    pub path: PathBuf,
    /// The range, or `None` for the whole file.
    pub range: Option<(u64, u64)>,
}

fn hash_one(job: &HashJob) -> Result<[u8; 32]> {
    let io = |e: std::io::Error| Error::Input(format!("cannot read {}: {e}", job.path.display()));
    let mut file = crate::bounded_read::open_regular(&job.path, "file")?;
    let mut remaining = match job.range {
        Some((start, end)) => {
            file.seek(SeekFrom::Start(start)).map_err(io)?;
            end.saturating_sub(start)
        }
        None => u64::MAX,
    };
    let mut hasher = Sha256::new();
    // 256 KiB stays in L2 between the copy out of the page cache and the
    // hash; 1 MiB measured 3 points slower (benches/hashing.rs).
    let mut buf = vec![0u8; 256 << 10];
    while remaining > 0 {
        let want = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let n = file.read(&mut buf[..want]).map_err(io)?;
        if n == 0 {
            if job.range.is_some() {
                return Err(Error::Digest(format!(
                    "{} is shorter than its signed shards",
                    job.path.display()
                )));
            }
            break;
        }
        hasher.update(&buf[..n]);
        remaining -= n as u64;
    }
    Ok(hasher.finalize().into())
}

/// sha256 of a whole file, streamed (the file is never held in memory).
pub fn sha256_file(path: &std::path::Path) -> Result<[u8; 32]> {
    hash_one(&HashJob {
        path: path.to_path_buf(),
        range: None,
    })
}

/// Hash every job, in parallel over `threads` workers (all cores when `None`).
/// Results come back in job order.
pub fn sha256_jobs(jobs: &[HashJob], threads: Option<usize>) -> Vec<Result<[u8; 32]>> {
    let workers = threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<[u8; 32]>>> = vec![None; jobs.len()];
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        done.push((i, hash_one(job)));
                    }
                    done
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().unwrap_or_default() {
                results[i] = Some(r);
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::Input("hashing worker failed".into()))))
        .collect()
}

/// `(name, sha256)` of every regular file under `dir` (names `/`-separated,
/// relative to `dir`; symbolic links refused), leaving out the paths in
/// `ignore`.
pub fn sha256_tree(
    dir: &std::path::Path,
    ignore: &[String],
) -> Result<std::collections::BTreeSet<(String, String)>> {
    let ignore: std::collections::BTreeSet<Vec<String>> = ignore
        .iter()
        .map(|p| crate::documents::model_dir::components(p))
        .collect();
    let files = crate::documents::model_dir::walk(dir, false, &ignore)?;
    let jobs: Vec<HashJob> = files
        .values()
        .map(|p| HashJob {
            path: p.clone(),
            range: None,
        })
        .collect();
    files
        .keys()
        .zip(sha256_jobs(&jobs, None))
        .map(|(name, d)| Ok((name.join("/"), hex::encode(d?))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_whole_files_agree_with_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"hello world").unwrap();
        let jobs = vec![
            HashJob {
                path: p.clone(),
                range: None,
            },
            HashJob {
                path: p.clone(),
                range: Some((6, 11)),
            },
            HashJob {
                path: p.clone(),
                range: Some((6, 20)),
            },
        ];
        let r = sha256_jobs(&jobs, Some(2));
        assert_eq!(
            hex::encode(r[0].as_ref().unwrap()),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            r[1].as_ref().unwrap(),
            &<[u8; 32]>::from(Sha256::digest(b"world"))
        );
        assert!(matches!(r[2], Err(Error::Digest(_))));
    }
}
