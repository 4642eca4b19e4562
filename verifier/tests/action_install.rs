//! The action's `install: release` step (scripts/install-release.sh), played
//! end to end: a loopback server stands in for GitHub's release downloads,
//! with the real release layout (`<tag>/slsa-aibom-verify-<target>`,
//! `<tag>/provenance.sigstore.json`); the provenance is SLSA v1 signed
//! keylessly through the fakes as release.yml on a tag push. The verifier
//! binary under test is both the pinned bootstrap and the release. A
//! download that does not check out is never run: every tampered binary is
//! a script that would leave a marker file if it ran.

use crate::common::copy_dir;
use fake_sigstore::{FakeSigstore, StaticFiles};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REPO: &str = "ORG/slsa-aibom";
const TARGET: &str = "x86_64-unknown-linux-gnu";
const BOOT_TAG: &str = "v9.0.0";
const TAG: &str = "v9.1.0";

fn asset() -> String {
    format!("slsa-aibom-verify-{TARGET}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Claims of release.yml running on a push of `tag` in `repo`.
fn release_claims(repo: &str, workflow: &str, tag: &str) -> fake_sigstore::Claims {
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
struct Releases {
    dir: tempfile::TempDir,
    fake: FakeSigstore,
    verifier: Vec<u8>,
}

impl Releases {
    /// `BOOT_TAG` holds the bootstrap, the verifier under test; `TAG` the
    /// release, with provenance from release.yml: a script that leaves the
    /// marker `release-ran` if it is ever run (the verifier itself only
    /// where the test runs it, since hashing a debug build is slow).
    fn new() -> Self {
        let fake = FakeSigstore::start(release_claims(REPO, "release.yml", TAG)).unwrap();
        let verifier = std::fs::read(env!("CARGO_BIN_EXE_slsa-aibom-verify")).unwrap();
        let r = Releases {
            dir: tempfile::tempdir().unwrap(),
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

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn put(&self, tag: &str, name: &str, bytes: &[u8]) {
        let dir = self.path("www").join(tag);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    /// Publish `binary` as `tag`'s verifier with provenance signed under
    /// the fakes' current claims, beside a builder binary and an SBOM that
    /// the same provenance covers.
    fn release(&self, tag: &str, binary: &[u8]) {
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
    fn pin(&self, bootstrap: &[u8]) {
        let line = format!("{}  {BOOT_TAG}/{}\n", sha256_hex(bootstrap), asset());
        std::fs::write(self.path("bootstrap.sha256"), format!("# pins\n{line}")).unwrap();
    }

    /// A shell script that leaves `marker` behind if it is ever run.
    fn trap_script(&self, marker: &str) -> Vec<u8> {
        format!("#!/bin/sh\ntouch '{}'\n", self.path(marker).display()).into_bytes()
    }

    /// Run the install step for `tag` into `dest` against the served tree.
    fn install(&self, tag: &str, dest: &Path) -> Output {
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
            .env("TRUSTED_ROOT", self.path("trusted_root.json"))
            .env("RUNNER_TEMP", self.dir.path())
            .output()
            .unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Install into a fresh folder and expect `code`; what it printed.
fn expect(r: &Releases, tag: &str, code: i32, says: &str) -> String {
    let dest = tempfile::tempdir().unwrap();
    let o = r.install(tag, dest.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(err.contains(says), "expected {says:?} in: {err}");
    if code != 0 {
        assert!(
            !dest.path().join("slsa-aibom-verify").exists(),
            "a refused download was installed"
        );
    }
    err
}

#[test]
fn the_release_verifier_is_installed_only_after_its_provenance_verifies() {
    let r = Releases::new();
    r.release(TAG, &r.verifier.clone());
    let dest = tempfile::tempdir().unwrap();
    let o = r.install(TAG, dest.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let installed = dest.path().join("slsa-aibom-verify");
    assert_eq!(std::fs::read(&installed).unwrap(), r.verifier);
    assert!(stderr(&o).contains("provenance verified"));
    // The installed binary runs.
    let v = Command::new(&installed).arg("--version").output().unwrap();
    assert!(v.status.success());
}

#[test]
fn a_tampered_release_binary_is_refused_and_never_run() {
    let r = Releases::new();
    r.put(TAG, &asset(), &r.trap_script("tampered-ran"));
    let e = expect(
        &r,
        TAG,
        1,
        "does not match its signed provenance: refused, not run",
    );
    assert!(
        e.contains("artifact hash does not match any subject"),
        "{e}"
    );
    assert!(!r.path("tampered-ran").exists(), "the tampered binary ran");
    assert!(!r.path("release-ran").exists());
}

#[test]
fn a_tampered_bootstrap_is_refused_and_never_run() {
    let r = Releases::new();
    let evil = r.trap_script("bootstrap-ran");
    r.put(BOOT_TAG, &asset(), &evil);
    expect(&r, TAG, 1, "not the pinned");
    assert!(
        !r.path("bootstrap-ran").exists(),
        "the tampered bootstrap ran"
    );
}

#[test]
fn provenance_from_another_workflow_repository_or_tag_is_refused() {
    for (repo, workflow, tag) in [
        (REPO, "builder.yml", TAG),
        ("fork/slsa-aibom", "release.yml", TAG),
        (REPO, "release.yml", BOOT_TAG),
    ] {
        let r = Releases::new();
        r.fake.set_claims(release_claims(repo, workflow, tag));
        r.release(TAG, &r.trap_script("release-ran"));
        let e = expect(&r, TAG, 1, "does not match its signed provenance");
        assert!(e.contains("FAIL identity.san"), "{e}");
        assert!(!r.path("release-ran").exists());
    }
    // Signed on a self-hosted runner.
    let r = Releases::new();
    r.fake.set_claims(fake_sigstore::Claims {
        runner_environment: "self-hosted".into(),
        ..release_claims(REPO, "release.yml", TAG)
    });
    r.release(TAG, &r.trap_script("release-ran"));
    let e = expect(&r, TAG, 1, "does not match its signed provenance");
    assert!(e.contains("FAIL build.runner-environment"), "{e}");
}

#[test]
fn a_missing_provenance_or_another_releases_provenance_is_refused() {
    let r = Releases::new();
    std::fs::remove_file(r.path("www").join(TAG).join("provenance.sigstore.json")).unwrap();
    expect(&r, TAG, 1, "cannot download");
    // v9.2.0's binary carrying v9.1.0's (valid) provenance.
    let r = Releases::new();
    copy_dir(&r.path("www").join(TAG), &r.path("www/v9.2.0"));
    r.put("v9.2.0", &asset(), &r.trap_script("other-ran"));
    expect(&r, "v9.2.0", 1, "refused");
    assert!(!r.path("other-ran").exists());
}

#[test]
fn without_a_release_tag_or_a_pinned_bootstrap_it_falls_back() {
    let r = Releases::new();
    expect(
        &r,
        "0123456789abcdef0123456789abcdef01234567",
        3,
        "not at a release tag",
    );
    expect(&r, "v1", 3, "not at a release tag");
    std::fs::write(r.path("bootstrap.sha256"), "# none yet\n").unwrap();
    expect(&r, TAG, 3, "no bootstrap verifier");
    // The committed pin file parses and pins nothing yet: the action builds
    // from source until the first release is out.
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../release/bootstrap.sha256");
    std::fs::copy(committed, r.path("bootstrap.sha256")).unwrap();
    expect(&r, TAG, 3, "no bootstrap verifier");
}

/// The release notes' `slsa-aibom-verify` command, run as written in the
/// release folder (with the fakes' trusted root added), verifies a real
/// release and refuses a tampered one.
#[test]
fn the_release_notes_verify_command_works_as_written() {
    let r = Releases::new();
    r.release(TAG, &r.trap_script("release-ran"));
    let notes = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/release-notes.sh"))
        .args([TAG, REPO])
        .output()
        .unwrap();
    assert!(notes.status.success());
    let notes = String::from_utf8(notes.stdout).unwrap();
    let start = notes
        .find("slsa-aibom-verify verify-bundle")
        .expect("the notes give the verify command");
    let end = start + notes[start..].find("\n```").unwrap();
    let words: Vec<&str> = notes[start..end]
        .split_whitespace()
        .filter(|w| *w != "\\")
        .collect();
    let run = || {
        crate::common::verifier_cli()
            .args(&words[1..])
            .args(["--offline", "--trusted-root"])
            .arg(r.path("trusted_root.json"))
            .current_dir(r.path("www").join(TAG))
            .output()
            .unwrap()
    };
    let o = run();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    r.put(TAG, &asset(), b"tampered");
    assert_eq!(run().status.code(), Some(5), "a tampered binary is a digest failure");
}
