//! The keyless path end to end against loopback fakes of the GitHub OIDC
//! token service, Fulcio, Rekor and a TSA (crate `fake-sigstore`): `attest
//! --keyless` signs, the bundles verify with our verifier and with Python
//! `sigstore` given the fakes' trusted root, and each service failure stops
//! the run with a clear error and nothing signed left behind.

use crate::common::*;
use base64::Engine as _;
use fake_sigstore::{sample_claims, Claims, Faults, GITHUB_ISSUER};
use slsa_aibom_builder::layout;
use slsa_aibom_builder::output_check::{bundle_statement, verify_outputs};
use slsa_aibom_verify::{
    Inputs, Policy, Report, RunnerPolicy, SanMatcher, Subject, TrustRoot, Verifier,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Train the example job in the simulated job environment of run `run_id`
/// (otherwise the sample claims'); unsigned outputs in `DIR/out`.
fn train_in_run(run_id: &str) -> tempfile::TempDir {
    let inputs = example(1);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    cmd.arg("train")
        .arg(inputs.path().join(JOB))
        .arg("--out")
        .arg(inputs.path().join("out"))
        .arg("-q");
    let out = github_env(&mut cmd)
        .env("GITHUB_RUN_ID", run_id)
        .output()
        .expect("run train");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    inputs
}

/// One trained (unsigned) output directory, trained in the simulated job
/// environment the fake tokens describe; tests sign copies.
fn trained() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| train_in_run(&sample_claims().run_id))
        .path()
}

/// A private copy of the trained outputs.
fn unsigned() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&trained().join("out"), &dir.path().join("out"));
    let out = dir.path().join("out");
    (dir, out)
}

/// `slsa-aibom-build attest OUT --keyless --builder-id BUILDER_ID EXTRA...`
/// with the fakes' environment.
fn attest(sigstore: &Sigstore, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    cmd.arg("attest")
        .arg(out)
        .args(["--keyless", "--builder-id", BUILDER_ID, "-q"])
        .args(extra);
    sigstore.env(&mut cmd);
    if extra.contains(&"--tsa") {
        cmd.env("SLSA_AIBOM_TRUSTED_ROOT", sigstore.github_trusted_root());
    }
    cmd.output().expect("run attest")
}

fn assert_nothing_signed(out: &Path) {
    for name in layout::SIGNED {
        assert!(
            !out.join(name).exists(),
            "{name} was left behind by a failed signing"
        );
    }
    assert!(
        out.join(layout::RECORD).is_file(),
        "the unsigned record must remain"
    );
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Python `sigstore` from the peer venv (`scripts/peers.sh`, which
/// `scripts/test.sh` runs before the tests).
fn python_sigstore() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-peers/bin/sigstore");
    assert!(
        bin.is_file(),
        "Python sigstore is not installed: run `bash scripts/peers.sh` (scripts/test.sh does); this interop test did NOT run"
    );
    bin
}

fn python_verify(sigstore: &Sigstore, bundle: &Path, identity: &str, file: &Path) -> Output {
    Command::new(python_sigstore())
        .arg("--trust-config")
        .arg(sigstore.trust_config())
        .args(["verify", "identity", "--bundle"])
        .arg(bundle)
        .args([
            "--cert-identity",
            identity,
            "--cert-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg(file)
        .output()
        .expect("run python sigstore")
}

/// sigstore-js (`@sigstore/verify` from `.node-peers`, which
/// `scripts/peers.sh` installs) on `bundle` under the trusted root `root`.
fn js_verify(root: &Path, bundle: &Path, identity: &str, file: &Path) -> Output {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let modules = repo.join(".node-peers/node_modules");
    assert!(
        modules.join("@sigstore/verify").is_dir(),
        "sigstore-js is not installed: run `bash scripts/peers.sh` (scripts/test.sh does); this interop test did NOT run"
    );
    Command::new("node")
        .arg(repo.join("scripts/sigstore-js-verify.js"))
        .args([root, bundle])
        .args([identity, GITHUB_ISSUER])
        .arg(file)
        .env("NODE_PATH", modules)
        .output()
        .expect("run node")
}

#[test]
fn keyless_rekor_bundles_verify_here_in_python_sigstore_and_in_sigstore_js() {
    let sigstore = Sigstore::start(sample_claims());
    let (_dir, out) = unsigned();
    let o = attest(&sigstore, &out, &["--rekor"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        !out.join(layout::KEY_PUB).exists(),
        "keyless runs publish no key"
    );

    let root = sigstore.trusted_root();
    verify_outputs(&out, &sigstore.anchor(&root, BUILDER_ID), Some(BUILDER_ID)).unwrap();
    let other = "https://github.com/evil/builder/.github/workflows/builder.yml@refs/tags/v1";
    assert!(verify_outputs(&out, &sigstore.anchor(&root, other), None).is_err());

    let provenance = out.join("attestations/provenance.sigstore.json");
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&provenance).unwrap()).unwrap();
    let tlog = &bundle["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(tlog["kindVersion"]["kind"], "dsse");
    assert!(tlog["inclusionProof"]["checkpoint"]["envelope"].is_string());

    let weights = out.join("model/model.safetensors");
    let py = python_verify(&sigstore, &provenance, BUILDER_ID, &weights);
    assert!(
        py.status.success(),
        "Python sigstore refused our keyless bundle: {}{}",
        String::from_utf8_lossy(&py.stdout),
        stderr(&py)
    );
    let py = python_verify(&sigstore, &provenance, other, &weights);
    assert!(
        !py.status.success(),
        "Python sigstore accepted the wrong identity"
    );
    let py = python_verify(
        &sigstore,
        &provenance,
        BUILDER_ID,
        &out.join(layout::RECORD),
    );
    assert!(
        !py.status.success(),
        "Python sigstore accepted a file that is not a subject"
    );

    // sigstore-js, the verifier npm uses, accepts both statements too, and
    // refuses another identity or a file that is not a subject.
    for bundle in [
        provenance.clone(),
        out.join("attestations/aibom.sigstore.json"),
    ] {
        let js = js_verify(&root, &bundle, BUILDER_ID, &weights);
        assert!(
            js.status.success(),
            "sigstore-js refused {}: {}{}",
            bundle.display(),
            String::from_utf8_lossy(&js.stdout),
            stderr(&js)
        );
    }
    // Refusals are exit 1; a crash of the script (exit 2) is no refusal.
    assert_eq!(
        js_verify(&root, &provenance, other, &weights).status.code(),
        Some(1)
    );
    // The model signature too: its subject is the manifest's digest, which
    // is computed here from the files, not read from the signature.
    let manifest = format!("sha256:{}", manifest_digest(&out.join("model")));
    let js = js_verify(
        &root,
        &out.join("model.sig"),
        BUILDER_ID,
        Path::new(&manifest),
    );
    assert!(
        js.status.success(),
        "sigstore-js refused model.sig: {}",
        stderr(&js)
    );
    // A bundle whose signed payload lost one byte's worth is refused.
    let mut tampered = bundle.clone();
    let payload = tampered["dsseEnvelope"]["payload"].as_str().unwrap();
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    tampered["dsseEnvelope"]["payload"] = base64::engine::general_purpose::STANDARD
        .encode(&bytes)
        .into();
    let tampered_path = out.join("tampered.sigstore.json");
    std::fs::write(&tampered_path, tampered.to_string()).unwrap();
    assert_eq!(
        js_verify(&root, &tampered_path, BUILDER_ID, &weights)
            .status
            .code(),
        Some(1),
        "sigstore-js did not refuse a tampered bundle"
    );
    assert_eq!(
        js_verify(&root, &provenance, BUILDER_ID, &out.join(layout::RECORD))
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn keyless_timestamp_bundles_verify_without_a_log() {
    let sigstore = Sigstore::start(sample_claims());
    let (_dir, out) = unsigned();
    let o = attest(&sigstore, &out, &["--tsa"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let root = sigstore.github_trusted_root();
    verify_outputs(&out, &sigstore.anchor(&root, BUILDER_ID), Some(BUILDER_ID)).unwrap();
    // A root that demands a log entry refuses them.
    let public = sigstore.trusted_root();
    assert!(verify_outputs(&out, &sigstore.anchor(&public, BUILDER_ID), None).is_err());
    let bundle: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("attestations/aibom.sigstore.json")).unwrap(),
    )
    .unwrap();
    let material = &bundle["verificationMaterial"];
    assert!(material["tlogEntries"].as_array().is_none_or(Vec::is_empty));
    assert_eq!(
        material["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // sigstore-js verifies them by their signed timestamp, without a log.
    // It checks every SCT a certificate carries, and the fake Fulcio embeds
    // one even for the GitHub-style instance (GitHub's own does not), so it
    // gets the root that also lists the fake CT log.
    let js = js_verify(
        &public,
        &out.join("attestations/aibom.sigstore.json"),
        BUILDER_ID,
        &out.join("model/model.safetensors"),
    );
    assert!(
        js.status.success(),
        "sigstore-js refused our timestamped bundle: {}{}",
        String::from_utf8_lossy(&js.stdout),
        stderr(&js)
    );
}

#[test]
fn each_service_failure_stops_the_run_with_nothing_signed() {
    let sigstore = Sigstore::start(sample_claims());
    let cases = [
        (
            Faults {
                fulcio_refuses: true,
                ..Faults::default()
            },
            "refusing every certificate request",
        ),
        (
            Faults {
                rekor_down: true,
                ..Faults::default()
            },
            "service unavailable",
        ),
        (
            Faults {
                token_audience: Some("not-sigstore".into()),
                ..Faults::default()
            },
            "audience",
        ),
        (
            Faults {
                token_expired: true,
                ..Faults::default()
            },
            "expired",
        ),
    ];
    for (faults, why) in cases {
        sigstore.fake.set_faults(faults.clone());
        let (_dir, out) = unsigned();
        let o = attest(&sigstore, &out, &["--rekor"]);
        assert_ne!(code(&o), 0, "{faults:?}: signing went ahead");
        assert!(stderr(&o).contains(why), "{faults:?}: {}", stderr(&o));
        assert_nothing_signed(&out);
    }
}

#[test]
fn a_certificate_for_another_workflow_is_not_emitted() {
    let mut claims = sample_claims();
    claims.job_workflow_ref = "evil/builder/.github/workflows/builder.yml@refs/tags/v1".into();
    let sigstore = Sigstore::start(claims);
    let (_dir, out) = unsigned();
    let o = attest(&sigstore, &out, &["--rekor"]);
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("did not verify"), "{}", stderr(&o));
    assert_nothing_signed(&out);
}

#[test]
fn keyless_without_an_ambient_token_says_what_is_missing() {
    let (_dir, out) = unsigned();
    let o = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .arg("attest")
        .arg(&out)
        .args(["--keyless", "-q"])
        .env_remove("GITHUB_ACTIONS")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .output()
        .unwrap();
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("id-token: write"), "{}", stderr(&o));
    assert_nothing_signed(&out);
}

/// Outputs signed by our workflow through these fakes.
fn builder_policy(sigstore: &Sigstore) -> Policy {
    Policy {
        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
            TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
        ),
        identity: Some(SanMatcher::Exact(BUILDER_ID.into())),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Policy::default()
    }
}

/// Verify the provenance in `out` under the fakes' root with `runner`.
fn verify_runner(sigstore: &Sigstore, out: &Path, runner: RunnerPolicy) -> Report {
    let policy = Policy {
        builder_id: Some(BUILDER_ID.into()),
        runner,
        ..builder_policy(sigstore)
    };
    Verifier::new(policy).unwrap().verify(&Inputs {
        evidence: out.join("attestations/provenance.sigstore.json"),
        subjects: vec![Subject::File(out.join("model/model.safetensors"))],
    })
}

/// A Jobs API job of the sample run (4242, attempt 1).
pub(crate) fn gh_job(
    id: u64,
    name: &str,
    runner: (&str, &str, u64),
    labels: &[&str],
) -> serde_json::Value {
    serde_json::json!({
        "id": id, "run_id": 4242, "run_attempt": 1, "name": name,
        "status": "completed", "conclusion": "success",
        "runner_name": runner.0, "runner_group_name": runner.1, "runner_group_id": runner.2,
        "labels": labels,
        "started_at": "2000-01-01T00:00:00Z", "completed_at": "2100-01-01T00:00:00Z",
    })
}

pub(crate) const HOSTED: (&str, &str, u64) = ("GitHub Actions 7", "GitHub Actions", 0);
const GPU: (&str, &str, u64) = ("gpu-3", "ml-gpu", 4);

/// The caller's job `build` called our workflow: `build / detect` (101,
/// hosted), `build / train` (102, on `train`'s runner and labels) and
/// `build / attest` (103, hosted).
pub(crate) fn workflow_jobs(sigstore: &Sigstore, train: serde_json::Value) {
    sigstore
        .fake
        .add_job(gh_job(101, "build / detect", HOSTED, &["ubuntu-latest"]));
    sigstore.fake.add_job(train);
    sigstore
        .fake
        .add_job(gh_job(103, "build / attest", HOSTED, &["ubuntu-latest"]));
}

/// The build definition `detect` would have written for `out`'s job, with
/// the workflow's inputs (`train-runs-on` as given) and builder commit.
fn definition(out: &Path, runs_on: &str, builder_sha: &str) -> PathBuf {
    use slsa_aibom_builder::definition::BuildDefinition;
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(layout::RECORD)).unwrap()).unwrap();
    let job = PathBuf::from(record["job"]["path"].as_str().unwrap());
    let inputs = serde_json::json!({
        "job": "job.toml", "train-runs-on": runs_on, "device": "", "gpu-runner-label": "", "expected-digests": "",
        "upload-attestations": false, "public-transparency-log": "true",
        "publish-release": false, "release-tag": "",
    });
    let def = BuildDefinition::detect_in_workflow(
        &job,
        None,
        Some(&inputs.to_string()),
        Some(builder_sha),
    )
    .unwrap();
    let path = out.parent().unwrap().join("build-definition.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&def).unwrap()).unwrap();
    path
}

/// `attest --keyless --definition DEF --attest-job-id 103 EXTRA...` in the
/// simulated attest job of the sample run.
pub(crate) fn attest_in_workflow(
    sigstore: &Sigstore,
    out: &Path,
    definition: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    cmd.arg("attest")
        .arg(out)
        .args(["--keyless", "--builder-id", BUILDER_ID, "-q"]);
    cmd.arg("--definition")
        .arg(definition)
        .args(["--attest-job-id", "103"]);
    cmd.args(extra);
    github_env(sigstore.env(&mut cmd))
        .env("GITHUB_API_URL", sigstore.fake.github_api_url())
        .env("GITHUB_TOKEN", sigstore.fake.github_token());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub(crate) const SHA: &str = "2222222222222222222222222222222222222222";
const GPU_RUNS_ON: &str = r#"{"group":"ml-gpu","labels":["self-hosted","linux","gpu"]}"#;

#[test]
fn the_train_runner_comes_from_the_jobs_api_and_runner_policy_judges_it() {
    let sigstore = Sigstore::start(sample_claims());
    workflow_jobs(
        &sigstore,
        gh_job(102, "build / train", GPU, &["self-hosted", "linux", "gpu"]),
    );
    let (_d, out) = unsigned();
    let def = definition(&out, GPU_RUNS_ON, SHA);
    let o = attest_in_workflow(&sigstore, &out, &def, &["--train-job-id", "102"], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let st = bundle_statement(&out.join("attestations/provenance.sigstore.json")).unwrap();
    let p = &st["predicate"];
    let runner = &p["buildDefinition"]["internalParameters"]["trainRunner"];
    assert_eq!(runner["runnerName"], "gpu-3");
    assert_eq!(runner["jobId"], 102);
    assert_eq!(runner["selfHosted"], true);
    // Every workflow input is recorded; the times are the Jobs API's.
    let inputs = &p["buildDefinition"]["externalParameters"]["inputs"];
    for name in slsa_aibom_verify::identity::our_builder::WORKFLOW_INPUTS {
        assert!(inputs.get(name).is_some(), "{name} missing: {inputs}");
    }
    assert_eq!(
        p["runDetails"]["metadata"]["startedOn"],
        "2000-01-01T00:00:00Z"
    );

    assert!(verify_runner(&sigstore, &out, RunnerPolicy::default()).verified());
    let deny = verify_runner(
        &sigstore,
        &out,
        RunnerPolicy {
            deny_self_hosted: true,
            ..RunnerPolicy::default()
        },
    );
    assert!(!deny.verified());
    assert!(
        deny.failure().unwrap().message().contains("self-hosted"),
        "{:?}",
        deny.failure()
    );
    let gpu = RunnerPolicy {
        allowed_groups: vec!["ml-gpu".into()],
        required_labels: vec!["gpu".into()],
        ..RunnerPolicy::default()
    };
    assert!(verify_runner(&sigstore, &out, gpu).verified());
    let wrong_group = RunnerPolicy {
        allowed_groups: vec!["prod-gpu".into()],
        ..RunnerPolicy::default()
    };
    assert!(!verify_runner(&sigstore, &out, wrong_group).verified());
}

/// Run `attest` in the workflow against `train` (the Jobs API's train job)
/// with `runs_on`, after `tamper`; it must fail naming `check`, with
/// nothing signed.
fn refused(
    trains: Vec<serde_json::Value>,
    runs_on: &str,
    tamper: impl FnOnce(&Path, &Path),
    extra: &[&str],
    env: &[(&str, &str)],
    check: &str,
) {
    let sigstore = Sigstore::start(sample_claims());
    let mut trains = trains.into_iter();
    workflow_jobs(&sigstore, trains.next().unwrap());
    for more in trains {
        sigstore.fake.add_job(more);
    }
    let (_d, out) = unsigned();
    let def = definition(&out, runs_on, SHA);
    tamper(&out, &def);
    let o = attest_in_workflow(&sigstore, &out, &def, extra, env);
    assert_ne!(code(&o), 0, "{check}: signed");
    assert!(stderr(&o).contains(check), "{check}: {}", stderr(&o));
    assert_nothing_signed(&out);
}

pub(crate) fn edit_json(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn a_lying_train_runner_cannot_launder_itself() {
    let gpu_train = || gh_job(102, "build / train", GPU, &["self-hosted", "linux", "gpu"]);
    // It reports detect's ID (a finished GitHub-hosted job of the run).
    refused(
        vec![gpu_train()],
        GPU_RUNS_ON,
        |_, _| {},
        &["--train-job-id", "101"],
        &[],
        "train-runner.self-report",
    );
    // The Jobs API's train job is not on the runners train-runs-on asked for.
    refused(
        vec![gpu_train()],
        r#"["ubuntu-latest"]"#,
        |_, _| {},
        &[],
        &[],
        "train-runner.runs-on",
    );
    refused(
        vec![gpu_train()],
        r#"{"group":"prod-gpu","labels":["self-hosted","linux","gpu"]}"#,
        |_, _| {},
        &[],
        &[],
        "train-runner.runs-on",
    );
    // Two jobs of the train job's name: which one trained is unknowable.
    refused(
        vec![
            gpu_train(),
            gh_job(104, "build / train", HOSTED, &["ubuntu-latest"]),
        ],
        GPU_RUNS_ON,
        |_, _| {},
        &[],
        &[],
        "train-runner.find",
    );
}

#[test]
fn the_record_must_agree_with_the_definition_and_the_platform() {
    use serde_json::{json, Value};
    type Tamper = Box<dyn Fn(&Path, &Path)>;
    // Set `pointer` of the record (train runner's word) or of the definition
    // (detect's) to `value`.
    let record = |pointer: &'static str, value: Value| -> Tamper {
        Box::new(move |out, _| {
            edit_json(&out.join(layout::RECORD), |r| {
                *r.pointer_mut(pointer).unwrap() = value.clone()
            })
        })
    };
    let definition = |pointer: &'static str, value: Value| -> Tamper {
        Box::new(move |_, def| edit_json(def, |d| *d.pointer_mut(pointer).unwrap() = value.clone()))
    };
    let cases: Vec<(&str, Tamper)> = vec![
        // The job the definition fixed is not the job the record trained.
        (
            "attest.definition.job",
            definition("/jobSha256", json!("0".repeat(64))),
        ),
        // The train runner rewrote its copy of the job spec (a licence
        // here; dropping [model.pretrained] or a pin is the same check):
        // only the job text detect read is signed.
        (
            "attest.definition.spec",
            record("/job/spec/metadata/license", json!("MIT")),
        ),
        (
            "attest.definition.spec",
            record("/job/spec/metadata/author", json!("someone else")),
        ),
        // A definition whose job text is not what its digest says.
        (
            "attest.definition.spec",
            definition("/jobToml", json!("[metadata]\nname = \"other\"\n")),
        ),
        // The caller expected an input digest the record does not list.
        (
            "attest.definition.expected-digests",
            definition("/expectedDigests", json!({"data/x.csv": "1".repeat(64)})),
        ),
        // Another trainer binary, or another Cargo.lock.
        (
            "attest.trainer",
            record("/environment/trainer/binary_sha256", json!("3".repeat(64))),
        ),
        (
            "attest.trainer",
            record(
                "/environment/trainer/cargo_lock_sha256",
                json!("3".repeat(64)),
            ),
        ),
        // Another run's invocation.
        (
            "attest.invocation",
            record(
                "/invocation_id",
                json!("https://github.com/acme/models/actions/runs/1/attempts/1"),
            ),
        ),
        // The certificate's builder commit is not the one detect reported.
        (
            "attest.builder-commit",
            definition("/builderSha", json!("3".repeat(40))),
        ),
    ];
    let train = || gh_job(102, "build / train", GPU, &["self-hosted", "linux", "gpu"]);
    for (check, tamper) in cases {
        refused(vec![train()], GPU_RUNS_ON, tamper, &[], &[], check);
    }
    // Training times outside the train job's, per the Jobs API.
    let mut early = train();
    early["completed_at"] = "2001-01-01T00:00:00Z".into();
    refused(
        vec![early],
        GPU_RUNS_ON,
        |_, _| {},
        &[],
        &[],
        "attest.times",
    );
}

#[test]
fn attest_runs_only_on_github_hosted_runners_and_the_verifier_holds_it_to_that() {
    let train = || gh_job(102, "build / train", GPU, &["self-hosted", "linux", "gpu"]);
    // The runner says it is self-hosted: attest refuses before signing.
    refused(
        vec![train()],
        GPU_RUNS_ON,
        |_, _| {},
        &[],
        &[("RUNNER_ENVIRONMENT", "self-hosted")],
        "attest.runner-environment",
    );
    // A self-hosted runner that lies about RUNNER_ENVIRONMENT still gets a
    // certificate saying self-hosted (.1.11): the self-check, the same
    // verifier consumers run, refuses it, and nothing is kept.
    let claims = Claims {
        runner_environment: "self-hosted".into(),
        ..sample_claims()
    };
    let sigstore = Sigstore::start(claims);
    workflow_jobs(&sigstore, train());
    let (_d, out) = unsigned();
    let def = definition(&out, GPU_RUNS_ON, SHA);
    let o = attest_in_workflow(
        &sigstore,
        &out,
        &def,
        &[],
        &[("RUNNER_ENVIRONMENT", "github-hosted")],
    );
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("GitHub-hosted runner"),
        "{}",
        stderr(&o)
    );
    assert_nothing_signed(&out);
}

#[test]
fn re_running_attest_alone_says_to_re_run_the_workflow() {
    let sigstore = Sigstore::start(sample_claims());
    workflow_jobs(
        &sigstore,
        gh_job(102, "build / train", GPU, &["self-hosted", "linux", "gpu"]),
    );
    // Attempt 2 re-ran only attest: its train job is attempt 1's.
    let mut again = gh_job(103, "build / attest", HOSTED, &["ubuntu-latest"]);
    again["run_attempt"] = 2.into();
    sigstore.fake.add_job(again);
    let (_d, out) = unsigned();
    let def = definition(&out, GPU_RUNS_ON, SHA);
    let o = attest_in_workflow(&sigstore, &out, &def, &[], &[("GITHUB_RUN_ATTEMPT", "2")]);
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("re-run the whole workflow"),
        "{}",
        stderr(&o)
    );
    assert_nothing_signed(&out);
}

#[test]
fn uploaded_attestations_are_found_by_digest_and_verify() {
    use slsa_aibom_verify::evidence::github_attestations::{
        to_json_lines, AttestationQuery, Scope,
    };
    let sigstore = Sigstore::start(sample_claims());
    let run = |token: Option<&str>| {
        let (dir, out) = unsigned();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
        cmd.arg("attest").arg(&out).args([
            "--keyless",
            "--builder-id",
            BUILDER_ID,
            "-q",
            "--upload-attestations",
        ]);
        github_env(sigstore.env(&mut cmd))
            .env("GITHUB_API_URL", sigstore.fake.github_api_url())
            .env_remove("GITHUB_TOKEN");
        if let Some(t) = token {
            cmd.env("GITHUB_TOKEN", t);
        }
        (dir, out, cmd.output().unwrap())
    };

    // No token: refused before anything is signed.
    let (_d, out, o) = run(None);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("GITHUB_TOKEN"), "{}", stderr(&o));
    assert_nothing_signed(&out);

    // A token the API refuses: the signed outputs stay (they are valid),
    // the command fails and says why.
    let (_d, out, o) = run(Some("not-the-token"));
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("/attestations"), "{}", stderr(&o));
    assert!(out.join("attestations/provenance.sigstore.json").is_file());

    let (_d, out, o) = run(Some(sigstore.fake.github_token()));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let query = AttestationQuery {
        api_url: sigstore.fake.github_api_url(),
        scope: Scope::Repo(sample_claims().repository),
        token: None,
        predicate_type: None,
    };
    let weights = out.join("model/model.safetensors");
    let digest = slsa_aibom_verify::digest::hash_file(&weights).unwrap()[0].clone();
    let bundles = query.fetch(&digest).unwrap();
    // The provenance and the ML-BOM statement both name the weights.
    assert_eq!(bundles.len(), 2);
    let fetched = out.join("fetched.jsonl");
    std::fs::write(&fetched, to_json_lines(&bundles)).unwrap();
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
            TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
        ),
        identity: Some(SanMatcher::Exact(BUILDER_ID.into())),
        issuer: Some(GITHUB_ISSUER.into()),
        builder_id: Some(BUILDER_ID.into()),
        ..Policy::default()
    };
    let report = Verifier::new(policy).unwrap().verify(&Inputs {
        evidence: fetched,
        subjects: vec![Subject::File(weights)],
    });
    assert!(report.verified(), "{:?}", report.failure());
}

#[test]
fn a_keyless_release_verifies_as_one_unit_under_source_rules() {
    use slsa_aibom_verify::release::rules::{BuilderRules, ReleasePolicy, SourceRules};
    use slsa_aibom_verify::release::verify_release;
    let sigstore = Sigstore::start(sample_claims());
    let (_d, out) = unsigned();
    let o = attest(&sigstore, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let claims = sample_claims();
    let release = release_of(&out);
    let run = |rules: ReleasePolicy| {
        let rules = rules.validate().unwrap();
        let mut policy = Policy {
            anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
                TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
            ),
            ..Policy::default()
        };
        rules.apply(&mut policy);
        let report = verify_release(&policy, &rules, None, &release);
        // Keyless, our workflow's certificate, the identity pinned: level 3.
        if report.verified() {
            assert_eq!(
                slsa_aibom_verify::release::vsa::build_level(&report, &policy),
                3
            );
        }
        report
    };
    let builder = |tags: &[&str]| BuilderRules {
        workflow: Some("https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml".into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..BuilderRules::default()
    };
    let source = SourceRules {
        repositories: vec![claims.repository.clone()],
        owner_ids: vec![claims.repository_owner_id.clone()],
        refs: vec![claims.git_ref.clone()],
        triggers: vec![claims.event_name.clone()],
    };
    let good = ReleasePolicy {
        version: 1,
        builder: builder(&["v1"]),
        source: source.clone(),
        ..ReleasePolicy::default()
    };
    let r = run(good.clone());
    assert!(r.verified(), "{:?}", r.failure());
    let same = r
        .checks()
        .iter()
        .find(|c| c.name() == "release.same-signer")
        .unwrap();
    assert!(same.detail().contains(BUILDER_ID), "{}", same.detail());
    // Each answer names its party: the certificate is the platform's, the
    // trainer the signing job's, the metrics the train runner's.
    let passport = r.passport().unwrap();
    let basis = |q: &str| passport.answer(q).unwrap().basis;
    use slsa_aibom_verify::release::passport::Basis;
    assert_eq!(basis("Who had it built"), Basis::Platform);
    assert_eq!(basis("Which frameworks"), Basis::SigningJob);
    assert_eq!(basis("Which evaluations"), Basis::TrainRunner);
    assert_eq!(basis("Which data"), Basis::TrainRunner);
    assert_eq!(basis("Who created"), Basis::Caller);
    assert!(
        passport.to_string().contains("verified: platform"),
        "{passport}"
    );
    // The inventory names the builder commit from the certificate.
    let signed_by_us = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
            TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
        ),
        identity: Some(SanMatcher::Exact(BUILDER_ID.into())),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Policy::default()
    };
    let inventory = slsa_aibom_verify::inventory::Inventory::build(
        &signed_by_us,
        &[out.join("attestations")],
        None,
    )
    .unwrap();
    assert_eq!(inventory.models().len(), 1, "{:?}", inventory.rejected());
    assert_eq!(
        inventory
            .from_builder_commit(&claims.job_workflow_sha)
            .len(),
        1
    );
    assert!(inventory.from_builder_commit("3333333").is_empty());

    // Another tag of the builder: the certificate's SAN does not match.
    let r = run(ReleasePolicy {
        builder: builder(&["v2"]),
        ..good.clone()
    });
    assert_eq!(
        r.failure().unwrap().class(),
        slsa_aibom_verify::ErrorClass::Identity
    );
    // Each source rule, broken alone, fails as a policy violation naming it.
    let broken = [
        (
            "policy.source.repository",
            SourceRules {
                repositories: vec!["acme/other".into()],
                ..source.clone()
            },
        ),
        (
            "policy.source.owner-id",
            SourceRules {
                owner_ids: vec!["1".into()],
                ..source.clone()
            },
        ),
        (
            "policy.source.ref",
            SourceRules {
                refs: vec!["refs/heads/release".into()],
                ..source.clone()
            },
        ),
        (
            "policy.source.trigger",
            SourceRules {
                triggers: vec!["schedule".into()],
                ..source.clone()
            },
        ),
    ];
    for (name, rules) in broken {
        let r = run(ReleasePolicy {
            source: rules,
            ..good.clone()
        });
        assert_eq!(
            r.failure().unwrap().class(),
            slsa_aibom_verify::ErrorClass::Policy,
            "{name}"
        );
        let failed = r
            .checks()
            .iter()
            .find(|c| c.status() == slsa_aibom_verify::Status::Fail)
            .unwrap();
        assert_eq!(failed.name(), name);
    }
}

#[test]
fn swapping_any_document_for_another_keyless_runs_fails_the_same_signer_check() {
    use slsa_aibom_verify::release::rules::ReleasePolicy;
    use slsa_aibom_verify::release::verify_release;
    // Run A, then run B of the same workflow: the same identity (SAN), the
    // same model files, another run. Only the certificates' run URIs differ.
    let sigstore = Sigstore::start(sample_claims());
    let (_a, a) = unsigned();
    let o = attest(&sigstore, &a, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let run_b = train_in_run("4343");
    let b = run_b.path().join("out");
    sigstore.fake.set_claims(Claims {
        run_id: "4343".into(),
        ..sample_claims()
    });
    let o = attest(&sigstore, &b, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["model/model.safetensors", "model/config.json"] {
        assert_eq!(
            sha256(&a.join(f)),
            sha256(&b.join(f)),
            "{f}: training is not deterministic"
        );
    }

    let policy = builder_policy(&sigstore);
    let rules = ReleasePolicy {
        version: 1,
        ..ReleasePolicy::default()
    }
    .validate()
    .unwrap();
    let verify = |out: &Path| {
        let release = release_of(out);
        verify_release(&policy, &rules, None, &release)
    };
    for out in [&a, &b] {
        let r = verify(out);
        assert!(r.verified(), "{}: {:?}", out.display(), r.failure());
    }
    for document in [
        "model.sig",
        "attestations/provenance.sigstore.json",
        "attestations/aibom.sigstore.json",
    ] {
        let (_d, out) = unsigned();
        std::fs::remove_dir_all(&out).unwrap();
        copy_tree(&a, &out);
        std::fs::copy(b.join(document), out.join(document)).unwrap();
        let r = verify(&out);
        assert!(!r.verified(), "{document} of another run verified");
        let failure = r.failure().expect("a failure");
        assert_eq!(
            failure.class(),
            slsa_aibom_verify::ErrorClass::Identity,
            "{document}: {failure:?}"
        );
        let failed = r
            .checks()
            .iter()
            .find(|c| c.status() == slsa_aibom_verify::Status::Fail)
            .map(|c| c.name());
        assert_eq!(
            failed.as_deref(),
            Some("release.same-signer"),
            "{document}: {failure:?}"
        );
        assert!(
            failure.message().contains("4343"),
            "{document}: {}",
            failure.message()
        );
    }
}

#[test]
fn the_signing_job_describes_the_trainer_itself() {
    // The train runner lists other framework versions in its record; the
    // digests it also records still match the signing job's own binary.
    let sigstore = Sigstore::start(sample_claims());
    workflow_jobs(
        &sigstore,
        gh_job(102, "build / train", GPU, &["self-hosted", "linux", "gpu"]),
    );
    let (_d, out) = unsigned();
    let def = definition(&out, GPU_RUNS_ON, SHA);
    edit_json(&out.join(layout::RECORD), |r| {
        for p in r["environment"]["trainer"]["dependencies"]
            .as_array_mut()
            .unwrap()
        {
            p["version"] = "0.0.1-forged".into();
        }
    });
    let o = attest_in_workflow(&sigstore, &out, &def, &[], &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let bom: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let versions: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "framework")
        .filter_map(|c| c["version"].as_str())
        .collect();
    assert!(!versions.is_empty());
    assert!(
        !versions.iter().any(|v| v.contains("forged")),
        "{versions:?}"
    );

    // The passport names the builder as the certificate does, and judges
    // the runner itself.
    use slsa_aibom_verify::release::rules::{ReleasePolicy, POLICY_VERSION};
    use slsa_aibom_verify::release::verify_release;
    let policy = builder_policy(&sigstore);
    let rules = ReleasePolicy {
        version: POLICY_VERSION,
        ..ReleasePolicy::default()
    }
    .validate()
    .unwrap();
    let release = release_of(&out);
    let report = verify_release(&policy, &rules, None, &release);
    assert!(report.verified(), "{:?}", report.failure());
    let passport = report.passport().unwrap();
    let system = passport
        .answers()
        .iter()
        .find(|a| a.question.starts_with("Which system"))
        .unwrap();
    assert!(system.answer.starts_with(BUILDER_ID), "{}", system.answer);
    assert!(system.answer.contains("self-hosted"), "{}", system.answer);
}

#[test]
fn detect_refuses_a_runner_that_is_not_github_hosted() {
    let inputs = example(1);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    cmd.current_dir(inputs.path())
        .args(["detect", "--job", JOB, "--out", "def.json"]);
    github_env(&mut cmd).env("RUNNER_ENVIRONMENT", "self-hosted");
    let o = cmd.output().unwrap();
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("detect.runner-environment"),
        "{}",
        stderr(&o)
    );
    assert!(!inputs.path().join("def.json").exists());
}

/// The OpenSSF model-signing digest of a model directory (`files`
/// serialisation): sha256 over its files' sha256 digests, in path order.
fn manifest_digest(dir: &Path) -> String {
    use sha2::Digest as _;
    fn walk(dir: &Path, rel: Vec<String>, out: &mut Vec<(Vec<String>, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let mut path = rel.clone();
            path.push(e.file_name().to_string_lossy().into_owned());
            if e.path().is_dir() {
                walk(&e.path(), path, out);
            } else {
                let digest = sha2::Sha256::digest(std::fs::read(e.path()).unwrap());
                out.push((path, digest.to_vec()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, Vec::new(), &mut files);
    files.sort();
    let mut root = sha2::Sha256::new();
    for (_, d) in &files {
        root.update(d);
    }
    hex::encode(root.finalize())
}

/// Review item 29.4: a tenant's own `slsa-aibom` repository with a
/// `builder.yml` that signs anything, called from the tenant's model
/// repository. Its release verifies (the signature is real), but no answer
/// carries the platform's or the signing job's label unless the policy
/// pins that workflow by name, and runner rules refuse to judge it.
#[test]
fn a_tenant_copy_of_the_builder_gets_no_platform_labels() {
    use slsa_aibom_verify::release::passport::Basis;
    use slsa_aibom_verify::release::rules::ReleasePolicy;
    use slsa_aibom_verify::release::verify_release;
    let tenant_builder = "https://github.com/tenant/slsa-aibom/.github/workflows/builder.yml";
    // The tenant's model repository is the sample's (acme/models); only
    // the builder is the tenant's copy.
    let claims = Claims {
        job_workflow_ref: "tenant/slsa-aibom/.github/workflows/builder.yml@refs/heads/main".into(),
        ..sample_claims()
    };
    let sigstore = Sigstore::start(claims);
    let (_d, out) = unsigned();
    let id = format!("{tenant_builder}@refs/heads/main");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    cmd.arg("attest")
        .arg(&out)
        .args(["--keyless", "--builder-id", &id, "-q"]);
    sigstore.env(&mut cmd);
    let o = cmd.output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let anchor = slsa_aibom_verify::TrustAnchor::Sigstore(
        TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
    );
    let rules = ReleasePolicy {
        version: 1,
        ..ReleasePolicy::default()
    }
    .validate()
    .unwrap();
    let named_by_source = Policy {
        anchor: anchor.clone(),
        source_repo: Some("acme/models".into()),
        ..Policy::default()
    };
    let report = verify_release(&named_by_source, &rules, None, &release_of(&out));
    assert!(report.verified(), "{:?}", report.failure());
    let passport = report.passport().unwrap();
    let basis = |q: &str| passport.answer(q).unwrap().basis;
    // The certificate's source claims are still GitHub's word; nothing the
    // signing job would vouch for in our builder's releases is.
    assert_eq!(basis("Who had it built"), Basis::Platform);
    assert_eq!(basis("Which system"), Basis::Signer, "{passport}");
    assert_eq!(basis("Which frameworks"), Basis::Signer, "{passport}");
    assert!(
        !passport
            .answers()
            .iter()
            .any(|a| a.basis == Basis::SigningJob),
        "{passport}"
    );
    // Runner rules on it: refused, by the library too.
    let mut denying = named_by_source.clone();
    denying.runner.deny_self_hosted = true;
    assert!(denying.validate().is_err());
    let report = verify_release(&denying, &rules, None, &release_of(&out));
    assert!(!report.verified());
    assert!(
        report
            .failure()
            .unwrap()
            .message()
            .contains("pin our builder exactly"),
        "{:?}",
        report.failure()
    );
}

/// Review item 29.5: the verify command the workflow prints pins the
/// builder commit detect reported, even for a caller that used `@main`;
/// the verifier matches that pin through the certificate's signer commit.
#[test]
fn the_printed_verify_command_pins_the_builder_commit_and_verifies() {
    use slsa_aibom_verify::release::rules::ReleasePolicy;
    use slsa_aibom_verify::release::verify_release;
    let script = crate::hosted_jobs::step_script("verify", "Write the verify command");
    let claims = Claims {
        job_workflow_ref: "ORG/slsa-aibom/.github/workflows/builder.yml@refs/heads/main".into(),
        ..sample_claims()
    };
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("output");
    let o = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .env("BUILDER_SHA", &claims.job_workflow_sha)
        .env("SOURCE_REPO", &claims.repository)
        .env("TRANSPARENCY", "rekor")
        .env("BUILDER_REPOSITORY", "ORG/slsa-aibom")
        .env("BUILDER_WORKFLOW_PATH", ".github/workflows/builder.yml")
        .env("CERTIFICATE_OIDC_ISSUER", GITHUB_ISSUER)
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = std::fs::read_to_string(&output).unwrap();
    let pin = format!(
        "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@{}",
        claims.job_workflow_sha
    );
    assert!(
        printed.contains(&format!("--certificate-identity {pin}")),
        "{printed}"
    );
    assert!(!printed.contains("refs/heads/main"), "{printed}");

    // A release signed by the builder called @main verifies under that pin.
    let sigstore = Sigstore::start(claims);
    let (_d, out) = unsigned();
    let id = "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/heads/main";
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    cmd.arg("attest")
        .arg(&out)
        .args(["--keyless", "--builder-id", id, "-q"]);
    sigstore.env(&mut cmd);
    let o = cmd.output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let policy = Policy {
        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
            TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
        ),
        identity: Some(SanMatcher::Exact(pin)),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Policy::default()
    };
    let rules = ReleasePolicy {
        version: 1,
        ..ReleasePolicy::default()
    }
    .validate()
    .unwrap();
    let report = verify_release(&policy, &rules, None, &release_of(&out));
    assert!(report.verified(), "{:?}", report.failure());
}
