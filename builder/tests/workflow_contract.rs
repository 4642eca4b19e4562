//! The contract between `.github/workflows/builder.yml` and the binaries:
//! which job may do what, which subcommands each job runs in which order,
//! and a local run of that same sequence (simulated `GITHUB_*` environment,
//! keyless signing against the loopback fake Sigstore).

use crate::common::*;
use slsa_aibom_builder::layout;
use slsa_aibom_verify::release::rules::ValidReleasePolicy;
use slsa_aibom_verify::release::verify_release;
use slsa_aibom_verify::{Policy, TrustRoot};
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

/// Each job of the workflow and the `slsa-aibom-*` subcommands it runs, in
/// order. The local run below executes exactly this list.
const SEQUENCE: &[(&str, &[&str])] = &[
    ("detect", &["slsa-aibom-build detect"]),
    ("build-cuda", &[]),
    ("train", &["slsa-aibom-build train"]),
    ("attest", &["slsa-aibom-build attest"]),
    ("verify", &["slsa-aibom-verify model"]),
    ("publish", &[]),
];

fn workflow() -> Yaml {
    workflow_file("builder.yml")
}

/// `.github/workflows/NAME`, parsed.
pub(crate) fn workflow_file(name: &str) -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.github/workflows")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read the workflow");
    YamlLoader::load_from_str(&text)
        .expect("parse the workflow")
        .remove(0)
}

pub(crate) fn action() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../action.yml");
    let text = std::fs::read_to_string(&path).expect("read action.yml");
    YamlLoader::load_from_str(&text)
        .expect("parse action.yml")
        .remove(0)
}

/// Every `run:` script of a job, or of the action.
pub(crate) fn scripts(steps: &Yaml) -> Vec<String> {
    steps
        .as_vec()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect()
}

/// The commands the `run:` scripts of `steps` execute: logical lines
/// (backslash continuations joined), without comments, here-document bodies
/// or lines that only print (`echo`, `printf`), so that a comment or an
/// `echo` naming a command does not pass for running it.
pub(crate) fn commands(steps: &Yaml) -> Vec<String> {
    let mut out = Vec::new();
    for script in scripts(steps) {
        let mut logical = String::new();
        let mut heredoc: Option<String> = None;
        for line in script.lines() {
            let line = line.trim();
            if let Some(end) = &heredoc {
                if line == end {
                    heredoc = None;
                }
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            if let Some(body) = line.strip_suffix('\\') {
                logical.push_str(body);
                continue;
            }
            logical.push_str(line);
            let command = std::mem::take(&mut logical);
            // A here-document (`<<EOF`), not a here-string (`<<<`).
            if let Some(at) = command
                .match_indices("<<")
                .map(|(at, _)| at)
                .find(|&at| !command[at..].starts_with("<<<") && !command[..at].ends_with('<'))
            {
                let tag = command[at + 2..].trim_start_matches('-').trim();
                heredoc = Some(
                    tag.trim_matches(['\'', '"'])
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_string(),
                );
            }
            let printing = ["echo ", "printf "].iter().any(|p| command.starts_with(p));
            if !command.is_empty() && !printing {
                out.push(command);
            }
        }
    }
    out
}

/// Whether one of the commands of `steps` starts with `prefix` (after
/// `VAR=value` assignments and an `if`/`!`).
pub(crate) fn runs(steps: &Yaml, prefix: &str) -> bool {
    commands(steps).iter().any(|c| {
        let mut rest = c.trim_start_matches("if ").trim_start_matches("! ");
        while let Some((word, tail)) = rest.split_once(' ') {
            if word.contains('=') && !word.starts_with('-') {
                rest = tail;
            } else {
                break;
            }
        }
        rest.starts_with(prefix)
    })
}

#[test]
fn the_command_scan_sees_runs_not_comments_or_echoes() {
    let steps = YamlLoader::load_from_str(
        "- run: |\n    # bash scripts/build-release.sh\n    echo bash scripts/build-release.sh\n    cat <<EOF\n    bash scripts/build-release.sh\n    EOF\n    read -r -a b <<<\"$X\"\n    cargo build \\\n      --locked\n",
    )
    .unwrap()
    .remove(0);
    assert!(!runs(&steps, "bash scripts/build-release.sh"));
    assert!(runs(&steps, "cargo build --locked"));
    let ran = YamlLoader::load_from_str("- run: X=1 bash scripts/build-release.sh a b\n")
        .unwrap()
        .remove(0);
    assert!(runs(&ran, "bash scripts/build-release.sh a"));
}

pub(crate) fn jobs(wf: &Yaml) -> Vec<(String, Yaml)> {
    wf["jobs"]
        .as_hash()
        .expect("jobs")
        .iter()
        .map(|(k, v)| (k.as_str().expect("job name").to_string(), v.clone()))
        .collect()
}

/// A job's permissions as `scope=level` strings (`{}` gives none).
pub(crate) fn permissions(job: &Yaml) -> Vec<String> {
    match &job["permissions"] {
        Yaml::Hash(h) => h
            .iter()
            .map(|(k, v)| format!("{}={}", k.as_str().unwrap(), v.as_str().unwrap()))
            .collect(),
        other => panic!("every job must declare its permissions, got {other:?}"),
    }
}

/// The `slsa-aibom-build X` / `slsa-aibom-verify X` invocations in a job's
/// `run:` scripts, in order.
fn subcommands(job: &Yaml) -> Vec<String> {
    let mut out = Vec::new();
    for step in job["steps"].as_vec().expect("steps") {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        for line in script.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [bin @ ("slsa-aibom-build" | "slsa-aibom-verify"), sub, ..] = words[..] {
                out.push(format!("{bin} {sub}"));
            }
        }
    }
    out
}

#[test]
fn only_attest_can_mint_an_oidc_token_and_each_job_has_least_privilege() {
    let wf = workflow();
    assert_eq!(
        wf["permissions"],
        Yaml::Hash(Default::default()),
        "top-level permissions must be {{}}"
    );
    for (name, job) in jobs(&wf) {
        let perms = permissions(&job);
        let writes: Vec<&String> = perms.iter().filter(|p| p.ends_with("=write")).collect();
        let expected: &[&str] = match name.as_str() {
            "attest" => &["id-token=write", "attestations=write"],
            "publish" => &["contents=write"],
            _ => &[],
        };
        let mut got: Vec<&str> = writes.iter().map(|s| s.as_str()).collect();
        got.sort();
        let mut want = expected.to_vec();
        want.sort();
        assert_eq!(got, want, "write permissions of job {name}");
        if name == "train" {
            assert_eq!(perms, ["contents=read"], "train reads only");
            assert!(
                job["secrets"].is_badvalue(),
                "train must not receive secrets"
            );
        }
    }
}

#[test]
fn each_job_runs_the_contracted_subcommands_in_order() {
    let wf = workflow();
    let got: Vec<(String, Vec<String>)> = jobs(&wf)
        .iter()
        .map(|(name, job)| (name.clone(), subcommands(job)))
        .collect();
    let want: Vec<(String, Vec<String>)> = SEQUENCE
        .iter()
        .map(|(job, subs)| {
            (
                job.to_string(),
                subs.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// A CUDA job gets a CUDA trainer built once, tokenless, from the builder's
/// commit; train installs it only after checking its digest, and attest
/// holds the record to that same binary.
#[test]
fn a_cuda_job_trains_with_the_cuda_trainer_built_without_a_token() {
    let wf = workflow();
    let build = &wf["jobs"]["build-cuda"];
    assert_eq!(
        build["if"].as_str(),
        Some("needs.detect.outputs.device == 'cuda'")
    );
    assert_eq!(permissions(build), ["contents=read"]);
    let script = scripts(&build["steps"]).join("\n");
    assert!(
        runs(&build["steps"], "source scripts/cuda-toolchain.sh"),
        "{script}"
    );
    assert!(
        commands(&build["steps"])
            .iter()
            .any(|c| c.starts_with("cargo build")
                && c.contains("--locked -p slsa-aibom-builder --features cuda")),
        "{script}"
    );
    assert!(
        build["steps"][0]["with"]["ref"].as_str()
            == Some("${{ needs.detect.outputs.builder-sha }}"),
        "build-cuda checks out the builder at detect's commit"
    );
    let detect = scripts(&wf["jobs"]["detect"]["steps"]).join("\n");
    assert!(
        detect.contains("--device-output \"$GITHUB_OUTPUT\""),
        "{detect}"
    );
    for job in ["train", "attest"] {
        let steps = wf["jobs"][job]["steps"].as_vec().unwrap();
        let at = |name: &str| {
            steps
                .iter()
                .position(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
                .unwrap_or_else(|| panic!("{job} has no step {name:?}"))
        };
        let check = at("Check the CUDA trainer's sha256");
        assert!(at("Download the CUDA trainer") < check);
        let run = steps[check]["run"].as_str().unwrap();
        assert!(run.contains("sha256sum --check --strict"), "{run}");
        assert!(
            run.find("sha256sum").unwrap() < run.find("tar ").unwrap(),
            "{job} unpacks the CUDA trainer only after checking it"
        );
        if job == "train" {
            assert!(
                check < at("Train"),
                "train checks the CUDA trainer before training"
            );
        } else {
            let sign = steps[at("Sign the provenance")]["run"].as_str().unwrap();
            assert!(sign.contains("--trainer-binary"), "{sign}");
        }
    }
}

#[test]
fn no_job_that_can_mint_a_token_compiles_anything() {
    assert_minting_job_compiles_nothing(
        &workflow(),
        &["actions/download-artifact@", "actions/upload-artifact@"],
    );
}

/// Exactly one job of `wf` holds `id-token: write`, and it runs no compiler
/// or package manager (build scripts and proc-macros of ~360 crates must
/// never run where ACTIONS_ID_TOKEN_REQUEST_* is in the environment) and
/// no action but those whose `uses:` starts with one of `allowed`.
pub(crate) fn assert_minting_job_compiles_nothing(wf: &Yaml, allowed: &[&str]) {
    let compilers = [
        "cargo", "rustup", "rustc", "cc ", "gcc", "clang", "make", "cmake", "pip ", "npm ",
    ];
    let mut minting = 0;
    for (name, job) in jobs(wf) {
        if !permissions(&job).contains(&"id-token=write".to_string()) {
            continue;
        }
        minting += 1;
        for script in scripts(&job["steps"]) {
            for line in script.lines() {
                let l = format!("{} ", line.trim());
                assert!(
                    !compilers
                        .iter()
                        .any(|c| l.starts_with(c) || l.contains(&format!(" {c}"))),
                    "job {name}, which can mint OIDC tokens, runs a compiler: {line}"
                );
            }
        }
        // The one checkout allowed: our job check script alone, at the
        // workflow's own commit, without credentials.
        let job_check_only = |s: &Yaml| {
            s["with"]["sparse-checkout"].as_str() == Some("scripts/require-hosted-jobs.sh")
                && s["with"]["persist-credentials"].as_bool() == Some(false)
        };
        assert!(
            job["steps"].as_vec().unwrap().iter().all(|s| {
                s["uses"].as_str().is_none_or(|u| {
                    allowed.iter().any(|a| u.starts_with(a))
                        || (u.starts_with("actions/checkout@") && job_check_only(s))
                })
            }),
            "job {name} may only move artifacts (and use {allowed:?}, and check out the job check)"
        );
    }
    assert_eq!(minting, 1, "exactly one job holds id-token: write");
}

#[test]
fn attest_gets_the_definition_and_checks_the_runner_and_the_commit() {
    let wf = workflow();
    let attest = &wf["jobs"]["attest"];
    let all = scripts(&attest["steps"]).join("\n");
    for needle in [
        "--definition \"$RUNNER_TEMP/slsa-aibom-in/build-definition.json\"",
        "--attest-job-id",
        "RUNNER_ENVIRONMENT",
        "WORKFLOW_SHA",
    ] {
        assert!(all.contains(needle), "attest does not pass/check {needle}");
    }
    let detect = scripts(&wf["jobs"]["detect"]["steps"]).join("\n");
    for needle in ["RUNNER_ENVIRONMENT", "--inputs-json", "--builder-sha"] {
        assert!(
            detect.contains(needle),
            "detect does not pass/check {needle}"
        );
    }
}

#[test]
fn every_workflow_input_is_recorded_in_the_external_parameters() {
    let wf = workflow();
    let mut declared: Vec<String> = wf["on"]["workflow_call"]["inputs"]
        .as_hash()
        .expect("inputs")
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    declared.sort();
    let mut recorded: Vec<String> = slsa_aibom_verify::identity::our_builder::WORKFLOW_INPUTS
        .iter()
        .map(|s| s.to_string())
        .collect();
    recorded.sort();
    assert_eq!(
        declared, recorded,
        "builder.yml's inputs and WORKFLOW_INPUTS differ"
    );
    // detect hands all of them over at once, as JSON.
    let definition = wf["jobs"]["detect"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("definition"))
        .unwrap()
        .clone();
    assert_eq!(
        definition["env"]["INPUTS"].as_str(),
        Some("${{ toJSON(inputs) }}")
    );
}

#[test]
fn the_verify_job_and_the_action_verify_the_release_as_one_unit_under_a_pinned_policy() {
    let wf = workflow();
    let verify = scripts(&wf["jobs"]["verify"]["steps"]).join("\n");
    assert!(verify.contains("slsa-aibom-verify model out/model --policy policy.toml"));
    assert!(
        verify.contains("commits = [\"$BUILDER_SHA\"]"),
        "verify must pin detect's commit"
    );
    let action = scripts(&action()["runs"]["steps"]).join("\n");
    assert!(action.contains("slsa-aibom-verify model \"$MODEL\""));
    assert!(action.contains("--policy \"$policy_file\""));
    // No default anywhere trusts every ref of the builder.
    for file in [
        ".github/workflows/builder.yml",
        "action.yml",
        "examples/workflows/gate-deployment.yml",
    ] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file))
                .unwrap();
        assert!(
            !text.contains("builder\\.yml@.*"),
            "{file} trusts any ref of the builder"
        );
    }
    // publish never overwrites.
    let publish = scripts(&wf["jobs"]["publish"]["steps"]).join("\n");
    assert!(!publish.contains("--clobber"));
}

/// Run the action's verify script with `env`: (exit code, policy written).
fn run_action(env: &[(&str, &str)]) -> (i32, String, String) {
    let script = action()["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("verify"))
        .unwrap()["run"]
        .as_str()
        .unwrap()
        .to_string();
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/release"),
        &tmp.path().join("out"),
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-c").arg(script).current_dir(tmp.path());
    for k in [
        "ATTESTATIONS",
        "MODEL_SIGNATURE",
        "POLICY",
        "BUILDER_TAGS",
        "BUILDER_COMMITS",
        "SOURCE_REFS",
        "TRIGGERS",
        "RUNNER_GROUPS",
        "RUNNER_LABELS",
    ] {
        cmd.env(k, "");
    }
    let verify_dir = Path::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .parent()
        .unwrap()
        .to_path_buf();
    cmd.env("MODEL", "out/model")
        .env("SOURCE_REPO", "acme/models")
        .env("INSTANCE", "public-good")
        .env("DENY_SELF_HOSTED", "false")
        .env("INSTALL", "none")
        .env("RUNNER_TEMP", tmp.path())
        .env("GITHUB_OUTPUT", tmp.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", tmp.path().join("summary"))
        .env(
            "PATH",
            format!(
                "{}:{}",
                verify_dir.display(),
                std::env::var("PATH").unwrap()
            ),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    let policy =
        std::fs::read_to_string(tmp.path().join("slsa-aibom-policy.toml")).unwrap_or_default();
    (
        o.status.code().unwrap_or(-1),
        policy,
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn the_action_pins_the_builder_to_release_tags_or_commits_never_a_branch() {
    // Its own ref, when that is a release tag or a commit.
    let (_, policy, _) = run_action(&[("ACTION_REF", "v1.2.3")]);
    assert!(policy.contains("tags = [\"v1.2.3\"]"), "{policy}");
    let sha = "a".repeat(40);
    let (_, policy, _) = run_action(&[("ACTION_REF", &sha)]);
    assert!(
        policy.contains(&format!("commits = [\"{sha}\"]")),
        "{policy}"
    );
    // A branch or a moving major tag is never trusted by default.
    for r#ref in ["main", "v1", "refs/heads/main", ""] {
        let (code, policy, out) = run_action(&[("ACTION_REF", r#ref)]);
        assert_ne!(code, 0, "{ref}");
        assert!(policy.is_empty(), "{ref}: a policy was written");
        assert!(out.contains("neither a release tag"), "{ref}: {out}");
    }
    // Named explicitly, it may be trusted; junk is refused.
    let (_, policy, _) = run_action(&[("ACTION_REF", "main"), ("BUILDER_TAGS", "v2.0.0 v2.0.1")]);
    assert!(
        policy.contains("tags = [\"v2.0.0\", \"v2.0.1\"]"),
        "{policy}"
    );
    let (code, policy, _) = run_action(&[
        ("ACTION_REF", "v1.2.3"),
        ("BUILDER_TAGS", "main\"]\nissuer = \"x"),
    ]);
    assert_ne!(code, 0);
    assert!(policy.is_empty());
}

/// Run one subcommand in the simulated job environment; only the signing
/// job (`sigstore` given) can reach the OIDC token and the fake Sigstore.
fn step(dir: &Path, sigstore: Option<&Sigstore>, args: &[&str]) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    github_env(cmd.current_dir(dir).args(args));
    if let Some(s) = sigstore {
        s.env(&mut cmd)
            .env("GITHUB_API_URL", s.fake.github_api_url())
            .env("GITHUB_TOKEN", s.fake.github_token());
    }
    let o = cmd.output().expect("run");
    assert_eq!(
        code(&o),
        0,
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The contracted sequence, run locally in the caller's checkout: each job's
/// subcommands in order, signing keylessly against the fake Sigstore.
#[test]
fn the_contracted_sequence_runs_locally_and_verifies() {
    let sigstore = Sigstore::start(fake_sigstore::sample_claims());
    let repo = example(1);
    let dir = repo.path();
    std::fs::write(
        dir.join("expected.sha256"),
        format!(
            "{}  examples/demo/data/transactions.csv\n",
            sha256(&dir.join("examples/demo/data/transactions.csv"))
        ),
    )
    .unwrap();
    // The run's jobs as the Jobs API lists them: the caller's job `build`
    // called the workflow.
    let job = |id: u64, name: &str, group: &str, group_id: u64| {
        serde_json::json!({
            "id": id, "run_id": 4242, "run_attempt": 1, "name": name,
            "status": "completed", "conclusion": "success",
            "runner_name": "GitHub Actions 9", "runner_group_name": group, "runner_group_id": group_id,
            "labels": ["ubuntu-latest"],
            "started_at": "2000-01-01T00:00:00Z", "completed_at": "2100-01-01T00:00:00Z",
        })
    };
    for (id, name) in [
        (1, "build / detect"),
        (2, "build / train"),
        (3, "build / attest"),
    ] {
        sigstore.fake.add_job(job(id, name, "GitHub Actions", 0));
    }
    let claims = fake_sigstore::sample_claims();
    let inputs = serde_json::json!({
        "job": JOB, "train-runs-on": "[\"ubuntu-latest\"]", "device": "", "gpu-runner-label": "", "expected-digests": "expected.sha256",
        "upload-attestations": false, "public-transparency-log": "auto",
        "publish-release": false, "release-tag": "",
    })
    .to_string();
    for (job, subs) in SEQUENCE {
        for sub in *subs {
            match (*job, *sub) {
                ("detect", "slsa-aibom-build detect") => step(
                    dir,
                    None,
                    &[
                        "detect",
                        "--job",
                        JOB,
                        "--expected-digests",
                        "expected.sha256",
                        "--out",
                        "build-definition.json",
                        "--inputs-json",
                        &inputs,
                        "--builder-sha",
                        &claims.job_workflow_sha,
                    ],
                ),
                ("train", "slsa-aibom-build train") => step(
                    dir,
                    None,
                    &[
                        "train",
                        "--definition",
                        "build-definition.json",
                        "--out",
                        "out",
                        "-q",
                    ],
                ),
                ("attest", "slsa-aibom-build attest") => step(
                    dir,
                    Some(&sigstore),
                    &[
                        "attest",
                        "out",
                        "--keyless",
                        "--rekor",
                        "--builder-id",
                        BUILDER_ID,
                        "-q",
                        "--definition",
                        "build-definition.json",
                        "--attest-job-id",
                        "3",
                        "--train-job-id",
                        "2",
                    ],
                ),
                ("verify", "slsa-aibom-verify model") => {
                    // The verify job's policy: this builder at detect's
                    // commit, the caller's repository.
                    let rules = ValidReleasePolicy::from_toml(&format!(
                        "version = 1\n[builder]\nworkflow = \"{}\"\ncommits = [\"{}\"]\n[source]\nrepositories = [\"{}\"]\n",
                        BUILDER_ID.split_once('@').unwrap().0,
                        claims.job_workflow_sha,
                        claims.repository
                    ))
                    .unwrap();
                    let mut policy = Policy {
                        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
                            TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
                        ),
                        ..Policy::default()
                    };
                    rules.apply(&mut policy);
                    let out = dir.join("out");
                    let release = release_of(&out);
                    let report = verify_release(&policy, &rules, None, &release);
                    assert!(report.verified(), "{:?}", report.failure());
                }
                other => panic!("no local equivalent for {other:?}"),
            }
        }
    }
    let definition: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("build-definition.json")).unwrap()).unwrap();
    assert_eq!(definition["source"]["GITHUB_REPOSITORY"], "acme/models");
    assert_eq!(definition["builderSha"], claims.job_workflow_sha);
    let provenance = slsa_aibom_builder::output_check::bundle_statement(
        &dir.join("out/attestations/provenance.sigstore.json"),
    )
    .unwrap();
    let recorded = &provenance["predicate"]["buildDefinition"]["externalParameters"]["inputs"];
    for name in slsa_aibom_verify::identity::our_builder::WORKFLOW_INPUTS {
        assert!(
            recorded.get(name).is_some(),
            "input {name} not recorded: {recorded}"
        );
    }
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out").join(layout::RECORD)).unwrap())
            .unwrap();
    assert_eq!(record["job"]["path"], JOB);
    assert_eq!(
        record["invocation_id"],
        "https://github.com/acme/models/actions/runs/4242/attempts/1"
    );
}

/// Run detect's identity step with `env`: (exit code, its GITHUB_OUTPUT).
fn run_detect_identity(env: &[(&str, &str)]) -> (i32, String) {
    let wf = workflow();
    let script = wf["jobs"]["detect"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some("identity"))
        .unwrap()["run"]
        .as_str()
        .unwrap()
        .to_string();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("output");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .env("WORKFLOW_SHA", "2".repeat(40))
        .env("WORKFLOW_REPOSITORY", "ORG/slsa-aibom")
        .env(
            "WORKFLOW_REF",
            "ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1.0.0",
        )
        .env("BUILDER_REPOSITORY", "ORG/slsa-aibom")
        .env("BUILDER_WORKFLOW_PATH", ".github/workflows/builder.yml")
        .env("TRAIN_RUNS_ON", "[\"ubuntu-latest\"]")
        .env("CALLER_OWNER", "acme")
        .env("GITHUB_OUTPUT", &out);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        std::fs::read_to_string(&out).unwrap_or_default(),
    )
}

#[test]
fn private_repositories_log_publicly_only_when_asked() {
    for (visibility, input, want) in [
        ("public", "auto", "rekor"),
        ("private", "auto", "tsa"),
        ("internal", "auto", "tsa"),
        ("", "auto", "tsa"),
        ("private", "true", "rekor"),
        ("public", "false", "tsa"),
    ] {
        let (code, output) =
            run_detect_identity(&[("VISIBILITY", visibility), ("PUBLIC_LOG", input)]);
        assert_eq!(code, 0, "{visibility} {input}");
        assert!(
            output.contains(&format!("transparency={want}\n")),
            "{visibility} {input}: {output}"
        );
    }
    let (code, _) = run_detect_identity(&[("VISIBILITY", "public"), ("PUBLIC_LOG", "yes")]);
    assert_ne!(code, 0);
}

/// The action builds the verifier from its own checked-out files: nothing
/// re-resolved over the network (no `--git`, no tag), the committed lockfile,
/// the pinned toolchain, and outside the caller's workspace and cargo
/// configuration.
#[test]
fn the_action_builds_the_verifier_from_its_own_files_away_from_the_callers_workspace() {
    let action = action();
    let install = action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Install slsa-aibom-verify"))
        .expect("the install step");
    let script = install["run"].as_str().unwrap();
    assert!(!script.contains("--git"), "{script}");
    assert!(script.contains(r#"install --locked --root "$work" --path "$ACTION_PATH/verifier""#));
    assert!(script.contains(r#"cargo "+$RUST_TOOLCHAIN" install"#));
    let cd = script
        .find(r#"cd "$work" || exit 1"#)
        .expect("leaves the caller's workspace");
    let build = script.find("cargo \"+").unwrap();
    assert!(cd < build && script.contains(r#"CARGO_HOME="$work/cargo-home""#));
    assert!(install["env"]["RUST_TOOLCHAIN"]
        .as_str()
        .is_some_and(|v| v.split('.').count() == 3));
    // The default installs the verified release binary, and falls back to
    // this build only when none is offered (exit 3), never after a refusal.
    assert_eq!(
        action["inputs"]["install"]["default"].as_str(),
        Some("release")
    );
    assert!(script.contains(r#"bash "$ACTION_PATH/scripts/install-release.sh" || rc=$?"#));
    let fallback = script.find("if ((rc == 3)); then").expect("the fallback");
    let refusal = script.find("elif ((rc != 0)); then").expect("the refusal");
    let after: Vec<&str> = script[refusal..].lines().map(str::trim).take(2).collect();
    assert_eq!(after, ["elif ((rc != 0)); then", "exit 1"]);
    assert!(fallback < refusal);
}
