//! Bundle files: JSON or JSON Lines of Sigstore bundles or DSSE envelopes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = slsa_aibom_verify::evidence::parse(text);
    }
});
