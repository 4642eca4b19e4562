//! The CLI's human and JSON output, pinned byte for byte: `model` on
//! `testdata/release` and `verify-bundle` on three real vectors. A change to
//! what users read shows up here as a diff. After an intended change, run
//! with `UPDATE_GOLDEN=1` and review the diff of `testdata/golden/`.

use crate::common::{cli, code, testdata, vectors};
use crate::vectors_conformance::args_for;
use serde_json::Value;
use std::path::Path;

/// Compare `actual` with the golden file `name`, or rewrite it when asked.
fn assert_golden(name: &str, actual: &str) {
    let file = testdata().join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", file.display()));
    assert!(
        expected == actual,
        "{name}: the output changed.\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

/// Run the CLI in both formats and pin both outputs (stdout, then stderr,
/// then the exit code), with `root` written as `<root>` and the time of the
/// run as `<now>`.
fn pin(name: &str, args: &[String], root: &Path) {
    for format in ["human", "json"] {
        let mut a = args.to_vec();
        a.extend(["--format".to_string(), format.to_string()]);
        let o = cli(&a);
        let text = format!(
            "{}--- stderr\n{}--- exit {}\n",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
            code(&o)
        );
        let root = root.display().to_string();
        // The layout's expiry is checked against the time of the run.
        let now = regex_lite::Regex::new(r"after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
        let text = now
            .replace_all(&text, "after <now>")
            .replace(&root, "<root>");
        assert_golden(&format!("{name}.{format}.txt"), &text);
    }
}

#[test]
fn golden_output_of_model_on_the_release_fixture() {
    let t = testdata();
    let s = |p: &str| t.join(p).display().to_string();
    let args = [
        "model".to_string(),
        s("release/model"),
        "--key".into(),
        s("release/key.pub"),
    ];
    pin("model-release", &args, &t);
}

#[test]
fn vectors_golden_output_of_verify_bundle() {
    let text = std::fs::read_to_string(vectors().join("expected.jsonl")).unwrap();
    for (id, name) in [
        ("gh-cli/sigstore-js-2.1.0-v0.3", "vector-gh-cli-sigstore-js"),
        ("oms-v1.1.0-sigstore", "vector-model-signing-1.1"),
        ("oms-derived-extra-file", "vector-model-signing-extra-file"),
    ] {
        let case: Value = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in expected.jsonl"));
        let mut args = args_for(&case);
        // args_for asks for JSON; `pin` asks for each format itself.
        let at = args.iter().position(|a| a == "--format").unwrap();
        args.drain(at..at + 2);
        pin(name, &args, &vectors());
    }
}
