//! Release policy files (TOML), then folding them into a verification policy.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(rules) = slsa_aibom_verify::release::rules::ValidReleasePolicy::from_toml(text) {
            rules.apply(&mut slsa_aibom_verify::Policy::default());
        }
    }
});
