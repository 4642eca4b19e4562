//! The contract between `.github/workflows/builder.yml` and the binaries:
//! which job may do what, which subcommands each job runs in which order,
//! and a local run of that same sequence (simulated `GITHUB_*` environment,
//! keyless signing against the loopback fake Sigstore).

mod common;
use common::*;
use slsa_aibom_builder::layout;
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

/// Each job of the workflow and the `slsa-aibom-*` subcommands it runs, in
/// order. The local run below executes exactly this list.
const SEQUENCE: &[(&str, &[&str])] = &[
    ("detect", &["slsa-aibom-build detect"]),
    ("train", &["slsa-aibom-build train"]),
    ("attest", &["slsa-aibom-build attest"]),
    (
        "verify",
        &[
            "slsa-aibom-verify verify-bundle",
            "slsa-aibom-verify verify-bundle",
            "slsa-aibom-verify verify-bundle",
        ],
    ),
    ("publish", &[]),
];

fn workflow() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.github/workflows/builder.yml");
    let text = std::fs::read_to_string(&path).expect("read builder.yml");
    YamlLoader::load_from_str(&text)
        .expect("parse builder.yml")
        .remove(0)
}

fn jobs(wf: &Yaml) -> Vec<(String, Yaml)> {
    wf["jobs"]
        .as_hash()
        .expect("jobs")
        .iter()
        .map(|(k, v)| (k.as_str().expect("job name").to_string(), v.clone()))
        .collect()
}

/// A job's permissions as `scope=level` strings (`{}` gives none).
fn permissions(job: &Yaml) -> Vec<String> {
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

/// Run one subcommand in the simulated job environment; only the signing
/// job (`sigstore` given) can reach the OIDC token and the fake Sigstore.
fn step(dir: &Path, sigstore: Option<&Sigstore>, args: &[&str]) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    github_env(cmd.current_dir(dir).args(args));
    if let Some(s) = sigstore {
        s.env(&mut cmd);
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
                    ],
                ),
                ("verify", "slsa-aibom-verify verify-bundle") => {
                    slsa_aibom_builder::output_check::verify_outputs(
                        &dir.join("out"),
                        &sigstore.anchor(&sigstore.trusted_root(), BUILDER_ID),
                        Some(BUILDER_ID),
                    )
                    .map(|_| ())
                    .unwrap()
                }
                other => panic!("no local equivalent for {other:?}"),
            }
        }
    }
    let definition: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("build-definition.json")).unwrap()).unwrap();
    assert_eq!(definition["source"]["GITHUB_REPOSITORY"], "acme/models");
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out").join(layout::RECORD)).unwrap())
            .unwrap();
    assert_eq!(record["job"]["path"], JOB);
    assert_eq!(
        record["invocation_id"],
        "https://github.com/acme/models/actions/runs/4242/attempts/1"
    );
}
