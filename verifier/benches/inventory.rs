//! The inventory over 10,000 signed attestations (5,000 synthetic models,
//! a provenance and an ML-BOM statement each, keyed ECDSA P-256): building
//! the index (read, verify and fold every bundle, on all cores), then the
//! blast-radius queries on it.
//!
//! ```text
//! cargo bench -p slsa-aibom-verify --bench inventory
//! INVENTORY_BENCH_N=20000 cargo bench -p slsa-aibom-verify --bench inventory
//! ```
//!
//! Under `cargo test` (no `--bench` argument) it runs once over 200
//! attestations as a smoke test.

#[path = "../tests/common/synthetic.rs"]
mod synthetic;

use criterion::{criterion_group, criterion_main, Criterion};
use slsa_aibom_verify::inventory::Inventory;
use slsa_aibom_verify::{Policy, PublicKey};
use std::path::PathBuf;
use synthetic::{sha, Spec};

const VERSIONS: [&str; 5] = ["0.9.0", "0.9.1", "0.9.2", "0.10.0", "0.11.1"];

fn attestations() -> usize {
    let benching = std::env::args().any(|a| a == "--bench");
    std::env::var("INVENTORY_BENCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 200 })
}

/// N/2 models: 50 datasets, five candle versions, and every model after
/// the first of each run of ten fine-tuned from the one before it.
fn corpus(n: usize) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let signer = synthetic::signer();
    let mut previous = String::new();
    for i in 0..n / 2 {
        let name = format!("model-{i:05}");
        previous = synthetic::write(
            &signer,
            dir.path(),
            &Spec {
                name: &name,
                dataset: sha(&format!("dataset {}", i % 50)),
                candle: VERSIONS[i % VERSIONS.len()],
                base: (i % 10 != 0).then(|| previous.clone()),
            },
        );
    }
    (dir, previous)
}

fn bench(c: &mut Criterion) {
    let n = attestations();
    let (dir, last) = corpus(n);
    let dirs = [PathBuf::from(dir.path())];
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(
                &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed/key.pub"),
            )
            .unwrap(),
        ),
        ..Policy::default()
    };
    let mut group = c.benchmark_group("inventory");
    group.sample_size(10);
    group.bench_function(format!("index_{n}_attestations"), |b| {
        b.iter(|| Inventory::build(&policy, &dirs, None).unwrap())
    });
    group.finish();
    let inventory = Inventory::build(&policy, &dirs, None).unwrap();
    assert_eq!(
        inventory.models().len(),
        n / 2,
        "{:?}",
        inventory.rejected().first()
    );
    assert!(inventory.rejected().is_empty());
    let dataset = sha("dataset 7");
    let range = semver::VersionReq::parse(">=0.9.0, <0.9.2").unwrap();
    let key = format!("sha256:{last}");
    assert_eq!(inventory.trained_on(&dataset).len(), n / 2 / 50);
    assert_eq!(inventory.lineage(&key).unwrap().len(), (n / 2 - 1) % 10 + 1);
    c.bench_function("inventory/query_dataset", |b| {
        b.iter(|| inventory.trained_on(&dataset).len())
    });
    c.bench_function("inventory/query_framework_range", |b| {
        b.iter(|| inventory.using("candle-core", &range).len())
    });
    c.bench_function("inventory/query_lineage", |b| {
        b.iter(|| inventory.lineage(&key).unwrap().len())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
