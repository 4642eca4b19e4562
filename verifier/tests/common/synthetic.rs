//! Synthetic signed releases for inventory tests and benchmarks: a
//! provenance and an ML-BOM statement per model, signed with
//! testdata/keyed/key.pem, shaped like the builder's.

use serde_json::json;
use sha2::{Digest as _, Sha256};
use slsa_aibom_sign::KeySigner;
use std::path::Path;

/// One synthetic model.
pub struct Spec<'a> {
    /// Model name.
    pub name: &'a str,
    /// Its dataset's sha256.
    pub dataset: String,
    /// candle-core's version.
    pub candle: &'a str,
    /// The base model's weights sha256.
    pub base: Option<String>,
}

/// sha256 hex of `text`.
pub fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The signing key.
pub fn signer() -> KeySigner {
    let key =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keyed/key.pem");
    KeySigner::from_pem(&std::fs::read_to_string(key).unwrap(), "testdata key").unwrap()
}

/// Write `dir/NAME/provenance.sigstore.json` and `aibom.sigstore.json`;
/// returns the weights' sha256.
pub fn write(signer: &KeySigner, dir: &Path, spec: &Spec<'_>) -> String {
    let weights = sha(&format!("weights of {}", spec.name));
    let subject = json!([
        {"name": "model.safetensors", "digest": {"sha256": weights}},
        {"name": "config.json", "digest": {"sha256": sha(&format!("config of {}", spec.name))}},
    ]);
    let mut deps = vec![
        json!({"name": "dataset:data.csv", "digest": {"sha256": spec.dataset}}),
        json!({"name": "trainer", "uri": "pkg:cargo/slsa-aibom-builder@0.1.0", "digest": {"sha256": sha("trainer")}}),
    ];
    if let Some(b) = &spec.base {
        deps.push(json!({"name": "base-model", "digest": {"sha256": b}}));
    }
    let provenance = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://github.com/ORG/slsa-aibom/train@v1",
                "externalParameters": {},
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {"id": "https://github.com/ORG/slsa-aibom/slsa-aibom-build@v1"},
                "metadata": {"invocationId": format!("local:{}", spec.name)},
            },
        },
    });
    let bom = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": "https://cyclonedx.org/bom",
        "predicate": {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "metadata": {"component": {"type": "machine-learning-model", "name": spec.name, "version": "1.0.0"}},
            "components": [
                {"type": "data", "name": "data.csv", "hashes": [{"alg": "SHA-256", "content": spec.dataset}]},
                {"type": "framework", "name": "candle-core", "version": spec.candle},
            ],
        },
    });
    let out = dir.join(spec.name);
    std::fs::create_dir_all(&out).unwrap();
    for (file, st) in [
        ("provenance.sigstore.json", provenance),
        ("aibom.sigstore.json", bom),
    ] {
        let bytes = serde_json::to_vec(&st).unwrap();
        std::fs::write(out.join(file), signer.sign_statement(&bytes).unwrap()).unwrap();
    }
    weights
}
