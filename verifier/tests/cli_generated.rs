//! What the CLI generates from its own definition: `--version`, shell
//! completions and the man page.

use crate::common::{cli, code};

fn run(args: &[&str]) -> (i32, String) {
    let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let o = cli(&a);
    (code(&o), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn version_names_the_build_and_its_features() {
    let (c, out) = run(&["--version"]);
    assert_eq!(c, 0);
    let line = out.trim();
    assert!(
        line.starts_with(&format!(
            "slsa-aibom-verify {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{line}"
    );
    let profile = if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release build"
    };
    assert!(line.contains(profile), "{line}");
    assert!(
        line.contains("features: github, tuf, in-toto, policy-file"),
        "{line}"
    );
}

#[test]
fn completions_for_every_shell_and_a_man_page_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (c, out) = run(&["completions", shell]);
        assert_eq!(c, 0, "{shell}");
        for sub in ["verify-bundle", "model", "inventory", "vsa"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let (c, _) = run(&["completions", "tcsh"]);
    assert_eq!(c, 2, "an unknown shell is a usage error");
    let (c, out) = run(&["man"]);
    assert_eq!(c, 0);
    assert!(
        out.contains(".TH slsa-aibom-verify 1"),
        "{}",
        &out[..out.len().min(300)]
    );
    for sub in ["verify\\-bundle", "model", "inventory"] {
        assert!(out.contains(sub), "the man page lacks {sub}");
    }
}
