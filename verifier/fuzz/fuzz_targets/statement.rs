//! in-toto statements, SLSA provenance facts and subject matching.
#![no_main]
use slsa_aibom_verify::documents::provenance::ProvenanceFacts;
use slsa_aibom_verify::evidence::statement;
use slsa_aibom_verify::Digest;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(st) = statement::from_payload("application/vnd.in-toto+json", data) {
        let _ = ProvenanceFacts::from_statement(&st);
        let d = Digest {
            algorithm: "sha256".into(),
            value: "00".repeat(32),
        };
        let _ = statement::subject_matching(&st, &[d]);
    }
});
