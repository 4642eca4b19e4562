//! The action's `install: release` step (scripts/install-release.sh) from a
//! cold start: download the pinned bootstrap verifier and check its digest,
//! download this release's verifier and provenance, verify, install. Against
//! a loopback server holding the real release layout, the verifier being
//! this build's optimised binary (bootstrap and release alike).
//! BENCHMARKS.md puts it beside `cargo install --path verifier`, also cold.
//!
//! ```text
//! cargo bench -p slsa-aibom-verify --bench action_install
//! ```
//!
//! Under `cargo test` (no `--bench` argument) it installs once as a smoke
//! test.

#[path = "../tests/common/release_fixture.rs"]
mod release_fixture;

use criterion::{criterion_group, criterion_main, Criterion};
use release_fixture::{Releases, TAG};

fn install_once(r: &Releases) {
    let dest = tempfile::tempdir().unwrap();
    let o = r.install(TAG, dest.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(dest.path().join("slsa-aibom-verify").is_file());
}

fn bench(c: &mut Criterion) {
    let r = Releases::new();
    r.release(TAG, &r.verifier.clone());
    let mut group = c.benchmark_group("action_install");
    group.sample_size(10);
    group.bench_function("download_verify_install", |b| b.iter(|| install_once(&r)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
