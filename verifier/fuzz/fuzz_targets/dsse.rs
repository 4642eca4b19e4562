//! DSSE envelopes and their pre-authentication encoding.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(env) = slsa_aibom_verify::evidence::Envelope::from_json(text) {
            let _ = env.pae();
        }
    }
});
