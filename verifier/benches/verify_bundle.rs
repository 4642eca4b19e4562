//! In-process verification of one bundle (parse + full verification).
//!
//! Keyless cases read real public-good bundles from ../shared/vectors and are
//! left out, with a message, when that folder is absent; the keyed case uses
//! our own fixture. Run: `cargo bench -p slsa-aibom-verify --bench verify_bundle`.

use criterion::{criterion_group, criterion_main, Criterion};
use slsa_aibom_verify::{Inputs, Policy, PublicKey, SanMatcher, Subject, Verifier};
use std::path::{Path, PathBuf};

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify_bundle");
    let vectors = root().join("../shared/vectors");
    if vectors.join("conformance").is_dir() {
        let keyless = Policy {
            identity: Some(SanMatcher::Exact(BEACON.into())),
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            ..Policy::default()
        };
        let verifier = Verifier::new(keyless).unwrap();
        for (name, bundle) in [
            (
                "keyless_message_signature_v0.3",
                "conformance/happy-path-v0.3-new-mediaType/bundle.sigstore.json",
            ),
            (
                "keyless_dsse_v0.3",
                "conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json",
            ),
        ] {
            let inputs = Inputs {
                evidence: vectors.join(bundle),
                subjects: vec![Subject::File(vectors.join("conformance/a.txt"))],
            };
            assert!(verifier.verify(&inputs).verified(), "{name}");
            g.bench_function(name, |b| b.iter(|| verifier.verify(&inputs)));
        }
        g.bench_function("verifier_new_public_good", |b| {
            b.iter(|| {
                Verifier::new(Policy {
                    identity: Some(SanMatcher::Exact(BEACON.into())),
                    ..Policy::default()
                })
                .unwrap()
            })
        });
    } else {
        eprintln!("../shared/vectors not found: keyless benchmarks did NOT run");
    }
    let d = root().join("testdata/keyed");
    let keyed = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            PublicKey::from_file(&d.join("key.pub")).unwrap(),
        ),
        ..Policy::default()
    };
    let verifier = Verifier::new(keyed).unwrap();
    let inputs = Inputs {
        evidence: d.join("provenance.sigstore.json"),
        subjects: vec![Subject::File(d.join("artifact.bin"))],
    };
    assert!(verifier.verify(&inputs).verified());
    g.bench_function("keyed_dsse_v0.3", |b| b.iter(|| verifier.verify(&inputs)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
