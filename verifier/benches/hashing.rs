//! Output hashing throughput on a multi-GB file: our `hashing` module with
//! one worker and sharded over every core, against Debian's `sha256sum` on
//! the same file in the same run, with the in-memory single-core SHA-256 rate
//! (SHA-NI where the CPU has it) as the reference.
//!
//! ```text
//! cargo bench -p slsa-aibom-verify --bench hashing            # 4 GiB
//! HASH_BENCH_GIB=8 cargo bench -p slsa-aibom-verify --bench hashing
//! ```
//!
//! Under `cargo test` (no `--bench` argument) it runs once on a 4 MiB file
//! as a smoke test of the same code and digest checks.
//!
//! The file is written once and read once before timing, so every figure is
//! hashing from the page cache, not disk speed. Each figure is the best of
//! three runs.

use sha2::{Digest as _, Sha256};
use slsa_aibom_verify::documents::hashing::{sha256_jobs, HashJob};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const MIB: u64 = 1 << 20;
const SHARD: u64 = 256 * MIB;

/// Seconds of the fastest of three runs of `f`, and its last result.
fn best_of_3<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("ran three times"))
}

/// A file of `bytes` pseudo-random bytes (xorshift, so it does not compress).
fn write_file(path: &Path, bytes: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create bench file"));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; MIB as usize];
    for _ in 0..bytes / MIB {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        out.write_all(&block).expect("write bench file");
    }
    out.flush().expect("flush bench file");
}

fn whole(path: &Path) -> Vec<HashJob> {
    vec![HashJob {
        path: path.to_path_buf(),
        range: None,
    }]
}

fn shards(path: &Path, bytes: u64) -> Vec<HashJob> {
    (0..bytes.div_ceil(SHARD))
        .map(|i| HashJob {
            path: path.to_path_buf(),
            range: Some((i * SHARD, ((i + 1) * SHARD).min(bytes))),
        })
        .collect()
}

/// The same digest over a read-only memory map (no copy out of the page
/// cache), to size what `read` costs. Not used by the library: a file
/// truncated while mapped kills the process with SIGBUS.
fn mmap_sha256(path: &Path) -> String {
    let file = std::fs::File::open(path).expect("open bench file");
    // SAFETY: the bench owns the file and nothing else writes it.
    let map = unsafe { memmap2::Mmap::map(&file) }.expect("map bench file");
    let _ = map.advise(memmap2::Advice::Sequential);
    hex::encode(Sha256::digest(&map[..]))
}

fn sha256sum(path: &Path) -> Option<String> {
    let out = Command::new("sha256sum").arg(path).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.split_whitespace().next()?.to_string())
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        run(4 * MIB);
        println!("hashing bench: smoke run on 4 MiB (use `cargo bench` for figures)");
        return;
    }
    let gib: u64 = std::env::var("HASH_BENCH_GIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    run(gib << 30);
}

/// Measure every method on a file of `bytes` bytes and print the table.
fn run(bytes: u64) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("model.bin");
    write_file(&path, bytes);
    let gb = bytes as f64 / 1e9;

    // Reference: one core hashing memory, no I/O at all.
    let buffer = vec![0xA5u8; (512 * MIB).min(bytes) as usize];
    let (t_ref, _) = best_of_3(|| Sha256::digest(&buffer));
    let reference = buffer.len() as f64 / 1e9 / t_ref;

    // Warm the page cache, then time.
    let _ = sha256_jobs(&whole(&path), Some(1));
    let (t_one, one) = best_of_3(|| sha256_jobs(&whole(&path), Some(1)));
    let ours = hex::encode(one[0].as_ref().expect("hash the file"));
    let (t_sharded, sharded) = best_of_3(|| sha256_jobs(&shards(&path, bytes), None));
    assert!(sharded.iter().all(Result::is_ok), "a shard failed");
    let (t_sum, theirs) = best_of_3(|| sha256sum(&path));
    let (t_map, mapped) = best_of_3(|| mmap_sha256(&path));
    assert_eq!(mapped, ours, "the mapped digest differs");

    println!(
        "sha256 of a {:.2} GiB file from the page cache, {cores} cores, best of 3",
        bytes as f64 / (1u64 << 30) as f64
    );
    println!("  reference: sha2 in memory, 1 core   {reference:>6.2} GB/s");
    println!(
        "  ours, whole file, 1 worker          {:>6.2} GB/s   {:>5.1}% of reference",
        gb / t_one,
        100.0 * gb / t_one / reference
    );
    println!(
        "  ours, {} MiB shards, {cores} workers     {:>6.2} GB/s   {:>5.1}% of reference per core",
        SHARD / MIB,
        gb / t_sharded,
        100.0 * gb / t_sharded / cores as f64 / reference
    );
    println!(
        "  memory map, 1 worker (not used)     {:>6.2} GB/s   {:>5.1}% of reference",
        gb / t_map,
        100.0 * gb / t_map / reference
    );
    match theirs {
        Some(digest) => {
            assert_eq!(digest, ours, "sha256sum and our digest differ");
            println!(
                "  sha256sum (coreutils)               {:>6.2} GB/s   ours/sha256sum = {:.2}x, sharded/sha256sum = {:.2}x",
                gb / t_sum,
                t_sum / t_one,
                t_sum / t_sharded
            );
        }
        None => println!("  sha256sum: not available, no comparison"),
    }
}
