//! The verifier's layers point one way: each top-level module of
//! `verifier/src` belongs to one layer, and its library code (outside test
//! modules, which may build their inputs with anything) names no module of
//! a higher layer, directly (`crate::policy::…`) or through a re-export of
//! `lib.rs` (`crate::Policy`). `docs/architecture.md` lists the layers.

use crate::architecture::{library_code, modules};
use std::collections::BTreeMap;
use std::path::Path;

/// The verifier's top-level modules, bottom layer first.
const LAYERS: &[&[&str]] = &[
    // Shared value types, the checks list, the bounded reader, strict JSON.
    &[
        "error_class",
        "setting",
        "error",
        "json",
        "display",
        "check_id",
        "checks",
        "digest",
        "bounded_read",
    ],
    // Who signed, from the certificate alone.
    &["identity"],
    // The evidence file and its cryptography, under a `TrustAnchor`.
    &["evidence"],
    // What the signed statements say; dataset-membership proofs.
    &["documents", "commitment"],
    // What the caller requires, composed of each layer's slice.
    &["policy"],
    // The verdict over one evidence file, and the verification itself.
    &["verdict"],
    &["verifier"],
    // A release as one unit, in-toto, inventory.
    &["release", "intoto", "inventory"],
    // What the two binaries generate from their clap definitions.
    &["cli_support"],
];

/// Each name `lib.rs` re-exports (`pub use a::b::{C, D};`), by the
/// top-level module it comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let top = path.split("::").next().unwrap_or_default().to_string();
        let names = path.rsplit("::").next().unwrap_or_default();
        for name in names.trim_matches(|c| "{};".contains(c)).split(',') {
            let name = name.split(" as ").last().unwrap_or_default().trim();
            found.insert(name.to_string(), top.clone());
        }
    }
    found
}

/// Every import in the library code under `src` of a module in a higher
/// layer than the importer's, as `file:line: from -> to`; and every
/// top-level module that no layer lists.
fn upward_imports(src: &Path, layers: &[&[&str]]) -> Vec<String> {
    let layer: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |m| (*m, i)))
        .collect();
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexported = reexports(&lib);
    let mut found = Vec::new();
    for (module, path) in modules(src) {
        let top = module.split("::").next().unwrap().to_string();
        let Some(&own) = layer.get(top.as_str()) else {
            found.push(format!("{}: {top} is in no layer", path.display()));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in library_code(&text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for (at, _) in code.match_indices("crate::") {
                let first: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let named = reexported.get(&first).cloned().unwrap_or(first);
                if layer.get(named.as_str()).is_some_and(|&l| l > own) {
                    found.push(format!("{}:{}: {top} -> {named}", path.display(), i + 1));
                }
            }
        }
    }
    found
}

#[test]
fn no_verifier_layer_imports_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../verifier/src");
    let found = upward_imports(&src, LAYERS);
    assert!(
        found.is_empty(),
        "imports against the layer order:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layer_check_finds_planted_upward_imports() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "lib.rs",
        "pub mod low;\nmod high;\npub use high::{Big, Tall as T};\n",
    );
    write(
        "low/mod.rs",
        "use crate::high::Big;\nfn f() -> crate::T { todo!() }\n#[cfg(test)]\nmod tests { use crate::high::Big; }\n",
    );
    write(
        "high.rs",
        "use crate::low::f;\npub struct Big;\npub struct Tall;\n",
    );
    write("stray.rs", "");
    let found = upward_imports(dir.path(), &[&["low"], &["high"]]);
    let rel: Vec<String> = found
        .iter()
        .map(|f| f.replace(&dir.path().display().to_string(), ""))
        .collect();
    assert_eq!(
        rel,
        [
            "/low/mod.rs:1: low -> high",
            "/low/mod.rs:2: low -> high",
            "/stray.rs: stray is in no layer",
        ]
    );
}
