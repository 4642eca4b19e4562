//! A tenant's self-hosted runner labelled `ubuntu-latest` takes `detect` (or
//! `build-cuda`, or a release build) and hands over its own binary: the jobs
//! that sign, verify and publish must not use it. Each of them runs
//! `scripts/require-hosted-jobs.sh` before it downloads anything; here the
//! workflow steps themselves (their `run:` text, as parsed from the YAML)
//! run against the fake Jobs API, with the lying runner in the run.

use crate::workflow_contract::workflow_file;
use serde_json::{json, Value};
use std::path::Path;
use yaml_rust2::Yaml;

const HOSTED: (&str, &str, u64) = ("GitHub Actions 7", "GitHub Actions", 0);
/// A tenant's runner carrying GitHub's label, in the organisation's group.
const TENANT: (&str, &str, u64) = ("tenant-box", "Default", 1);

fn job(id: u64, name: &str, runner: (&str, &str, u64), labels: &[&str]) -> Value {
    json!({
        "id": id, "run_id": 4242, "run_attempt": 1, "name": name,
        "status": "completed", "conclusion": "success",
        "runner_name": runner.0, "runner_group_name": runner.1, "runner_group_id": runner.2,
        "labels": labels,
    })
}

/// The step of `job` in `workflow` that runs the job check.
fn check_step(workflow: &str, job: &str) -> (Vec<Yaml>, usize) {
    let wf = workflow_file(workflow);
    let steps = wf["jobs"][job]["steps"].as_vec().unwrap().clone();
    let at = steps
        .iter()
        .position(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("scripts/require-hosted-jobs.sh"))
        })
        .unwrap_or_else(|| panic!("{workflow} {job}: no step runs the job check"));
    (steps, at)
}

/// Run the `run:` text of `job`'s check step in `workflow`, with the
/// script where the step's checkout puts it, against `jobs` served by the
/// fake; this job is `self_id`. The exit status and stderr.
fn run_check(
    workflow: &str,
    job: &str,
    jobs: &[Value],
    self_id: u64,
    env: &[(&str, &str)],
) -> (bool, String) {
    let (steps, at) = check_step(workflow, job);
    let script = steps[at]["run"].as_str().unwrap();
    let fake = fake_sigstore::FakeSigstore::start(fake_sigstore::sample_claims()).unwrap();
    for j in jobs {
        fake.add_job(j.clone());
    }
    let dir = tempfile::tempdir().unwrap();
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/require-hosted-jobs.sh");
    for base in [
        dir.path().join(".slsa-aibom-builder/scripts"),
        dir.path().join("scripts"),
    ] {
        std::fs::create_dir_all(&base).unwrap();
        std::fs::copy(&ours, base.join("require-hosted-jobs.sh")).unwrap();
    }
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir.path())
        .env("GITHUB_API_URL", fake.github_api_url())
        .env("GITHUB_REPOSITORY", fake.claims().repository)
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("GITHUB_TOKEN", fake.github_token())
        .env("SELF_JOB_ID", self_id.to_string());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `detect` taken by a tenant's runner that carries GitHub's label.
fn tenant_detect() -> Value {
    job(
        101,
        "build / detect",
        TENANT,
        &["self-hosted", "ubuntu-latest"],
    )
}

fn builder_run(detect: Value, cuda: Option<Value>) -> Vec<Value> {
    let mut jobs = vec![
        detect,
        job(
            102,
            "build / train",
            ("gpu-3", "ml-gpu", 4),
            &["self-hosted", "gpu"],
        ),
        job(103, "build / attest", HOSTED, &["ubuntu-latest"]),
        job(104, "build / verify", HOSTED, &["ubuntu-latest"]),
    ];
    jobs.extend(cuda);
    jobs
}

#[test]
fn attest_refuses_a_detect_that_ran_on_a_tenant_runner_labelled_ubuntu_latest() {
    let hosted = job(101, "build / detect", HOSTED, &["ubuntu-latest"]);
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(hosted.clone(), None),
        103,
        &[],
    );
    assert!(ok, "{err}");
    // A self-hosted train runner is allowed: its output is checked otherwise.
    let lying = tenant_detect();
    let (ok, err) = run_check("builder.yml", "attest", &builder_run(lying, None), 103, &[]);
    assert!(!ok);
    assert!(
        err.contains("hosted-jobs.detect") && err.contains("tenant-box"),
        "{err}"
    );
    // Without the self-hosted label, in a group other than GitHub's.
    let unlabelled = job(101, "build / detect", TENANT, &["ubuntu-latest"]);
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(unlabelled, None),
        103,
        &[],
    );
    assert!(!ok && err.contains("hosted-jobs.detect"), "{err}");
    // A group named "GitHub Actions" that is not group 0.
    let named = job(
        101,
        "build / detect",
        ("x", "GitHub Actions", 9),
        &["ubuntu-latest"],
    );
    let (ok, err) = run_check("builder.yml", "attest", &builder_run(named, None), 103, &[]);
    assert!(!ok && err.contains("hosted-jobs.detect"), "{err}");
    // A detect that failed, and two jobs named detect.
    let mut failed = hosted.clone();
    failed["conclusion"] = json!("failure");
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(failed, None),
        103,
        &[],
    );
    assert!(!ok && err.contains("not success"), "{err}");
    let mut twice = builder_run(hosted.clone(), None);
    twice.push(job(105, "build / detect", HOSTED, &["ubuntu-latest"]));
    let (ok, err) = run_check("builder.yml", "attest", &twice, 103, &[]);
    assert!(
        !ok && err.contains("2 jobs named 'build / detect'"),
        "{err}"
    );
    // This job must be itself, on a hosted runner.
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(hosted, None),
        999,
        &[],
    );
    assert!(!ok && err.contains("hosted-jobs.self"), "{err}");
}

#[test]
fn attest_checks_build_cuda_when_the_job_trains_on_cuda() {
    let detect = job(101, "build / detect", HOSTED, &["ubuntu-latest"]);
    let hosted_cuda = job(106, "build / build-cuda", HOSTED, &["ubuntu-latest"]);
    let cuda = [("DEVICE", "cuda")];
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(detect.clone(), Some(hosted_cuda)),
        103,
        &cuda,
    );
    assert!(ok, "{err}");
    let lying = job(
        106,
        "build / build-cuda",
        TENANT,
        &["self-hosted", "ubuntu-latest"],
    );
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(detect.clone(), Some(lying)),
        103,
        &cuda,
    );
    assert!(!ok && err.contains("hosted-jobs.build-cuda"), "{err}");
    // build-cuda missing while the job trains on CUDA.
    let (ok, err) = run_check(
        "builder.yml",
        "attest",
        &builder_run(detect, None),
        103,
        &cuda,
    );
    assert!(
        !ok && err.contains("0 jobs named 'build / build-cuda'"),
        "{err}"
    );
}

#[test]
fn verify_refuses_a_detect_or_attest_on_a_tenant_runner() {
    let detect = job(101, "build / detect", HOSTED, &["ubuntu-latest"]);
    let (ok, err) = run_check(
        "builder.yml",
        "verify",
        &builder_run(detect, None),
        104,
        &[],
    );
    assert!(ok, "{err}");
    let lying = tenant_detect();
    let (ok, err) = run_check("builder.yml", "verify", &builder_run(lying, None), 104, &[]);
    assert!(!ok && err.contains("hosted-jobs.detect"), "{err}");
}

#[test]
fn the_release_provenance_refuses_a_build_on_a_tenant_runner() {
    let builds = |mac: (&str, &str, u64), labels: &[&str]| {
        vec![
            job(
                201,
                "Build x86_64-unknown-linux-gnu",
                HOSTED,
                &["ubuntu-24.04"],
            ),
            job(
                202,
                "Build aarch64-unknown-linux-gnu",
                HOSTED,
                &["ubuntu-24.04-arm"],
            ),
            job(203, "Build aarch64-apple-darwin", mac, labels),
            job(
                204,
                "Sign the provenance (compiles nothing)",
                HOSTED,
                &["ubuntu-24.04"],
            ),
        ]
    };
    let (ok, err) = run_check(
        "release.yml",
        "provenance",
        &builds(HOSTED, &["macos-15"]),
        204,
        &[],
    );
    assert!(ok, "{err}");
    let (ok, err) = run_check(
        "release.yml",
        "provenance",
        &builds(TENANT, &["self-hosted", "macos-15"]),
        204,
        &[],
    );
    assert!(
        !ok && err.contains("hosted-jobs.Build aarch64-apple-darwin"),
        "{err}"
    );
}

/// The check runs before the job downloads anything, from a checkout of
/// the builder at this workflow's own commit (never from an artifact).
#[test]
fn the_job_check_comes_before_every_download() {
    for (workflow, job) in [
        ("builder.yml", "attest"),
        ("builder.yml", "verify"),
        ("release.yml", "provenance"),
    ] {
        let (steps, at) = check_step(workflow, job);
        let first_download = steps
            .iter()
            .position(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/download-artifact@"))
            })
            .unwrap();
        assert!(
            at < first_download,
            "{workflow} {job}: the check runs after a download"
        );
        let checkout = &steps[at - 1];
        assert!(
            checkout["uses"]
                .as_str()
                .unwrap()
                .starts_with("actions/checkout@"),
            "{workflow} {job}"
        );
        assert_eq!(
            checkout["with"]["sparse-checkout"].as_str(),
            Some("scripts/require-hosted-jobs.sh"),
            "{workflow} {job}"
        );
        if workflow == "builder.yml" {
            assert_eq!(
                checkout["with"]["ref"].as_str(),
                Some("${{ job.workflow_sha }}")
            );
        }
    }
}

/// The `run:` text of the step named `name` of `job` in builder.yml.
pub(crate) fn step_script(job: &str, name: &str) -> String {
    let wf = workflow_file("builder.yml");
    wf["jobs"][job]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step {name:?} in {job}"))
        .to_string()
}

/// Review item 29.2: nothing is downloaded or uploaded through the
/// workspace, where a caller's checkout can plant a symlink named like
/// our file; our binaries are made read-only before the checkout.
#[test]
fn every_transfer_goes_through_runner_temp() {
    let wf = workflow_file("builder.yml");
    for (name, job) in crate::workflow_contract::jobs(&wf) {
        for step in job["steps"].as_vec().unwrap() {
            let uses = step["uses"].as_str().unwrap_or_default();
            if uses.starts_with("actions/download-artifact@")
                || uses.starts_with("actions/upload-artifact@")
            {
                let path = step["with"]["path"].as_str().unwrap_or_default();
                assert!(
                    path.starts_with("${{ runner.temp }}/"),
                    "{name}: {uses} uses {path:?}"
                );
            }
        }
    }
    let train = step_script("train", "Train");
    assert!(
        train.contains("--definition \"$RUNNER_TEMP/") && train.contains("--out \"$RUNNER_TEMP/"),
        "{train}"
    );
    let steps = wf["jobs"]["train"]["steps"].as_vec().unwrap();
    let at = |n: &str| {
        steps
            .iter()
            .position(|s| s["name"].as_str() == Some(n))
            .unwrap()
    };
    assert!(at("Make the binaries read-only") < at("Check out the caller's repository"));
}

/// Review item 29.2, played: the caller commits `build-definition.json` as
/// a symlink to a file of ours; detect's step writes the definition
/// without touching it.
#[cfg(unix)]
#[test]
fn a_committed_symlink_does_not_redirect_detects_write() {
    let script = step_script("detect", "Write the build definition");
    let inputs = crate::common::example(1);
    let checkout = inputs.path();
    let temp = tempfile::tempdir().unwrap();
    let victim = temp.path().join("slsa-aibom-build-victim");
    std::fs::write(&victim, b"#!/bin/sh\necho ours\n").unwrap();
    std::os::unix::fs::symlink(&victim, checkout.join("build-definition.json")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .parent()
        .unwrap();
    let output = temp.path().join("github-output");
    let o = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(checkout)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("JOB", crate::common::JOB)
        .env("EXPECTED", "")
        .env(
            "INPUTS",
            json!({
                "job": crate::common::JOB, "train-runs-on": "ubuntu-latest", "device": "",
                "gpu-runner-label": "", "expected-digests": "", "upload-attestations": false,
                "public-transparency-log": "true", "publish-release": false, "release-tag": "",
            })
            .to_string(),
        )
        .env("BUILDER_SHA", "0".repeat(40))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&victim).unwrap(), b"#!/bin/sh\necho ours\n");
    assert!(temp.path().join("build-definition.json").is_file());
}

/// Review item 29.6, played on attest's own unpack step: a metadata.tar
/// holding a link named `model.sig`, or an `attestations/` folder, stops
/// the job before anything is signed.
#[cfg(unix)]
#[test]
fn attests_unpack_refuses_links_and_names_only_attest_writes() {
    let script = step_script("attest", "Check every sha256 and unpack");
    let run = |plant: &dyn Fn(&Path)| -> (bool, String) {
        let temp = tempfile::tempdir().unwrap();
        let input = temp.path().join("slsa-aibom-in");
        let src = temp.path().join("src");
        std::fs::create_dir_all(src.join("model")).unwrap();
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(src.join("build-record.json"), b"{}").unwrap();
        std::fs::write(src.join("model/config.json"), b"{}").unwrap();
        plant(&src);
        std::fs::write(input.join("build-definition.json"), b"{}").unwrap();
        let tar = |name: &str, args: &[&str]| {
            let ok = std::process::Command::new("tar")
                .arg("-C")
                .arg(&src)
                .arg("-cf")
                .arg(input.join(name))
                .args(args)
                .status()
                .unwrap();
            assert!(ok.success());
        };
        tar("metadata.tar", &["--exclude=./model", "."]);
        tar("model.tar", &["model"]);
        let sha = |name: &str| crate::common::sha256(&input.join(name));
        let o = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .env("RUNNER_TEMP", temp.path())
            .env("DEFINITION_SHA256", sha("build-definition.json"))
            .env("METADATA_SHA256", sha("metadata.tar"))
            .env("MODEL_SHA256", sha("model.tar"))
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (ok, out) = run(&|_| {});
    assert!(ok, "{out}");
    let (ok, out) =
        run(&|src| std::os::unix::fs::symlink("/tmp/anywhere", src.join("model.sig")).unwrap());
    assert!(!ok && out.contains("links or special files"), "{out}");
    let (ok, out) = run(&|src| {
        std::fs::create_dir(src.join("attestations")).unwrap();
        std::fs::write(src.join("attestations/extra.sigstore.json"), b"{}").unwrap();
    });
    assert!(
        !ok && out.contains("attestations, which only attest writes"),
        "{out}"
    );
}
