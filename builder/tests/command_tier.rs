//! The command tier (`trainer = "command"`): a team's own script, run
//! confined. Each attack of issue 31 is tried by a real script here: the
//! network, a file outside the inputs, a link or FIFO in the outputs, a
//! timeout, a failing or lying script, a token in the environment, a
//! changed input and a process left behind. Each ends with a named cause
//! and no output directory.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A job directory holding `train.sh` (the script under test, run by bash)
/// and `data/d.csv`, and the job file with `extra` appended to `[run]`.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(script: &str, extra: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let job = dir.path().join("job");
        std::fs::create_dir_all(job.join("data")).unwrap();
        std::fs::write(job.join("data/d.csv"), "a,b\n1,2\n").unwrap();
        std::fs::write(job.join("train.sh"), format!("set -e\n{script}\n")).unwrap();
        std::fs::write(
            job.join("job.toml"),
            format!(
                r#"trainer = "command"
[metadata]
name = "case"
version = "1"
license = "MIT"
[run]
command = ["bash", "train.sh", "{secret}"]
files = ["train.sh"]
timeout = 30
{extra}
[[run.inputs]]
path = "data/d.csv"
kind = "dataset"
[run.outputs]
model = "out/model"
metrics = "out/metrics.json"
"#,
                secret = dir.path().join("secret.txt").display()
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("secret.txt"), "the runner's secret").unwrap();
        Case { dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn train(&self) -> Output {
        self.run("train")
    }

    /// `slsa-aibom-build SUBCOMMAND job/job.toml --out out -q`, with fake
    /// tokens in its environment.
    fn run(&self, subcommand: &str) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
            .args([subcommand, "job/job.toml", "--out", "out", "-q"])
            .current_dir(self.dir.path())
            .env("GITHUB_TOKEN", "ghs_FAKE_TOKEN_must_not_leak")
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "FAKE_OIDC_must_not_leak")
            .output()
            .unwrap()
    }

    /// The build fails, names `cause`, prints no escape, and leaves nothing.
    fn refused(&self, cause: &str) -> String {
        let o = self.train();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!o.status.success(), "succeeded: {err}");
        assert!(err.contains(cause), "{cause:?} not in: {err}");
        assert!(!err.contains('\u{1b}'), "raw escape printed: {err:?}");
        assert!(!self.out().exists(), "an output directory was left");
        let left: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "scratch left behind: {left:?}");
        err
    }

    fn record(&self) -> Value {
        let o = self.train();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&std::fs::read(self.out().join("command-record.json")).unwrap())
            .unwrap()
    }
}

const METRICS: &str = r#"echo '{"test":{"accuracy":0.5}}' > "$SLSA_AIBOM_METRICS""#;

fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn a_script_runs_confined_and_what_went_in_and_came_out_is_recorded() {
    let case = Case::new(
        &format!("cp data/d.csv \"$SLSA_AIBOM_MODEL_DIR/weights.bin\"\necho stray > stray.txt\n{METRICS}"),
        "",
    );
    let record = case.record();
    let job = case.dir.path().join("job");
    assert_eq!(record["files"][0]["sha256"], sha256(&job.join("train.sh")));
    assert_eq!(
        record["inputs"][0]["sha256"],
        sha256(&job.join("data/d.csv"))
    );
    assert_eq!(record["inputs"][0]["kind"], "dataset");
    let model = &record["model_files"][0];
    assert_eq!(model["path"], "weights.bin");
    assert_eq!(
        model["sha256"],
        sha256(&case.out().join("model/weights.bin"))
    );
    assert_eq!(record["script_metrics"]["test"]["accuracy"], 0.5);
    let isolation = &record["isolation"];
    assert_eq!(isolation["filesystem"], "enforced", "{isolation}");
    assert_eq!(isolation["user_namespace"], "enforced", "{isolation}");
    assert_eq!(isolation["network_namespace"], "enforced", "{isolation}");
    // What the script wrote outside its outputs is not part of the result.
    assert!(!case.out().join("stray.txt").exists());
    let names: Vec<_> = std::fs::read_dir(case.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for name in names {
        assert!(
            [
                "model",
                "metrics.json",
                "command.log",
                "command-record.json"
            ]
            .contains(&name.as_str()),
            "{name}"
        );
    }
}

/// A listener on the host's loopback, and whether anything connected.
fn listener() -> (std::net::TcpListener, u16) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

fn connected(l: &std::net::TcpListener) -> bool {
    !matches!(l.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

#[test]
fn without_network_the_host_loopback_sees_no_connection() {
    let (l, port) = listener();
    let script =
        format!("exec 3<>/dev/tcp/127.0.0.1/{port}\n{METRICS}\ntouch \"$SLSA_AIBOM_MODEL_DIR/m\"");
    Case::new(&script, "").refused("exited with status 1");
    assert!(!connected(&l), "the confined script reached the host");
    // The control: allowed, the same script connects, so the test can fail.
    let (l, port) = listener();
    let script =
        format!("exec 3<>/dev/tcp/127.0.0.1/{port}\n{METRICS}\ntouch \"$SLSA_AIBOM_MODEL_DIR/m\"");
    let record = Case::new(&script, "network = \"allowed\"").record();
    assert_eq!(record["isolation"]["network_namespace"], "not-requested");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(connected(&l), "the unconfined control did not connect");
}

#[test]
fn a_file_outside_the_inputs_cannot_be_read() {
    // $1 is a file beside the job directory; the job file itself is in the
    // checkout but not declared.
    for target in [
        "\"$1\"",
        "\"$(dirname \"$1\")/job/job.toml\"",
        "/root/.bashrc",
    ] {
        let script = format!("cat {target} > \"$SLSA_AIBOM_MODEL_DIR/leak\"\n{METRICS}");
        let err = Case::new(&script, "").refused("Permission denied");
        assert!(!err.contains("the runner's secret"), "{err}");
    }
}

#[test]
fn the_checkout_and_the_inputs_cannot_be_written() {
    let script =
        format!("echo planted >> data/d.csv\n{METRICS}\ntouch \"$SLSA_AIBOM_MODEL_DIR/m\"");
    let case = Case::new(&script, "");
    case.refused("Permission denied");
    let data = std::fs::read_to_string(case.dir.path().join("job/data/d.csv")).unwrap();
    assert_eq!(data, "a,b\n1,2\n");
}

#[test]
fn links_and_fifos_in_the_outputs_stop_the_build() {
    for (script, cause) in [
        (
            "ln -s /etc/passwd \"$SLSA_AIBOM_MODEL_DIR/weights\"",
            "symbolic link",
        ),
        ("mkfifo \"$SLSA_AIBOM_MODEL_DIR/weights\"", "a FIFO"),
        (
            "rmdir \"$SLSA_AIBOM_MODEL_DIR\" && ln -s /etc \"$SLSA_AIBOM_MODEL_DIR\"",
            "symbolic link",
        ),
        (":", "wrote no files"),
    ] {
        Case::new(&format!("{script}\n{METRICS}"), "").refused(cause);
    }
    let script = "touch \"$SLSA_AIBOM_MODEL_DIR/m\"\nln -s /etc/passwd \"$SLSA_AIBOM_METRICS\"";
    Case::new(script, "").refused("symbolic link");
    let script = "touch \"$SLSA_AIBOM_MODEL_DIR/m\"\nmkfifo \"$SLSA_AIBOM_METRICS\"";
    Case::new(script, "").refused("not a regular file");
}

#[test]
fn bad_endings_and_bad_metrics_are_named() {
    let model = "touch \"$SLSA_AIBOM_MODEL_DIR/m\"";
    for (script, cause) in [
        (
            "printf 'boom \\033[2J\\n' >&2\nexit 3".to_string(),
            "exited with status 3",
        ),
        (format!("{model}\nkill -9 $$"), "killed by signal 9"),
        (model.to_string(), "left no metrics file"),
        (
            format!("{model}\necho '{{' > \"$SLSA_AIBOM_METRICS\""),
            "not the documented metrics JSON",
        ),
        (
            format!("{model}\necho '{{\"test\":{{\"accuracy\":NaN}}}}' > \"$SLSA_AIBOM_METRICS\""),
            "NaN or Infinity",
        ),
    ] {
        let err = Case::new(&script, "").refused(cause);
        if cause.contains("status 3") {
            assert!(err.contains("boom"), "the script's last words: {err}");
        }
    }
}

#[test]
fn a_script_past_its_timeout_is_killed_with_what_it_left_running() {
    let started = std::time::Instant::now();
    let case = Case::new("(sleep 60; echo late) &\nsleep 60", "");
    case.edit("timeout = 30", "timeout = 1");
    case.refused("ran past run.timeout (1 s)");
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn what_a_script_leaves_running_cannot_change_the_model_after_it_is_hashed() {
    let script = format!(
        "touch \"$SLSA_AIBOM_MODEL_DIR/m\"\n{METRICS}\n(sleep 1; echo late > \"$SLSA_AIBOM_MODEL_DIR/m\") > /dev/null 2>&1 &"
    );
    let case = Case::new(&script, "");
    let record = case.record();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let model = case.out().join("model/m");
    assert_eq!(std::fs::read(&model).unwrap(), b"");
    assert_eq!(record["model_files"][0]["sha256"], sha256(&model));
}

#[test]
fn tokens_in_the_runner_environment_are_not_visible_to_the_script() {
    let script = format!(
        "env > \"$SLSA_AIBOM_MODEL_DIR/env\"\ncat /proc/$PPID/environ >> \"$SLSA_AIBOM_MODEL_DIR/env\" 2>/dev/null || true\n{METRICS}"
    );
    // With the network allowed too, the user namespace (not Landlock, which
    // lets a child read its parent's `/proc/PID/environ`) keeps our binary's
    // environment from the script.
    for network in ["", "network = \"allowed\""] {
        let case = Case::new(&script, network);
        let record = case.record();
        let seen = std::fs::read_to_string(case.out().join("model/env")).unwrap();
        assert!(seen.contains("SLSA_AIBOM_MODEL_DIR"), "{seen}");
        for token in ["ghs_FAKE_TOKEN", "FAKE_OIDC", "GITHUB_", "CARGO"] {
            assert!(!seen.contains(token), "{token} reached the script: {seen}");
        }
        assert!(!record["isolation"]["environment"]
            .to_string()
            .contains("GITHUB"));
    }
}

#[test]
fn a_changed_input_stops_the_build_before_the_script_runs() {
    let pinned = "0".repeat(64);
    let case = Case::new(&format!("touch \"$SLSA_AIBOM_MODEL_DIR/m\"\n{METRICS}"), "");
    case.edit(
        "kind = \"dataset\"",
        &format!("kind = \"dataset\"\nsha256 = \"{pinned}\""),
    );
    let err = case.refused(&format!("but the job pins {pinned}; nothing was run"));
    assert!(err.contains("data/d.csv"), "{err}");
    // A declared input that is a FIFO is refused, not read forever.
    let case = Case::new(METRICS, "");
    let data = case.dir.path().join("job/data/d.csv");
    std::fs::remove_file(&data).unwrap();
    nix_mkfifo(&data);
    case.refused("is not a regular file");
}

fn nix_mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

impl Case {
    fn edit(&self, from: &str, to: &str) {
        crate::common::edit(&self.dir.path().join("job/job.toml"), from, to);
    }
}

/// Write a wheel of `name` 1.0 (a module holding `VALUE = 42`, requiring
/// `requires` when given) into `dir`, made by Python's `zipfile` as pip
/// expects one; its sha256.
fn wheel(dir: &Path, name: &str, requires: Option<&str>) -> String {
    const MAKE: &str = r#"
import base64, hashlib, sys, zipfile
out, name, requires = sys.argv[1], sys.argv[2], sys.argv[3]
dist = f"{name}-1.0.dist-info"
meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
if requires:
    meta += f"Requires-Dist: {requires}\n"
files = {f"{name}/__init__.py": "VALUE = 42\n", f"{dist}/METADATA": meta,
         f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
path = f"{out}/{name}-1.0-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as z:
    record = []
    for p, text in files.items():
        z.writestr(p, text)
        h = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{p},sha256={h},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    z.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
print(hashlib.sha256(open(path, "rb").read()).hexdigest())
"#;
    std::fs::create_dir_all(dir).unwrap();
    let o = std::process::Command::new("/usr/bin/python3")
        .args(["-c", MAKE])
        .arg(dir)
        .args([name, requires.unwrap_or("")])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

const ENVIRONMENT: &str =
    "environment = { requirements = \"requirements.lock\", find_links = \"wheels\" }";

/// A case whose lock is `lock`, with wheels made by `make` in `job/wheels`.
fn with_lock(script: &str, make: impl FnOnce(&Path) -> String) -> Case {
    let case = Case::new(script, ENVIRONMENT);
    let job = case.dir.path().join("job");
    let lock = make(&job.join("wheels"));
    std::fs::write(job.join("requirements.lock"), lock).unwrap();
    case
}

#[test]
fn a_hash_pinned_lock_is_installed_offline_and_every_package_recorded() {
    let script = format!(
        "python -c 'import demo_pkg; print(demo_pkg.VALUE)' > \"$SLSA_AIBOM_MODEL_DIR/value\"\n{METRICS}"
    );
    let case = with_lock(&script, |wheels| {
        format!(
            "demo_pkg==1.0 --hash=sha256:{}\n",
            wheel(wheels, "demo_pkg", None)
        )
    });
    let record = case.record();
    assert_eq!(
        std::fs::read_to_string(case.out().join("model/value")).unwrap(),
        "42\n"
    );
    let env = &record["python_environment"];
    let lock = case.dir.path().join("job/requirements.lock");
    assert_eq!(env["requirements"]["sha256"], sha256(&lock));
    let packages = env["packages"].as_array().unwrap();
    let demo = packages
        .iter()
        .find(|p| p["name"] == "demo-pkg")
        .expect("demo-pkg recorded");
    assert_eq!(demo["purl"], "pkg:pypi/demo-pkg@1.0");
    // pip itself is in the environment, and so in the record.
    assert!(packages.iter().any(|p| p["name"] == "pip"), "{packages:?}");
    // Installing from a folder of wheels, pip had no network either.
    assert_eq!(env["setup_isolation"]["network_namespace"], "enforced");
}

#[test]
fn a_package_the_lock_does_not_pin_stops_the_setup() {
    let case = with_lock(METRICS, |wheels| {
        wheel(wheels, "helper_pkg", None);
        let app = wheel(wheels, "app_pkg", Some("helper_pkg"));
        format!("app_pkg==1.0 --hash=sha256:{app}\n")
    });
    let err = case.refused("the setup phase (pip install --require-hashes) exited with status");
    assert!(err.contains("helper"), "pip's reason is quoted: {err}");
}

#[test]
fn a_wheel_whose_hash_differs_from_the_lock_stops_the_setup() {
    let case = with_lock(METRICS, |wheels| {
        wheel(wheels, "demo_pkg", None);
        format!("demo_pkg==1.0 --hash=sha256:{}\n", "ab".repeat(32))
    });
    let err = case.refused("the setup phase (pip install --require-hashes) exited with status");
    assert!(err.contains("HASHES"), "pip's reason is quoted: {err}");
}

#[test]
fn a_lock_without_hashes_is_refused_before_anything_runs() {
    let case = with_lock(METRICS, |wheels| {
        wheel(wheels, "demo_pkg", None);
        "demo_pkg==1.0\n".into()
    });
    let err = case.refused("has no --hash; every requirement needs one");
    assert!(err.contains("nothing was run"), "{err}");
}

/// The release of a command job, built and signed with a fresh key.
fn signed_release() -> Case {
    let script = format!(
        "python -c 'import demo_pkg; print(demo_pkg.VALUE)' > \"$SLSA_AIBOM_MODEL_DIR/value\"\n{METRICS}"
    );
    let case = with_lock(&script, |wheels| {
        format!(
            "demo_pkg==1.0 --hash=sha256:{}\n",
            wheel(wheels, "demo_pkg", None)
        )
    });
    let o = case.run("build");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    case
}

fn verify(out: &Path) -> slsa_aibom_verify::release::ReleaseReport {
    verify_under(out, "version = 1\n")
}

/// Verify the release in `out` with its key, under the policy `toml`.
fn verify_under(out: &Path, toml: &str) -> slsa_aibom_verify::release::ReleaseReport {
    verify_release_under(out, toml, &crate::common::release_of(out))
}

/// Verify `release` with the key in `out`, under the policy `toml`.
fn verify_release_under(
    out: &Path,
    toml: &str,
    release: &slsa_aibom_verify::release::Release,
) -> slsa_aibom_verify::release::ReleaseReport {
    let rules = slsa_aibom_verify::release::rules::ValidReleasePolicy::from_toml(toml).unwrap();
    slsa_aibom_verify::release::verify_release(
        &slsa_aibom_verify::Policy {
            anchor: slsa_aibom_verify::TrustAnchor::public_key(
                slsa_aibom_verify::PublicKey::from_file(&out.join("key.pub")).unwrap(),
            ),
            ..Default::default()
        },
        &rules,
        None,
        release,
    )
}

#[test]
fn a_command_release_verifies_as_one_unit_and_says_it_was_not_re_derived() {
    let case = signed_release();
    let out = case.out();
    let report = verify(&out);
    assert!(report.verified(), "{:?}", report.failure());
    let passport = report.passport().unwrap().to_string();
    let record: Value =
        serde_json::from_slice(&std::fs::read(out.join("command-record.json")).unwrap()).unwrap();
    let packages = record["python_environment"]["packages"]
        .as_array()
        .unwrap()
        .len();
    let environment = format!("in an environment of {packages} Python package(s)");
    for said in [
        "the caller's command `bash train.sh",
        &environment,
        "file system enforced, user namespace enforced, network none (network namespace enforced)",
        "command tier: not re-derived",
        "splits and preprocessing: the caller's script's",
        "the script's Python environment: demo-pkg 1.0",
    ] {
        assert!(passport.contains(said), "{said:?} not in {passport}");
    }
    let bundle: Value = serde_json::from_slice(
        &std::fs::read(out.join("attestations/provenance.sigstore.json")).unwrap(),
    )
    .unwrap();
    let payload = bundle["dsseEnvelope"]["payload"].as_str().unwrap();
    use base64::Engine as _;
    let statement: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let definition = &statement["predicate"]["buildDefinition"];
    assert_eq!(
        definition["buildType"],
        slsa_aibom_types::command_provenance::COMMAND_BUILD_TYPE
    );
    let deps = definition["resolvedDependencies"].as_array().unwrap();
    let demo = deps
        .iter()
        .find(|d| d["name"] == "python:demo-pkg")
        .unwrap();
    assert_eq!(demo["uri"], "pkg:pypi/demo-pkg@1.0");
    assert!(deps.iter().any(|d| d["name"] == "dataset:data/d.csv"));
    assert!(deps.iter().any(|d| d["name"] == "file:train.sh"));
    let bom: Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let libraries: Vec<&Value> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .collect();
    assert!(
        libraries
            .iter()
            .any(|c| c["purl"] == "pkg:pypi/demo-pkg@1.0"),
        "{libraries:?}"
    );
    assert_eq!(
        bom["metadata"]["component"]["modelCard"]["properties"][0]["value"],
        "training-script"
    );
}

#[test]
fn a_changed_model_file_or_byproduct_of_a_command_release_fails_verification() {
    let case = signed_release();
    let out = case.out();
    for (file, check) in [
        ("model/value", "does not match its signature"),
        ("metrics.json", "the signed provenance records"),
        ("command-record.json", "the signed provenance records"),
    ] {
        let path = out.join(file);
        let original = std::fs::read(&path).unwrap();
        let mut changed = original.clone();
        changed[0] ^= 1;
        std::fs::write(&path, &changed).unwrap();
        let report = verify(&out);
        assert!(!report.verified(), "{file} changed, still verified");
        let failure = format!("{:?}", report.failure());
        assert!(failure.contains(check), "{file}: {failure}");
        std::fs::write(&path, &original).unwrap();
    }
    assert!(verify(&out).verified());
}

#[test]
fn a_failed_command_leaves_nothing_signed() {
    let case = Case::new("exit 3", "");
    let o = case.run("build");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("exited with status 3"));
    assert!(!case.out().exists(), "an output directory was left");
    // A release names its data: a job without a dataset input is refused
    // before it runs.
    let case = Case::new(&format!("touch \"$SLSA_AIBOM_MODEL_DIR/m\"\n{METRICS}"), "");
    case.edit("kind = \"dataset\"", "kind = \"model\"");
    let o = case.run("build");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("declare at least one [[run.inputs]] with kind = \"dataset\""),
        "{err}"
    );
    assert!(!case.out().exists());
    assert!(case.run("train").status.success(), "train needs no dataset");
}

#[test]
fn vectors_a_command_release_ml_bom_is_valid_cyclonedx_1_6() {
    let v = crate::vectors_cyclonedx_schema::validator();
    let case = signed_release();
    let bom: Value =
        serde_json::from_slice(&std::fs::read(case.out().join("aibom.cdx.json")).unwrap()).unwrap();
    let errors = crate::vectors_cyclonedx_schema::schema_errors(&v, &bom);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

#[test]
fn a_policy_chooses_the_tiers_it_accepts_and_can_require_a_command_without_network() {
    let case = signed_release();
    let out = case.out();
    let failed = |toml: &str| {
        let report = verify_under(&out, toml);
        assert!(!report.verified(), "{toml}: verified");
        format!("{:?}", report.failure())
    };
    let e = failed("version = 1\n[training]\ntiers = [\"rust\"]\n");
    assert!(
        e.contains("trained by the command tier; the policy allows [rust]"),
        "{e}"
    );
    for toml in [
        "version = 1\n[training]\ntiers = [\"command\"]\n",
        "version = 1\n[training]\ntiers = [\"rust\", \"command\"]\nrequire_network_isolated = true\n",
    ] {
        let report = verify_under(&out, toml);
        assert!(report.verified(), "{toml}: {:?}", report.failure());
    }
    // The same script with the network allowed fails the network rule.
    let allowed = Case::new(
        &format!("touch \"$SLSA_AIBOM_MODEL_DIR/m\"\n{METRICS}"),
        "network = \"allowed\"",
    );
    assert!(allowed.run("build").status.success());
    let report = verify_under(
        &allowed.out(),
        "version = 1\n[training]\nrequire_network_isolated = true\n",
    );
    assert!(!report.verified());
    let e = format!("{:?}", report.failure());
    assert!(e.contains("the record says network allowed"), "{e}");
    // An unknown tier is a policy error, not a silent pass.
    let e = slsa_aibom_verify::release::rules::ValidReleasePolicy::from_toml(
        "version = 1\n[training]\ntiers = [\"python\"]\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"python\" is not a tier"), "{e}");
}

/// `rebuild` of the case's signed release (its recorded job path,
/// `job/job.toml`, is relative to the case's folder).
fn rebuild(case: &Case) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .args([
            "rebuild",
            "--provenance",
            "out/attestations/provenance.sigstore.json",
            "--key",
            "out/key.pub",
            "--inputs",
            ".",
            "--out",
            "rebuilt",
            "-q",
        ])
        .current_dir(case.dir.path())
        .output()
        .unwrap()
}

#[test]
fn rebuild_reproduces_a_deterministic_script_and_names_what_differs_otherwise() {
    let deterministic = format!("cp data/d.csv \"$SLSA_AIBOM_MODEL_DIR/w\"\n{METRICS}");
    let case = Case::new(&deterministic, "");
    assert!(case.run("build").status.success());
    let o = rebuild(&case);
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        said.contains("rebuild matches: 1 file(s) identical"),
        "{said}"
    );

    // The rebuild is a second builder's signed release of the same files
    // (its own key): with it the release verifies as reproduced, also
    // under a policy that requires it.
    let reproduced = |case: &Case, toml: &str| {
        let release =
            crate::common::reproduced_release_of(&case.out(), &case.dir.path().join("rebuilt"));
        verify_release_under(&case.out(), toml, &release)
    };
    let required = "version = 1\n[training]\nrequire_reproduced = true\n";
    let report = reproduced(&case, required);
    assert!(report.reproduced(), "{:?}", report.failure());
    let passport = report.passport().unwrap();
    let answer = passport.answer("Did a second builder").unwrap();
    assert!(
        answer.answer.starts_with("yes: key sha256:"),
        "{}",
        answer.answer
    );
    let system = passport.answer("Which system").unwrap();
    assert!(
        system
            .answer
            .contains("command tier: reproduced by a second builder"),
        "{}",
        system.answer
    );
    // Without it, that policy refuses the release.
    let report = verify_under(&case.out(), required);
    let failed = report
        .checks()
        .iter()
        .find(|c| c.status() == slsa_aibom_verify::Status::Fail)
        .map(|c| c.name());
    assert_eq!(failed, Some("policy.training.reproduced".into()));

    // One byte of the data changed: the rebuild refuses it by name.
    let data = case.dir.path().join("job/data/d.csv");
    std::fs::write(&data, "a,b\n1,3\n").unwrap();
    let o = rebuild(&case);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(8), "{err}");
    assert!(err.contains("input data/d.csv has sha256"), "{err}");
    // What that rebuild signed (another model, from other data) is no
    // reproduction of the release: its signature does not cover the
    // release's file.
    let report = reproduced(&case, "version = 1\n");
    assert!(!report.reproduced());
    let part = report.reproduction().unwrap().verdict();
    assert!(
        part.failure()
            .is_some_and(|f| f.message().contains("no subject of the statement matches")),
        "{:?}",
        part.failure()
    );

    // A script that is not deterministic is not reproduced (exit 8), and
    // the rebuild says which file differs and how the metrics compare.
    let random = format!("head -c 16 /dev/urandom > \"$SLSA_AIBOM_MODEL_DIR/w\"\n{METRICS}");
    let case = Case::new(&random, "");
    assert!(case.run("build").status.success());
    let o = rebuild(&case);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(8), "{err}");
    assert!(err.contains("not reproduced: w: recorded"), "{err}");
    assert!(
        err.contains("the script's test metrics agree within the tolerance"),
        "{err}"
    );
}
