//! The contract of `.github/workflows/release.yml` (our own releases) and of
//! the action's `install: release` (scripts/install-release.sh): who may
//! sign, that the signer compiles nothing, that every transfer between jobs
//! is checked (both checks run here on crafted tars), that nothing is
//! published before our verifier has checked the provenance, and that the
//! action never runs a download before it is checked. The install step
//! itself is played end to end in the verifier's `action_install` tests.

use crate::workflow_contract::{
    action, assert_minting_job_compiles_nothing, jobs, permissions, runs, scripts, workflow_file,
};
use sha2::Digest;
use std::path::Path;
use yaml_rust2::Yaml;

fn release() -> Yaml {
    workflow_file("release.yml")
}

fn needs(job: &Yaml) -> Vec<String> {
    match &job["needs"] {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(a) => a
            .iter()
            .filter_map(|n| n.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn only_the_provenance_job_can_sign_and_it_compiles_nothing() {
    let wf = release();
    assert_eq!(wf["permissions"], Yaml::Hash(Default::default()));
    assert_eq!(
        wf["on"]["push"]["tags"][0].as_str(),
        Some("v[0-9]+.[0-9]+.[0-9]+")
    );
    for (name, job) in jobs(&wf) {
        let mut writes: Vec<String> = permissions(&job)
            .into_iter()
            .filter(|p| p.ends_with("=write"))
            .collect();
        writes.sort();
        let want: &[&str] = match name.as_str() {
            "provenance" => &["attestations=write", "id-token=write"],
            "publish" => &["contents=write"],
            _ => &[],
        };
        assert_eq!(writes, want, "write permissions of job {name}");
    }
    assert_minting_job_compiles_nothing(
        &wf,
        &[
            "actions/download-artifact@",
            "actions/upload-artifact@",
            "actions/attest-build-provenance@",
        ],
    );
}

#[test]
fn the_release_is_built_reproducibly_for_three_targets_after_the_advisory_gate() {
    let wf = release();
    let build = &wf["jobs"]["build"];
    assert_eq!(needs(build), ["advisories"]);
    let targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "aarch64-apple-darwin"
        ]
    );
    assert!(runs(
        &build["steps"],
        r#"bash scripts/build-release.sh "$RUNNER_TEMP/bin" "$RUNNER_TEMP/target""#
    ));
    assert!(runs(&build["steps"], "bash scripts/release-sbom.sh"));
    let gate = &wf["jobs"]["advisories"]["steps"];
    assert!(runs(
        gate,
        "python3 scripts/check-advisory-exceptions.py deny.toml"
    ));
    assert!(runs(
        gate,
        "bash scripts/cargo-deny.sh --online check advisories"
    ));
    assert!(wf["env"]["RUSTUP_TOOLCHAIN"]
        .as_str()
        .is_some_and(|v| v.split('.').count() == 3));
}

#[test]
fn nothing_is_published_before_our_verifier_checks_every_file_against_the_provenance() {
    let wf = release();
    let verify = &wf["jobs"]["verify"];
    assert_eq!(needs(verify), ["build", "provenance"]);
    let commands = crate::workflow_contract::commands(&verify["steps"]);
    let script = commands
        .iter()
        .find(|c| c.contains("verify-bundle"))
        .expect("the verify job runs verify-bundle")
        .clone();
    for must in [
        "verify-bundle",
        r#"--certificate-identity "https://github.com/$REPO/.github/workflows/release.yml@refs/tags/$TAG""#,
        "--certificate-oidc-issuer https://token.actions.githubusercontent.com",
        r#"--source-ref "refs/tags/$TAG""#,
        "--runner-environment github-hosted",
        "--predicate-type https://slsa.dev/provenance/v1",
        r#""$RUNNER_TEMP"/dist/*"#,
    ] {
        assert!(script.contains(must), "the verify job lacks {must}");
    }
    let publish = &wf["jobs"]["publish"];
    assert!(needs(publish).contains(&"verify".to_string()));
    // Every consumer of a transfer re-hashes it against its producer's
    // published digest.
    for name in ["provenance", "verify", "publish"] {
        let job = &wf["jobs"][name];
        let digests =
            job["steps"].as_vec().unwrap().iter().any(|s| {
                s["env"]["DIGESTS"].as_str() == Some("${{ toJSON(needs.build.outputs) }}")
            });
        assert!(digests, "job {name} does not check the build digests");
    }
    for name in ["verify", "publish"] {
        let script = scripts(&wf["jobs"][name]["steps"]).join("\n");
        assert!(script.contains("$PROVENANCE_SHA256"), "job {name}");
    }
}

#[test]
fn the_action_never_runs_a_download_before_checking_it() {
    let install = action()["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Install slsa-aibom-verify"))
        .cloned()
        .unwrap();
    let step = install["run"].as_str().unwrap();
    // The action downloads nothing itself; the script does, and the step
    // pins where from and which trust root, over any caller environment.
    assert!(!step.contains("curl") && !step.contains("wget"));
    for (var, value) in [
        (
            "RELEASE_URL",
            "https://github.com/ORG/slsa-aibom/releases/download",
        ),
        ("RELEASE_REPO", "ORG/slsa-aibom"),
        // Where the tag's commit is read from: a caller's variable must
        // not point it at a repository whose tag names another commit.
        ("RELEASE_GIT_URL", "https://github.com/ORG/slsa-aibom.git"),
        ("TRUSTED_ROOT", ""),
        ("BOOTSTRAP_FILE", ""),
    ] {
        assert_eq!(install["env"][var].as_str(), Some(value), "{var}");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-release.sh");
    let script = std::fs::read_to_string(path).unwrap();
    let at = |needle: &str| {
        script
            .find(needle)
            .unwrap_or_else(|| panic!("install-release.sh lacks {needle}"))
    };
    // Where a command line first runs `program` (a line that starts with
    // it and does not continue the line before).
    let runs = |program: &str| {
        let (mut offset, mut continued) = (0, false);
        for line in script.lines() {
            if !continued && line.trim_start().starts_with(program) {
                return Some(offset);
            }
            continued = line.ends_with('\\');
            offset += line.len() + 1;
        }
        None
    };
    // The bootstrap: digest compared, then made executable, then run.
    let compared = at(r#"[[ "$got" == "$boot_sha" ]] ||"#);
    assert!(compared < at(r#"chmod 0755 "$work/bootstrap""#));
    assert!(compared < runs(r#""$work/bootstrap""#).expect("the bootstrap runs"));
    // The release binary: never made executable or run where it was
    // downloaded; installed only after the bootstrap verified it.
    assert!(!script.contains(r#"chmod 0755 "$work/$asset""#));
    assert_eq!(runs(r#""$work/$asset""#), None);
    assert!(at("verify-bundle") < at(r#"install -m 0755 "$work/$asset""#));
    assert!(script.contains("set -euo pipefail"));
}

const TARGETS: [&str; 3] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "aarch64-apple-darwin",
];

/// Build jobs' transfers under `dir/in`: each target's tar of its files,
/// after `tamper` has had its way with the folders; the digests as the
/// build jobs publish them.
fn transfers(dir: &Path, tamper: impl Fn(&str, &Path)) -> String {
    let mut digests = serde_json::Map::new();
    for target in TARGETS {
        let files = dir.join("files").join(target);
        std::fs::create_dir_all(&files).unwrap();
        std::fs::write(files.join(format!("slsa-aibom-verify-{target}")), target).unwrap();
        std::fs::write(
            files.join(format!("slsa-aibom-verify-{target}.cdx.json")),
            "{}",
        )
        .unwrap();
        tamper(target, &files);
        std::fs::create_dir_all(dir.join("in")).unwrap();
        let tar = dir.join("in").join(format!("{target}.tar"));
        let ok = std::process::Command::new("tar")
            .arg("-C")
            .arg(&files)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status()
            .unwrap();
        assert!(ok.success());
        let digest = sha2::Sha256::digest(std::fs::read(&tar).unwrap());
        digests.insert(target.into(), hex::encode(digest).into());
    }
    serde_json::Value::Object(digests).to_string()
}

/// Run both checks of the transfers (the provenance job's inline step and
/// scripts/release-unpack.sh, used by verify and publish) on what `tamper`
/// leaves, with the digests `edit` makes of the published ones; whether
/// each accepted.
fn unpack(tamper: impl Fn(&str, &Path), edit: impl Fn(String) -> String) -> [bool; 2] {
    let wf = release();
    let inline = wf["jobs"]["provenance"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Check each build against its job's digest"))
        .and_then(|s| s["run"].as_str())
        .unwrap()
        .to_string();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/release-unpack.sh");
    let mut accepted = [false; 2];
    for (i, accepted) in accepted.iter_mut().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let digests = edit(transfers(dir.path(), &tamper));
        let mut cmd = std::process::Command::new("bash");
        if i == 0 {
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &inline]);
        } else {
            cmd.arg(&script)
                .arg(dir.path().join("in"))
                .arg(dir.path().join("dist"));
        }
        let o = cmd
            .env("RUNNER_TEMP", dir.path())
            .env("DIGESTS", digests)
            .output()
            .unwrap();
        *accepted = o.status.success();
        if *accepted {
            let dist = dir.path().join("dist");
            let names: Vec<_> = std::fs::read_dir(&dist)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names.len(), 6, "{i}: {names:?}");
        }
    }
    accepted
}

#[test]
fn the_transfer_checks_refuse_a_wrong_or_missing_digest_and_anything_unexpected() {
    let keep = |_: &str, _: &Path| {};
    let same = |d: String| d;
    assert_eq!(unpack(keep, same), [true, true], "a good set of builds");
    // A tar that is not the one its build job published.
    // Edit the published digest of the x86_64 Linux build.
    let x86 = |f: fn(&mut serde_json::Map<String, serde_json::Value>)| {
        move |d: String| {
            let mut map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&d).unwrap();
            f(&mut map);
            serde_json::Value::Object(map).to_string()
        }
    };
    let other = x86(|m| {
        let digest = m["x86_64-unknown-linux-gnu"].as_str().unwrap();
        let first = if digest.starts_with('0') { "1" } else { "0" };
        let changed = format!("{first}{}", &digest[1..]);
        m.insert("x86_64-unknown-linux-gnu".into(), changed.into());
    });
    assert_eq!(unpack(keep, other), [false, false], "a changed digest");
    let missing = x86(|m| {
        m.insert("x86_64-unknown-linux-gnu".into(), "".into());
    });
    assert_eq!(unpack(keep, missing), [false, false], "a missing digest");
    let extra = |t: &str, f: &Path| {
        if t == "aarch64-apple-darwin" {
            std::fs::write(f.join("install.sh"), "#!/bin/sh").unwrap();
        }
    };
    assert_eq!(unpack(extra, same), [false, false], "an unexpected file");
    let link = |t: &str, f: &Path| {
        if t == "x86_64-unknown-linux-gnu" {
            let bin = f.join(format!("slsa-aibom-build-{t}"));
            std::os::unix::fs::symlink("/etc/passwd", bin).unwrap();
        }
    };
    assert_eq!(unpack(link, same), [false, false], "a symlink");
    let folder = |t: &str, f: &Path| {
        if t == "aarch64-unknown-linux-gnu" {
            std::fs::create_dir(f.join(format!("slsa-aibom-build-{t}"))).unwrap();
        }
    };
    assert_eq!(unpack(folder, same), [false, false], "a directory");
    let control = |t: &str, f: &Path| {
        if t == "aarch64-unknown-linux-gnu" {
            std::fs::write(f.join(format!("slsa-aibom-build-{t}\n")), "x").unwrap();
        }
    };
    assert_eq!(unpack(control, same), [false, false], "a control character");
}

/// Review item 29.7: release.yml releases only a vX.Y.Z tag whose commit is
/// on the default branch; its own gate step, run against a repository with
/// a side branch, refuses the side commit and an odd tag name.
#[test]
fn a_release_tag_must_be_on_the_default_branch() {
    let wf = release();
    let gate = wf["jobs"]["advisories"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("The tag is a release tag on the default branch"))
        .and_then(|s| s["run"].as_str())
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["commit", "--allow-empty", "-q", "-m", "main"]);
    let main = git(&["rev-parse", "HEAD"]);
    git(&["update-ref", "refs/remotes/origin/main", &main]);
    git(&["checkout", "-q", "-b", "side"]);
    git(&["commit", "--allow-empty", "-q", "-m", "side"]);
    let side = git(&["rev-parse", "HEAD"]);
    let run = |sha: &str, tag: &str| {
        std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &gate])
            .current_dir(dir.path())
            .env("GITHUB_SHA", sha)
            .env("TAG", tag)
            .env("DEFAULT_BRANCH", "main")
            .output()
            .unwrap()
    };
    assert!(run(&main, "v1.2.3").status.success());
    let o = run(&side, "v1.2.3");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("is not on main"));
    assert!(!run(&main, "v1.2.3-rc1").status.success());
}
