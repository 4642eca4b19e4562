//! Our ML-BOM is valid against the official CycloneDX 1.6 JSON schema
//! (../shared/vectors/formats/cyclonedx-schema, resolved offline).

use crate::common::*;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let dir = vectors().join("formats/cyclonedx-schema");
    let load = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    struct Local(std::path::PathBuf);
    impl jsonschema::Retrieve for Local {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri
                .path()
                .as_str()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            Ok(serde_json::from_slice(&std::fs::read(self.0.join(&name))?)?)
        }
    }
    jsonschema::options()
        .with_retriever(Local(dir.clone()))
        .should_validate_formats(true)
        .build(&load("bom-1.6.schema.json"))
        .unwrap()
}

#[test]
fn vectors_our_ml_bom_is_valid_cyclonedx_1_6() {
    let v = validator();
    // The schema really rejects things: the official example passes, a
    // broken copy fails.
    let official: Value = serde_json::from_slice(
        &std::fs::read(vectors().join("formats/cyclonedx/valid-machine-learning-1.6.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(v.is_valid(&official));
    let inputs = example(1);
    let out = inputs.path().join("out");
    build_into(inputs.path(), &out);
    let bom: Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&bom)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let mut broken = bom.clone();
    broken["components"][0]["type"] = "model".into();
    assert!(
        !v.is_valid(&broken),
        "the schema accepted an unknown component type"
    );
}
