//! in-toto links and layouts (metablocks), with the check that their
//! signatures cover all that they say.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = slsa_aibom_verify::intoto::parse(data);
});
