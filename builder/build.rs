//! Embed the `Cargo.lock` the trainer is built from: the workspace's, or,
//! for a published package, the one `cargo package` puts beside the
//! manifest. The trainer records its digest as a resolved dependency.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let lock = [manifest.join("Cargo.lock"), manifest.join("../Cargo.lock")]
        .into_iter()
        .find(|p| p.is_file())
        .expect("a Cargo.lock beside the package or its workspace");
    println!("cargo:rerun-if-changed={}", lock.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::copy(&lock, out.join("Cargo.lock")).expect("copy Cargo.lock into OUT_DIR");
}
