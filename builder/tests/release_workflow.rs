//! The contract of `.github/workflows/release.yml` (our own releases) and of
//! the action's `install: release` (scripts/install-release.sh): who may
//! sign, that the signer compiles nothing, that nothing is published before
//! our verifier has checked the provenance, and that the action never runs a
//! download before it is checked. The install step itself is played end to
//! end in the verifier's `action_install` tests.

use crate::workflow_contract::{
    action, assert_minting_job_compiles_nothing, jobs, permissions, scripts, workflow_file,
};
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
    assert_eq!(wf["on"]["push"]["tags"][0].as_str(), Some("v*"));
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
    let build_scripts = scripts(&build["steps"]).join("\n");
    assert!(build_scripts.contains("bash scripts/build-release.sh"));
    assert!(build_scripts.contains("bash scripts/release-sbom.sh"));
    let gate = scripts(&wf["jobs"]["advisories"]["steps"]).join("\n");
    assert!(gate.contains("check-advisory-exceptions.py deny.toml"));
    assert!(gate.contains("cargo-deny.sh --online check advisories"));
    assert!(wf["env"]["RUSTUP_TOOLCHAIN"]
        .as_str()
        .is_some_and(|v| v.split('.').count() == 3));
}

#[test]
fn nothing_is_published_before_our_verifier_checks_every_file_against_the_provenance() {
    let wf = release();
    let verify = &wf["jobs"]["verify"];
    assert_eq!(needs(verify), ["build", "provenance"]);
    let script = scripts(&verify["steps"]).join("\n");
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
