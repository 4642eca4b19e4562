//! The strict JSON parser (`slsa_aibom_verify::json`): it never panics, it
//! accepts only what serde_json accepts, and what it accepts reads the same.
#![no_main]
use serde_json::Value;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let strict = slsa_aibom_verify::json::from_slice::<Value>(data);
    let plain = serde_json::from_slice::<Value>(data);
    match (strict, plain) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the strict parser read another document"),
        (Ok(_), Err(e)) => panic!("the strict parser accepted what serde_json refuses: {e}"),
        (Err(_), _) => {}
    }
});
