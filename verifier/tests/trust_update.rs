//! `trust update` against TUF repositories that python-tuf built
//! (`scripts/make-tuf-repo.py`) and a loopback server serves: a normal
//! update, a root rotation, and every attack the TUF client must stop, each
//! of which must leave the previous cache exactly as it was. Needs the peer
//! virtualenv (`scripts/peers.sh`), which `scripts/test.sh` installs.

use crate::common::{cli, code, copy_dir};
use fake_sigstore::StaticFiles;
use serde_json::Value;
use slsa_aibom_verify::evidence::trust::{Instance, TrustRoot};
use slsa_aibom_verify::evidence::trust_cache::{
    load, prefer_fresh, update, CacheState, TrustCache, TufSource,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The repositories' states, built once: `1.root.json` and one folder each.
fn repos() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = root.join(".venv-peers/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/peers.sh (it installs python-tuf)",
            python.display()
        );
        let dir = std::env::temp_dir().join(format!("slsa-aibom-tuf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A: the embedded public-good root; B: the fakes' root, with a log
        // key newer than any of A's.
        let a = dir.join("a.json");
        std::fs::write(&a, sigstore_trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT).unwrap();
        let fake = fake_sigstore::FakeSigstore::start(fake_sigstore::sample_claims()).unwrap();
        let b = dir.join("b.json");
        let mut newer = fake.trusted_root().unwrap();
        newer["tlogs"][0]["publicKey"]["validFor"]["start"] = "2026-11-01T00:00:00Z".into();
        std::fs::write(&b, newer.to_string()).unwrap();
        let cfg = dir.join("signing.json");
        std::fs::write(
            &cfg,
            sigstore_trust_root::SIGSTORE_PRODUCTION_SIGNING_CONFIG,
        )
        .unwrap();
        let out = std::process::Command::new(python)
            .arg(root.join("scripts/make-tuf-repo.py"))
            .args([dir.join("repos"), a, b, cfg])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("repos")
    })
}

/// A mirror whose served files can be switched between states.
struct Mirror {
    dir: tempfile::TempDir,
    server: StaticFiles,
}

impl Mirror {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = StaticFiles::start(dir.path()).unwrap();
        Mirror { dir, server }
    }

    fn serve(&self, state: &str) {
        let served = self.dir.path();
        for e in std::fs::read_dir(served).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                std::fs::remove_dir_all(p).unwrap();
            } else {
                std::fs::remove_file(p).unwrap();
            }
        }
        copy_dir(&repos().join(state), served);
    }

    fn source(&self) -> TufSource {
        TufSource::custom(
            self.server.url(),
            std::fs::read(repos().join("1.root.json")).unwrap(),
        )
    }

    /// `trust update` for this mirror into `cache`: (exit code, stdout, stderr).
    fn update_cli(&self, cache: &Path) -> (i32, Value, String) {
        let out = cli(&[
            "trust".into(),
            "update".into(),
            "--tuf-url".into(),
            self.server.url().into(),
            "--root-json".into(),
            repos().join("1.root.json").display().to_string(),
            "--cache".into(),
            cache.display().to_string(),
            "--format".into(),
            "json".into(),
        ]);
        let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            code(&out),
            json,
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }
}

/// What the cache's current generation is: the link and every file under it.
fn snapshot(entry: &Path) -> Vec<(String, Vec<u8>)> {
    let link = std::fs::read_link(entry.join("current")).unwrap();
    let mut files = vec![(
        "current ->".to_string(),
        link.to_string_lossy().as_bytes().to_vec(),
    )];
    let mut stack = vec![entry.join(&link)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(entry).unwrap().display().to_string();
                files.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn cached_root(entry: &Path) -> Value {
    let text = std::fs::read(entry.join("current/trusted_root.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

#[test]
fn an_update_and_a_root_rotation_replace_the_cache_with_what_the_repository_signed() {
    let mirror = Mirror::new();
    let cache = tempfile::tempdir().unwrap();
    let entry = cache.path().join(mirror.source().name());

    mirror.serve("v1");
    let (c, j, err) = mirror.update_cli(cache.path());
    assert_eq!(c, 0, "{err}");
    assert_eq!(j["rootVersion"], 1);
    let production: Value =
        serde_json::from_str(sigstore_trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT).unwrap();
    assert_eq!(cached_root(&entry)["tlogs"], production["tlogs"]);
    assert!(entry.join("current/signing_config.json").is_file());

    mirror.serve("v2");
    assert_eq!(mirror.update_cli(cache.path()).0, 0);
    let fakes = cached_root(&entry);
    assert_ne!(
        fakes["certificateAuthorities"],
        production["certificateAuthorities"]
    );

    // Root v1 → v2 → v3, every role's key replaced.
    mirror.serve("rotated");
    let (c, j, err) = mirror.update_cli(cache.path());
    assert_eq!(c, 0, "{err}");
    assert_eq!(j["rootVersion"], 3);
    assert_eq!(cached_root(&entry), fakes);
    // One generation is kept.
    let generations = std::fs::read_dir(&entry)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".gen-"))
        .count();
    assert_eq!(generations, 1);
}

#[test]
fn every_attack_fails_by_name_and_leaves_the_previous_cache_as_it_was() {
    let cases = [
        ("expired", "timestamp metadata expired"),
        ("rollback", "rollback detected"),
        ("bad-target", "trusted_root.json: sha256 mismatch"),
        ("mix-match", "does not match snapshot"),
    ];
    for (state, why) in cases {
        let mirror = Mirror::new();
        let cache = tempfile::tempdir().unwrap();
        let entry = cache.path().join(mirror.source().name());
        mirror.serve("v1");
        assert_eq!(mirror.update_cli(cache.path()).0, 0, "{state}");
        mirror.serve("v2");
        assert_eq!(mirror.update_cli(cache.path()).0, 0, "{state}");
        let before = snapshot(&entry);

        mirror.serve(state);
        let (c, j, err) = mirror.update_cli(cache.path());
        assert_eq!(c, 3, "{state}: {j} {err}");
        let message = j["failure"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(why), "{state}: {message}");
        assert!(!err.contains("panicked"), "{state}: {err}");
        assert_eq!(snapshot(&entry), before, "{state} changed the cache");
        // And the cache still verifies.
        let now = jiff::Timestamp::now();
        assert!(
            matches!(
                load(&TrustCache::at(cache.path()), &mirror.source(), now),
                CacheState::Fresh(_)
            ),
            "{state}"
        );
    }
}

#[test]
fn an_interrupted_update_leaves_the_old_cache_usable_and_the_next_one_cleans_up() {
    let mirror = Mirror::new();
    let cache = TrustCache::at(tempfile::tempdir().unwrap().keep());
    let source = mirror.source();
    let now = jiff::Timestamp::now();
    mirror.serve("v2");
    update(&cache, &source, now).unwrap();
    let entry = cache.dir().join(source.name());
    // What a crash halfway through the next update leaves behind.
    let unfinished = entry.join(".gen-1-1");
    std::fs::create_dir_all(unfinished.join("tuf")).unwrap();
    std::fs::write(unfinished.join("tuf/timestamp.json"), "{truncated").unwrap();
    assert!(matches!(load(&cache, &source, now), CacheState::Fresh(_)));
    update(&cache, &source, now).unwrap();
    assert!(!unfinished.exists());
}

#[test]
fn a_tampered_or_expired_cache_is_never_trusted_and_never_silent() {
    let mirror = Mirror::new();
    let cache = TrustCache::at(tempfile::tempdir().unwrap().keep());
    let source = mirror.source();
    let now = jiff::Timestamp::now();
    let embedded = TrustRoot::embedded(Instance::PublicGood);

    // Fresh, but no newer than the embedded root (it is the same): embedded.
    mirror.serve("v1");
    update(&cache, &source, now).unwrap();
    let (root, notes) = prefer_fresh(embedded.clone(), load(&cache, &source, now), &source);
    assert_eq!(root.origin, "embedded:public-good");
    assert!(notes.is_empty());

    mirror.serve("v2");
    let fresh = update(&cache, &source, now).unwrap();

    // Fresh, and newer than the embedded root: used, and said to be.
    let (root, notes) = prefer_fresh(embedded.clone(), load(&cache, &source, now), &source);
    assert!(root.origin.starts_with("tuf-cache:"), "{}", root.origin);
    assert!(root.origin.contains("0 day(s) old"), "{}", root.origin);
    assert!(notes.is_empty());

    // Past its TUF metadata's expiry: the embedded root, with a warning.
    let later = fresh.expires + jiff::SignedDuration::from_hours(1);
    let stale = load(&cache, &source, later);
    assert!(matches!(stale, CacheState::Stale { .. }));
    let (root, notes) = prefer_fresh(embedded.clone(), stale, &source);
    assert_eq!(root.origin, "embedded:public-good");
    assert!(notes[0].contains("expired"), "{notes:?}");

    // A cached target changed on disk: the offline re-verification refuses it.
    let targets = fresh.dir.join("tuf/targets");
    for e in std::fs::read_dir(&targets).unwrap().flatten() {
        if e.file_name()
            .to_string_lossy()
            .ends_with("trusted_root.json")
        {
            let text = std::fs::read_to_string(e.path()).unwrap();
            std::fs::write(e.path(), text.replacen('{', "{ ", 1)).unwrap();
        }
    }
    let tampered = load(&cache, &source, now);
    assert!(matches!(tampered, CacheState::Invalid(_)), "{tampered:?}");
    let (root, notes) = prefer_fresh(embedded, tampered, &source);
    assert_eq!(root.origin, "embedded:public-good");
    assert!(notes[0].contains("does not verify"), "{notes:?}");
}

#[test]
fn verification_warns_about_an_invalid_cache_and_offline_ignores_it() {
    let cache = tempfile::tempdir().unwrap();
    let current = cache.path().join("public-good/.gen-1-1");
    std::fs::create_dir_all(&current).unwrap();
    std::fs::write(current.join("state.json"), "{not json").unwrap();
    std::os::unix::fs::symlink(".gen-1-1", cache.path().join("public-good/current")).unwrap();
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = ["verify-bundle", "--bundle", "/nonexistent", "--trust-cache"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(cache.path().display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push("/nonexistent".into());
        let out = cli(&args);
        (
            code(&out),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (c, err) = run(&[]);
    assert_eq!(c, 2, "{err}");
    assert!(
        err.contains("warning: the TUF cache of public-good does not verify")
            && err.contains("trust update"),
        "{err}"
    );
    let out = cli(&[
        "verify-bundle".into(),
        "--bundle".into(),
        "/nonexistent".into(),
        "--offline".into(),
        "/nonexistent".into(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    // The flag was taken (a misspelt one is a usage error with no warning
    // either), and the run failed only on the missing bundle.
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("/nonexistent") && !err.contains("unexpected argument"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
}

/// Run the verifier CLI with `args`; fail the test if it has not finished
/// within 60 s (a FIFO read would block it forever).
fn cli_within_a_minute(args: &[String]) -> (i32, String) {
    let mut child = crate::common::verifier_cli()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the verifier blocked on the trust cache: {args:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        code(&out),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Round 2, items 4 and 11: a FIFO or `/dev/zero` planted in the cache is
/// refused without being read (and warned about), a keyed verification
/// never reads the cache, and a `current` link that leads nowhere is warned
/// about rather than ignored.
#[test]
fn hostile_cache_files_are_refused_unread_and_keyed_checks_skip_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let generation = cache.path().join("public-good/.gen-1-1");
    std::fs::create_dir_all(generation.join("tuf")).unwrap();
    std::fs::write(
        generation.join("state.json"),
        r#"{"url":"x","updated":"2026-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let current = cache.path().join("public-good/current");
    std::os::unix::fs::symlink(".gen-1-1", &current).unwrap();
    let keyless = |cache: &Path| -> Vec<String> {
        ["verify-bundle", "--bundle", "/nonexistent", "--trust-cache"]
            .iter()
            .map(|s| s.to_string())
            .chain([cache.display().to_string(), "/nonexistent".into()])
            .collect()
    };
    let fifo = generation.join("tuf/timestamp.json");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let (c, err) = cli_within_a_minute(&keyless(cache.path()));
    assert_eq!(c, 2, "{err}");
    assert!(
        err.contains("does not verify") && err.contains("not a regular file"),
        "{err}"
    );

    // A keyed release verifies without the cache being consulted at all.
    let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/release");
    let keyed: Vec<String> = vec![
        "model".into(),
        release.join("model").display().to_string(),
        "--key".into(),
        release.join("key.pub").display().to_string(),
        "--trust-cache".into(),
        cache.path().display().to_string(),
    ];
    let (c, err) = cli_within_a_minute(&keyed);
    assert_eq!(c, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");

    std::fs::remove_file(&fifo).unwrap();
    std::os::unix::fs::symlink("/dev/zero", generation.join("tuf/root.json")).unwrap();
    let (c, err) = cli_within_a_minute(&keyless(cache.path()));
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("not a regular file"), "{err}");

    // `current` pointing at a generation that is gone.
    std::fs::remove_file(&current).unwrap();
    std::os::unix::fs::symlink(".gen-gone", &current).unwrap();
    let (c, err) = cli_within_a_minute(&keyless(cache.path()));
    assert_eq!(c, 2, "{err}");
    assert!(
        err.contains("warning") && err.contains("`current` link"),
        "{err}"
    );
}
