//! The module graph of every library crate has no cycles: a module (a file:
//! `a.rs` or `a/mod.rs` is `a`, `a/b.rs` is `a::b`) that names
//! `crate::x::y` depends on the longest such path that is a module, and no
//! chain of such dependencies leads back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file under `src` (outside `bin/`), by module path.
pub(crate) fn modules(src: &Path) -> BTreeMap<String, std::path::PathBuf> {
    let mut found = BTreeMap::new();
    for path in sources(src) {
        let rel = path.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into()).collect();
        if parts.first().is_some_and(|p| p == "bin") {
            continue;
        }
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let name = parts.join("::");
        if name != "lib" && name != "main" {
            found.insert(name, path);
        }
    }
    found
}

/// Module → the modules its code names as `crate::...`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules(src);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, path) in &modules {
        let text = std::fs::read_to_string(path).unwrap();
        let deps = graph.entry(name.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for (i, _) in code.match_indices("crate::") {
                let named: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let segments: Vec<&str> = named.split("::").filter(|s| !s.is_empty()).collect();
                let target = (1..=segments.len())
                    .rev()
                    .map(|n| segments[..n].join("::"))
                    .find(|m| modules.contains_key(m));
                if let Some(target) = target.filter(|t| t != name) {
                    deps.insert(target);
                }
            }
        }
    }
    graph
}

/// A cycle through `start`, if any (depth-first).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut found = path.clone();
                found.push(next.clone());
                return Some(found);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_of_any_library_depends_on_itself_through_others() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // Each crate with at least as many modules as it had when this was written.
    for (krate, at_least) in [
        ("verifier/src", 40),
        ("builder/src", 40),
        ("types/src", 6),
        ("sign/src", 2),
        ("trainer/src", 12),
    ] {
        let graph = graph(&root.join(krate));
        assert!(graph.len() >= at_least, "{krate}: {graph:?}");
        for module in graph.keys() {
            if let Some(c) = cycle(&graph, module) {
                panic!("{krate}: import cycle {}", c.join(" -> "));
            }
        }
    }
}

/// Functions of `text` (outside `#[cfg(test)]`) longer than `limit` lines:
/// a function starts at a `fn` line and ends at the first line that closes
/// a brace at its indentation (rustfmt's layout).
fn long_functions(text: &str, limit: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let signature = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "async fn ",
            "pub async fn ",
        ]
        .iter()
        .find_map(|p| code.strip_prefix(p));
        let Some(rest) = signature else { continue };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i + 1..].iter().position(|l| l.starts_with(&close)) {
            let length = end + 2;
            if length > limit {
                found.push((name, length));
            }
        }
    }
    found
}

/// No function of the workspace's crates (libraries and binaries) is
/// over 100 lines outside tests: a long function is several steps that
/// want names.
#[test]
fn no_function_is_over_a_hundred_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut stack: Vec<_> = [
        "builder/src",
        "verifier/src",
        "sign/src",
        "trainer/src",
        "types/src",
        "fake-sigstore/src",
    ]
    .iter()
    .map(|k| root.join(k))
    .collect();
    let mut long = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (name, n) in long_functions(&text, 100) {
                    long.push(format!("{}: {name} ({n} lines)", path.display()));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 100 lines:\n{}",
        long.join("\n")
    );
    // The measure itself finds a long function.
    let body = "    let x = 1;\n".repeat(101);
    let long_fn = format!("fn long() {{\n{body}}}\n");
    assert_eq!(
        long_functions(&long_fn, 100),
        vec![("long".to_string(), 103)]
    );
}

/// The lines of `code` (a file up to its test module) whose string
/// literals name a CLI flag (`--name`), but for those holding an `allowed`
/// text.
fn flag_lines<'a>(code: &'a str, allowed: &[&str]) -> Vec<(usize, &'a str)> {
    code.lines()
        .enumerate()
        .filter(|(_, line)| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || !line.contains('"') {
                return false;
            }
            let flag = line
                .match_indices("--")
                .any(|(at, _)| line[at + 2..].starts_with(|c: char| c.is_ascii_lowercase()));
            flag && !allowed.iter().any(|a| line.contains(a))
        })
        .map(|(i, line)| (i + 1, line.trim_start()))
        .collect()
}

/// Library code names no CLI flag in a message: a setting to change is data
/// (`slsa_aibom_verify::Setting`, `BuildError::OutputNotEmpty`), and each
/// CLI renders it as its own flag.
#[test]
fn no_library_message_names_a_cli_flag() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // Flags that are not ours to render: cargo's, pip's (the command
    // tier's setup phase runs it, and its lock format has `--hash`), and a
    // command line the in-toto link records as data.
    let allowed = [
        "--features cuda",
        "\"--job\"",
        "--hash",
        "--require-hashes",
        "\"--no-index\"",
        "\"--find-links\"",
    ];
    let mut found = Vec::new();
    for krate in CRATES {
        for path in modules(&root.join(krate).join("src")).values() {
            let text = std::fs::read_to_string(path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in flag_lines(code, &allowed) {
                found.push(format!("{}:{n}: {line}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "library messages naming a CLI flag:\n{}",
        found.join("\n")
    );
    // The scan itself, on a planted file: a message naming a flag is found,
    // a comment, an allowed text and a line without a string are not.
    let planted = "fn f() {\n    // see --key\n    Error::Input(\"pass --key\".into());\n    x -- y;\n    run(\"cargo build --features cuda\");\n}\n";
    assert_eq!(
        flag_lines(planted, &allowed),
        vec![(3, "Error::Input(\"pass --key\".into());")]
    );
}

/// Every `.rs` file under `dir`, `bin/` included.
fn sources(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `text` up to its first test-only item: the code a build links.
pub(crate) fn library_code(text: &str) -> &str {
    ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .map_or(text, |end| &text[..end])
}

/// The lines of library and binary code under `src` (each file up to its
/// test module) that call one of `calls`, outside the files named in
/// `allowed` (file names, e.g. `json.rs`).
fn calls_outside(src: &Path, calls: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in sources(src) {
        let name = path.file_name().unwrap().to_string_lossy();
        if allowed.iter().any(|a| name == *a) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in library_code(&text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if calls.iter().any(|c| code.contains(c)) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    found
}

const CRATES: [&str; 5] = ["builder", "verifier", "sign", "types", "trainer"];

/// No library or binary code of the workspace calls one of `calls` outside
/// the `allowed` files; `what` names the rule in the failure.
fn assert_no_calls(calls: &[&str], allowed: &[&str], what: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let found: Vec<String> = CRATES
        .iter()
        .flat_map(|k| calls_outside(&root.join(k).join("src"), calls, allowed))
        .collect();
    assert!(found.is_empty(), "{what}:\n{}", found.join("\n"));
}

/// Every file either binary reads goes through the bounded, regular-file
/// only reader (`bounded_read`): no other whole-file read or open.
#[test]
fn no_file_is_read_but_through_the_bounded_reader() {
    assert_no_calls(
        &["fs::read(", "fs::read_to_string(", "File::open("],
        &["bounded_read.rs"],
        "files read outside the bounded reader",
    );
}

/// Every JSON document is parsed by the strict parser (`slsa_aibom_verify::json`),
/// which refuses duplicate keys: no direct `serde_json` parse of text.
#[test]
fn json_is_parsed_only_by_the_strict_parser() {
    assert_no_calls(
        &[
            "serde_json::from_str",
            "serde_json::from_slice",
            "serde_json::from_reader",
        ],
        &["json.rs"],
        "JSON parsed outside the strict parser",
    );
}

/// The scan behind the two tests above finds a planted call, in a binary's
/// folder too, and not one in a test module, a comment or an allowed file.
#[test]
fn the_call_scan_finds_a_planted_read() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin/tool");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("main.rs"),
        "fn main() {\n    let t = std::fs::read_to_string(\"x\");\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ok.rs"),
        "// std::fs::read(\"comment\")\n#[cfg(test)]\nmod tests { fn t() { std::fs::read(\"x\"); } }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("json.rs"), "serde_json::from_str(t)\n").unwrap();
    let found = calls_outside(dir.path(), &["fs::read_to_string(", "fs::read("], &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("main.rs:2"), "{found:?}");
    assert!(calls_outside(dir.path(), &["serde_json::from_str"], &["json.rs"]).is_empty());
    assert_eq!(
        calls_outside(dir.path(), &["serde_json::from_str"], &[]).len(),
        1
    );
}

/// The dependencies of a crate manifest (`Cargo.toml` text), of every kind
/// and target, that tie it to supply chain: our other crates, Sigstore,
/// in-toto, GitHub, HTTP, or TOML (the job file).
fn supply_chain_dependencies(manifest: &str) -> Vec<String> {
    let manifest: toml::Table = toml::from_str(manifest).unwrap();
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut names: Vec<String> = tables
        .iter()
        .filter_map(|t| manifest.get(*t)?.as_table())
        .flat_map(|t| t.keys().cloned())
        .collect();
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for target in targets.values().filter_map(|t| t.as_table()) {
            names.extend(
                tables
                    .iter()
                    .filter_map(|t| target.get(*t)?.as_table())
                    .flat_map(|t| t.keys().cloned()),
            );
        }
    }
    let forbidden = [
        "slsa-aibom",
        "sigstore",
        "in-toto",
        "octocrab",
        "reqwest",
        "toml",
    ];
    names.retain(|n| forbidden.iter().any(|f| n.starts_with(f)));
    names
}

/// The trainer knows nothing of attestations, GitHub or the job file: its
/// manifest names none of those crates, and its code names no other crate
/// of ours.
#[test]
fn the_trainer_depends_on_no_supply_chain_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../trainer");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert_eq!(supply_chain_dependencies(&manifest), Vec::<String>::new());
    let named: Vec<String> = sources(&root.join("src"))
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("slsa_aibom_"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        named.is_empty(),
        "trainer files naming our crates: {named:?}"
    );
    // The scan finds a planted dependency, under a target table too.
    let planted = "[dependencies]\ncandle-core = \"0.11\"\nslsa-aibom-verify = \"0.1\"\n\
                   [target.'cfg(unix)'.dev-dependencies]\ntoml = \"1\"\n";
    assert_eq!(
        supply_chain_dependencies(planted),
        vec!["slsa-aibom-verify".to_string(), "toml".to_string()]
    );
}
