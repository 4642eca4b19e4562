//! OpenSSF model-signing manifests: a statement's predicate parsed into files
//! or shards, ignore paths and digests.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(statement) =
        serde_json::from_slice::<slsa_aibom_verify::evidence::statement::Statement>(data)
    {
        let _ = slsa_aibom_verify::documents::model_signing::Manifest::from_statement(&statement);
    }
});
