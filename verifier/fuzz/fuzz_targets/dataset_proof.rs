//! Dataset-commitment proofs (`dataset-proof` input) against a root: the
//! first 64 bytes are the root (hex), the rest the proof's JSON.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() < 64 {
        return;
    }
    let (root, proof) = data.split_at(64);
    let (Ok(root), Ok(proof)) = (std::str::from_utf8(root), std::str::from_utf8(proof)) else {
        return;
    };
    if let Ok(p) = serde_json::from_str::<slsa_aibom_verify::commitment::KeyProof>(proof) {
        let key = p.key().to_string();
        let _ = slsa_aibom_verify::commitment::VerifyKeyProof::verify_key(&p, &key, root);
    }
});
