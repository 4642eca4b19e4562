//! Helpers shared by the builder's integration tests.
#![allow(dead_code)]

pub mod tiny_bert;

use slsa_aibom_builder::demo::write_example;
use slsa_aibom_builder::pipeline::{build, BuildOptions, BuildSummary};
use slsa_aibom_builder::spec::Job;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The example job's path under an inputs directory.
pub const JOB: &str = "examples/demo/job.toml";

/// The demo example in a fresh directory, trained for `epochs` epochs.
pub fn example(epochs: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_example(dir.path()).expect("write example");
    edit(
        &dir.path().join(JOB),
        "epochs = 20",
        &format!("epochs = {epochs}"),
    );
    dir
}

/// `slsa-aibom-build build` of the job under `inputs` into `out` at
/// `threads`, quietly; the process output.
pub fn build_cli(inputs: &Path, out: &Path, threads: &str) -> Output {
    cli(&[
        "build".as_ref(),
        inputs.join(JOB).as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--threads".as_ref(),
        threads.as_ref(),
        "-q".as_ref(),
    ])
}

/// Replace `from` by `to` in a file, insisting that `from` occurs.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Build the job under `inputs` into `out`, in process.
pub fn build_into(inputs: &Path, out: &Path) -> BuildSummary {
    let job = Job::load(&inputs.join(JOB)).expect("job");
    build(
        &job,
        &BuildOptions::local(out, 2, Some("cpu"), true, JOB).expect("options"),
    )
    .expect("build")
}

/// The simulated GitHub Actions job environment, matching the claims of
/// `fake_sigstore::sample_claims`.
pub fn github_env(cmd: &mut Command) -> &mut Command {
    let c = fake_sigstore::sample_claims();
    cmd.env("GITHUB_ACTIONS", "true")
        .env("RUNNER_ENVIRONMENT", "github-hosted")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", &c.repository)
        .env("GITHUB_SHA", &c.sha)
        .env("GITHUB_REF", &c.git_ref)
        .env("GITHUB_RUN_ID", &c.run_id)
        .env("GITHUB_RUN_ATTEMPT", &c.run_attempt)
        .env("GITHUB_WORKFLOW_REF", &c.workflow_ref)
}

/// Run the CLI with `args`.
pub fn cli<I: AsRef<std::ffi::OsStr>>(args: &[I]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"))
        .args(args)
        .output()
        .expect("run slsa-aibom-build")
}

/// Exit code of a finished run (panics on a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or_else(|| {
        panic!(
            "killed by a signal: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The sha256 of a file.
pub fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

/// `../shared/vectors`; tests that need it are named `vectors_*`.
pub fn vectors() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors");
    assert!(
        dir.join("expected.jsonl").is_file(),
        "../shared/vectors is not present: this test did NOT run (see README, 'Test vectors')"
    );
    dir
}

/// Copy a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("list") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// Our workflow's identity, as the fake Fulcio certifies it for the
/// sample claims (`job_workflow_ref`).
pub const BUILDER_ID: &str =
    "https://github.com/ORG/slsa-aibom/.github/workflows/builder.yml@refs/tags/v1";

/// The fake Sigstore services and their trusted root on disk.
pub struct Sigstore {
    /// The running fakes.
    pub fake: fake_sigstore::FakeSigstore,
    dir: tempfile::TempDir,
}

impl Sigstore {
    /// Start fakes whose tokens carry `claims`.
    pub fn start(claims: fake_sigstore::Claims) -> Self {
        let fake = fake_sigstore::FakeSigstore::start(claims).expect("start fake sigstore");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = serde_json::to_vec_pretty(&fake.trusted_root().expect("root")).unwrap();
        std::fs::write(dir.path().join("trusted_root.json"), root).unwrap();
        let github = serde_json::to_vec_pretty(&fake.github_trusted_root().expect("root")).unwrap();
        std::fs::write(dir.path().join("github_trusted_root.json"), github).unwrap();
        let config =
            serde_json::to_vec_pretty(&fake.client_trust_config().expect("config")).unwrap();
        std::fs::write(dir.path().join("trust_config.json"), config).unwrap();
        Sigstore { fake, dir }
    }

    /// The trusted root file (public-good style: log and CT log).
    pub fn trusted_root(&self) -> PathBuf {
        self.dir.path().join("trusted_root.json")
    }

    /// The GitHub-style trusted root file (CA and TSA only).
    pub fn github_trusted_root(&self) -> PathBuf {
        self.dir.path().join("github_trusted_root.json")
    }

    /// The client trust configuration file (for Python `sigstore`).
    pub fn trust_config(&self) -> PathBuf {
        self.dir.path().join("trust_config.json")
    }

    /// Point a command at the fakes: the job's OIDC variables and the
    /// builder's service and trusted-root variables.
    pub fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        for (k, v) in self.fake.actions_env() {
            cmd.env(k, v);
        }
        cmd.env("SLSA_AIBOM_FULCIO_URL", self.fake.fulcio_url())
            .env("SLSA_AIBOM_REKOR_URL", self.fake.rekor_url())
            .env("SLSA_AIBOM_TSA_URL", self.fake.tsa_url())
            .env("SLSA_AIBOM_TRUSTED_ROOT", self.trusted_root())
    }

    /// What outputs signed by `identity` through these fakes verify
    /// against, under the trusted root file `root`.
    pub fn anchor(&self, root: &Path, identity: &str) -> slsa_aibom_builder::output_check::Anchor {
        slsa_aibom_builder::output_check::Anchor::Certificate {
            trust_root: Box::new(slsa_aibom_verify::TrustRoot::from_file(root).unwrap()),
            identity: slsa_aibom_verify::SanMatcher::Exact(identity.into()),
            issuer: fake_sigstore::GITHUB_ISSUER.into(),
        }
    }
}

/// The release in `out` with the release a `rebuild` wrote to `rebuilt`
/// (signed with its own key) as its reproduction.
pub fn reproduced_release_of(out: &Path, rebuilt: &Path) -> slsa_aibom_verify::release::Release {
    let mut release = release_of(out);
    release.reproduction = Some(slsa_aibom_verify::release::Reproduction {
        evidence: rebuilt.join("attestations/provenance.sigstore.json"),
        signer: slsa_aibom_verify::Policy {
            anchor: slsa_aibom_verify::TrustAnchor::public_key(
                slsa_aibom_verify::PublicKey::from_file(&rebuilt.join("key.pub")).unwrap(),
            ),
            ..Default::default()
        },
    });
    release
}

/// The release in a builder output directory `out` (its `model/`,
/// `attestations/`, `model.sig` and the files beside them).
pub fn release_of(out: &Path) -> slsa_aibom_verify::release::Release {
    slsa_aibom_verify::release::Release::from_layout(
        &out.join("model"),
        &out.join("attestations"),
        &out.join("model.sig"),
    )
}
