//! Job specs (TOML): parsing and every value check.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = slsa_aibom_builder::spec::JobSpec::parse(data);
});
