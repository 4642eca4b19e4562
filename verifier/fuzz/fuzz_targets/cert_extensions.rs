//! Certificate parsing and the Fulcio/GitHub extension claims.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(id) = slsa_aibom_verify::CertIdentity::from_der(data) {
        let _ = id.claims().check_deprecated_agree();
        let _ = id.claims().repository();
        let _ = id.claims().owner();
    }
});
