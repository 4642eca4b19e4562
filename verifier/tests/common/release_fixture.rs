//! A GitHub release stand-in for the action's `install: release` step
//! (scripts/install-release.sh): a folder served over loopback with the real
//! release layout (`<tag>/slsa-aibom-verify-<target>`,
//! `<tag>/provenance.sigstore.json`), the provenance SLSA v1 signed
//! keylessly through the fakes as release.yml on a tag push, and the pinned
//! bootstrap digests. Shared by the `action_install` tests and the
//! `action_install` benchmark.

use fake_sigstore::{FakeSigstore, StaticFiles};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const REPO: &str = "ORG/slsa-aibom";
pub const TARGET: &str = "x86_64-unknown-linux-gnu";
pub const BOOT_TAG: &str = "v9.0.0";
pub const TAG: &str = "v9.1.0";

pub fn asset() -> String {
    format!("slsa-aibom-verify-{TARGET}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Claims of release.yml running on a push of `tag` in `repo`.
pub fn release_claims(repo: &str, workflow: &str, tag: &str) -> fake_sigstore::Claims {
    let owner = repo.split('/').next().unwrap_or_default();
    let workflow_ref = format!("{repo}/.github/workflows/{workflow}@refs/tags/{tag}");
    fake_sigstore::Claims {
        sub: format!("repo:{repo}:ref:refs/tags/{tag}"),
        repository: repo.into(),
        repository_owner: owner.into(),
        git_ref: format!("refs/tags/{tag}"),
        event_name: "push".into(),
        workflow: "release".into(),
        workflow_ref: workflow_ref.clone(),
        job_workflow_ref: workflow_ref,
        ..fake_sigstore::sample_claims()
    }
}

/// SLSA v1 provenance over `files`, shaped as actions/attest-build-provenance
/// writes it, signed keylessly with the fakes' current claims.
fn sign_provenance(fake: &FakeSigstore, files: &[(&str, &[u8])]) -> String {
    let claims = fake.claims();
    let subject: Vec<_> = files
        .iter()
        .map(|(name, bytes)| json!({"name": name, "digest": {"sha256": sha256_hex(bytes)}}))
        .collect();
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {
                    "ref": claims.git_ref,
                    "repository": format!("https://github.com/{}", claims.repository),
                    "path": ".github/workflows/release.yml",
                }},
                "internalParameters": {"github": {
                    "event_name": claims.event_name,
                    "repository_id": claims.repository_id,
                    "repository_owner_id": claims.repository_owner_id,
                    "runner_environment": claims.runner_environment,
                }},
                "resolvedDependencies": [{
                    "uri": format!("git+https://github.com/{}@{}", claims.repository, claims.git_ref),
                    "digest": {"gitCommit": claims.sha},
                }],
            },
            "runDetails": {
                "builder": {"id": "https://github.com/actions/runner/github-hosted"},
                "metadata": {"invocationId": format!(
                    "https://github.com/{}/actions/runs/{}/attempts/{}",
                    claims.repository, claims.run_id, claims.run_attempt
                )},
            },
        },
    });
    let services = slsa_aibom_sign::Services {
        fulcio: fake.fulcio_url(),
        rekor: fake.rekor_url(),
        tsa: fake.tsa_url(),
    };
    let signer = slsa_aibom_sign::KeylessSigner::from_token(
        services,
        slsa_aibom_sign::Transparency::Rekor,
        &fake.token().unwrap(),
    )
    .unwrap();
    signer
        .sign_statement(statement.to_string().as_bytes())
        .unwrap()
}

/// A release folder tree served over loopback, and what the install step
/// needs to run against it.
pub struct Releases {
    pub dir: tempfile::TempDir,
    pub fake: FakeSigstore,
    pub verifier: Vec<u8>,
}

impl Releases {
    /// `BOOT_TAG` holds the bootstrap, the verifier under test; `TAG` the
    /// release, with provenance from release.yml: a script that leaves the
    /// marker `release-ran` if it is ever run (the verifier itself only
    /// where the test runs it, since hashing a debug build is slow).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The repository the tags live in; release.yml ran at TAG's commit.
        let commit = git_repo(&dir.path().join("repo"), TAG);
        let claims = fake_sigstore::Claims {
            job_workflow_sha: commit.clone(),
            sha: commit,
            ..release_claims(REPO, "release.yml", TAG)
        };
        let fake = FakeSigstore::start(claims).unwrap();
        let verifier = std::fs::read(env!("CARGO_BIN_EXE_slsa-aibom-verify")).unwrap();
        let r = Releases {
            dir,
            fake,
            verifier,
        };
        r.put(BOOT_TAG, &asset(), &r.verifier);
        r.release(TAG, &r.trap_script("release-ran"));
        let root = serde_json::to_vec(&r.fake.trusted_root().unwrap()).unwrap();
        std::fs::write(r.path("trusted_root.json"), root).unwrap();
        r.pin(&r.verifier.clone());
        r
    }

    /// Tag the repository's current commit `tag` as well.
    #[allow(dead_code)] // the tests' (tests/action_install.rs), not the bench's
    pub fn tag(&self, tag: &str) {
        git(&self.path("repo"), &["tag", tag]);
    }

    /// Move `tag` to a new commit, as a maintainer (or an attacker with
    /// push rights) could after the release was made.
    #[allow(dead_code)] // the tests' (tests/action_install.rs), not the bench's
    pub fn move_tag(&self, tag: &str) {
        let repo = self.path("repo");
        git(&repo, &["commit", "--allow-empty", "-q", "-m", "moved"]);
        git(&repo, &["tag", "-f", tag]);
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn put(&self, tag: &str, name: &str, bytes: &[u8]) {
        let dir = self.path("www").join(tag);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    /// Publish `binary` as `tag`'s verifier with provenance signed under
    /// the fakes' current claims, beside a builder binary and an SBOM that
    /// the same provenance covers.
    pub fn release(&self, tag: &str, binary: &[u8]) {
        let builder = b"the builder binary".as_slice();
        let sbom = br#"{"bomFormat":"CycloneDX"}"#.as_slice();
        let files = [
            (asset(), binary),
            (format!("slsa-aibom-build-{TARGET}"), builder),
            (format!("slsa-aibom-verify-{TARGET}.cdx.json"), sbom),
        ];
        let named: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        let bundle = sign_provenance(&self.fake, &named);
        for (name, bytes) in &files {
            self.put(tag, name, bytes);
        }
        self.put(tag, "provenance.sigstore.json", bundle.as_bytes());
    }

    /// Pin `bootstrap`'s digest as `BOOT_TAG`'s verifier.
    pub fn pin(&self, bootstrap: &[u8]) {
        let line = format!("{}  {BOOT_TAG}/{}\n", sha256_hex(bootstrap), asset());
        std::fs::write(self.path("bootstrap.sha256"), format!("# pins\n{line}")).unwrap();
    }

    /// A shell script that leaves `marker` behind if it is ever run.
    pub fn trap_script(&self, marker: &str) -> Vec<u8> {
        format!("#!/bin/sh\ntouch '{}'\n", self.path(marker).display()).into_bytes()
    }

    /// Run the install step for `tag` into `dest` against the served tree.
    pub fn install(&self, tag: &str, dest: &Path) -> Output {
        let server = StaticFiles::start(&self.path("www")).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/install-release.sh");
        Command::new("bash")
            .arg(script)
            .env("ACTION_REF", tag)
            .env("RELEASE_URL", server.url())
            .env("RELEASE_REPO", REPO)
            .env("DEST", dest)
            .env("TARGET", TARGET)
            .env("BOOTSTRAP_FILE", self.path("bootstrap.sha256"))
            .env("RELEASE_GIT_URL", self.path("repo"))
            .env("TRUSTED_ROOT", self.path("trusted_root.json"))
            .env("RUNNER_TEMP", self.dir.path())
            .output()
            .unwrap()
    }
}

/// Run git in `repo` with a fixed identity, failing the test on an error.
fn git(repo: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "tag.gpgSign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A repository at `path` with one commit, tagged `tag`; its commit.
fn git_repo(path: &Path, tag: &str) -> String {
    std::fs::create_dir_all(path).unwrap();
    git(path, &["init", "-q"]);
    git(path, &["commit", "--allow-empty", "-q", "-m", "release"]);
    git(path, &["tag", tag]);
    git(path, &["rev-parse", "HEAD"])
}
