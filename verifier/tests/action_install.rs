//! The action's `install: release` step (scripts/install-release.sh), played
//! end to end: a loopback server stands in for GitHub's release downloads,
//! with the real release layout (`<tag>/slsa-aibom-verify-<target>`,
//! `<tag>/provenance.sigstore.json`); the provenance is SLSA v1 signed
//! keylessly through the fakes as release.yml on a tag push. The verifier
//! binary under test is both the pinned bootstrap and the release. A
//! download that does not check out is never run: every tampered binary is
//! a script that would leave a marker file if it ran.

use crate::common::copy_dir;
use crate::common::release_fixture::*;
use std::path::Path;
use std::process::{Command, Output};

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
        ..r.fake.claims()
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
    r.tag("v9.2.0");
    copy_dir(&r.path("www").join(TAG), &r.path("www/v9.2.0"));
    r.put("v9.2.0", &asset(), &r.trap_script("other-ran"));
    expect(&r, "v9.2.0", 1, "refused");
    assert!(!r.path("other-ran").exists());
}

/// Review item 29.7: the release must have been signed at the commit the
/// tag names now (.1.10); a tag moved after the release is refused, and a
/// tag the repository does not have offers no verified binary.
#[test]
fn a_moved_or_unknown_tag_is_refused_by_its_commit() {
    let r = Releases::new();
    r.move_tag(TAG);
    let e = expect(&r, TAG, 1, "does not match its signed provenance");
    assert!(e.contains("FAIL identity.san"), "{e}");
    assert!(!r.path("release-ran").exists());
    let r = Releases::new();
    copy_dir(&r.path("www").join(TAG), &r.path("www/v9.3.0"));
    expect(&r, "v9.3.0", 3, "the tag v9.3.0 is not in");
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
    assert_eq!(
        run().status.code(),
        Some(5),
        "a tampered binary is a digest failure"
    );
}
