//! The model-directory walk (`model_signing::dir_manifest`: list, then hash
//! every file) on the two shapes an attacker controls: a flat directory of
//! 100,000 empty files and a chain of folders 1,000 deep with one file at
//! the bottom. The walk is linear in the number of entries and refuses a
//! tree deeper than 64 folders, so the chain is refused after 64 levels;
//! before that cap the chain was walked in cubic time.
//!
//! ```text
//! cargo bench -p slsa-aibom-verify --bench model_walk
//! ```
//!
//! Under `cargo test` (no `--bench` argument) it runs once on 1,000 files
//! and a chain 100 deep, as a smoke test.

use criterion::{criterion_group, criterion_main, Criterion};
use slsa_aibom_verify::documents::model_signing::dir_manifest;
use std::path::Path;

fn flat(dir: &Path, files: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..files {
        std::fs::write(dir.join(format!("f{i:06}")), b"").unwrap();
    }
}

fn chain(dir: &Path, depth: usize) {
    let mut deep = dir.to_path_buf();
    for _ in 0..depth {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("w"), b"w").unwrap();
}

fn bench(c: &mut Criterion) {
    let benching = std::env::args().any(|a| a == "--bench");
    let (files, depth) = if benching {
        (100_000, 1_000)
    } else {
        (1_000, 100)
    };
    let tmp = tempfile::tempdir().unwrap();
    let (wide, deep) = (tmp.path().join("flat"), tmp.path().join("chain"));
    flat(&wide, files);
    chain(&deep, depth);
    let (_, listed) = dir_manifest(&wide, &[]).unwrap();
    assert_eq!(listed.len(), files);
    let mut group = c.benchmark_group("model_walk");
    group.sample_size(10);
    group.bench_function(format!("flat_{files}_files"), |b| {
        b.iter(|| dir_manifest(&wide, &[]).map(|(_, f)| f.len()))
    });
    group.bench_function(format!("chain_{depth}_deep"), |b| {
        b.iter(|| dir_manifest(&deep, &[]).map(|(_, f)| f.len()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
