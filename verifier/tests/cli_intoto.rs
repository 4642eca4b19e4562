//! in-toto links and layouts: the keyed demo release in testdata/release
//! (scripts/make-release-fixture.sh) carries the builder's layout and links;
//! hand-made layouts cover expiry, artifact rules and inspections.
#![cfg(feature = "in-toto")]

use crate::common::{cli, code, testdata};
use in_toto::crypto::{HashAlgorithm, HashValue};
use in_toto::models::inspection::Inspection;
use in_toto::models::rule::ArtifactRule;
use in_toto::models::step::{Command, Step};
use in_toto::models::{LayoutMetadataBuilder, LinkMetadataBuilder, VirtualTargetPath};
use serde_json::Value;
use slsa_aibom_verify::intoto::Functionary;
use std::path::{Path, PathBuf};

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn release() -> PathBuf {
    testdata().join("release")
}

/// The release's link for `step` (`<step>.<keyid prefix>.link`).
fn link(dir: &Path, step: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&format!("{step}.")) && n.ends_with(".link")
        })
        .unwrap_or_else(|| panic!("no {step} link in {}", dir.display()))
}

/// Run `intoto ARGS --format json`: (exit code, report).
fn intoto(args: &[String]) -> (i32, Value) {
    let mut a = vec!["intoto".to_string()];
    a.extend(args.iter().cloned());
    a.extend(["--format".into(), "json".into()]);
    let o = cli(&a);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (code(&o), v)
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|x| x.to_string()).collect()
}

/// `(name, status)` of every check in a one-subject report.
fn checks(report: &Value) -> Vec<(String, String)> {
    report["results"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of(report: &Value, name: &str) -> String {
    checks(report)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

/// Run `intoto ARGS`: it must exit with `code` and fail the check `name`.
fn fails_with(args: &[String], name: &str, code: i32) {
    let (rc, v) = intoto(args);
    assert_eq!((rc, status_of(&v, name)), (code, "fail".into()), "{v:#}");
}

/// A copy of the release's in-toto folder.
fn intoto_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(release().join("intoto")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
    }
    tmp
}

/// A copy of `key` in a folder of its own: a key from outside the release,
/// as a consumer would hold it.
fn outside(key: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join(key.file_name().unwrap());
    std::fs::copy(key, &copy).unwrap();
    (tmp, copy)
}

fn layout_args(dir: &Path, key: &Path) -> Vec<String> {
    args(&[
        "layout",
        "--layout",
        &s(&dir.join("root.layout")),
        "--layout-key",
        &s(key),
    ])
}

#[test]
fn the_builders_layout_and_links_verify() {
    let dir = release().join("intoto");
    let (_keys, key) = outside(&dir.join("functionary.pub"));
    let (rc, v) = intoto(&layout_args(&dir, &key));
    assert_eq!(rc, 0, "{v:#}");
    assert!(
        v["trust_root"].as_str().unwrap().contains("layout keys"),
        "{v:#}"
    );
    assert_eq!(v["verified"], true);
    for name in [
        "layout.signature",
        "layout.expires",
        "layout.inspections",
        "step.train",
        "step.attest",
        "layout.artifact-rules",
    ] {
        assert_eq!(status_of(&v, name), "pass", "{name}: {v:#}");
    }
}

#[test]
fn a_tampered_link_another_key_or_a_missing_link_fails_its_check() {
    // A link product's digest changed: its signature no longer verifies.
    let tmp = intoto_copy();
    let train = link(tmp.path(), "train");
    let text = std::fs::read_to_string(&train).unwrap();
    let weights: Value = serde_json::from_str(&text).unwrap();
    let digest = weights["signed"]["products"]["model/model.safetensors"]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let mut other = digest.clone();
    other.replace_range(0..1, if digest.starts_with('0') { "1" } else { "0" });
    std::fs::write(&train, text.replace(&digest, &other)).unwrap();
    let (_keys, key) = outside(&tmp.path().join("functionary.pub"));
    fails_with(&layout_args(tmp.path(), &key), "step.train", 3);

    // A key that did not sign the layout.
    let tmp = intoto_copy();
    let (_keys, stranger) = outside(&tmp.path().join("functionary.pub"));
    std::fs::write(&stranger, Functionary::generate().unwrap().public_pem()).unwrap();
    fails_with(&layout_args(tmp.path(), &stranger), "layout.signature", 3);

    // No link for the attest step: its threshold is not met.
    let tmp = intoto_copy();
    std::fs::remove_file(link(tmp.path(), "attest")).unwrap();
    let (_keys, key) = outside(&tmp.path().join("functionary.pub"));
    fails_with(&layout_args(tmp.path(), &key), "step.attest", 3);
}

/// Write a one-step layout (`step`) and the link `build` for it, both signed
/// by a fresh functionary; returns the layout key's path.
fn hand_made(dir: &Path, step: Step, expires_in_days: i64, inspect: bool) -> PathBuf {
    hand_made_listing(dir, step, expires_in_days, inspect, 1)
}

/// [`hand_made`], with the functionary listed `times` times in the step.
fn hand_made_listing(
    dir: &Path,
    step: Step,
    expires_in_days: i64,
    inspect: bool,
    times: usize,
) -> PathBuf {
    let f = Functionary::generate().unwrap();
    let hashes = in_toto::models::TargetDescription::from([(
        HashAlgorithm::Sha256,
        HashValue::new(vec![7; 32]),
    )]);
    let link = LinkMetadataBuilder::new()
        .name("build".into())
        .products([(VirtualTargetPath::from("app.bin"), hashes)].into())
        .env(Some(Default::default()))
        .command(Command::from("make"))
        .build()
        .unwrap();
    let expires = chrono_from_now(expires_in_days);
    let mut layout = LayoutMetadataBuilder::new()
        .expires(expires)
        .add_key(f.public().clone())
        .add_step((0..times).fold(step, |step, _| step.add_key(f.public().key_id().clone())));
    if inspect {
        layout = layout.add_inspect(Inspection::new("look").run(Command::from("true")));
    }
    std::fs::write(
        dir.join("root.layout"),
        f.sign(Box::new(layout.build().unwrap())).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("build.{}.link", f.key_id_prefix())),
        f.sign(Box::new(link)).unwrap(),
    )
    .unwrap();
    let key = dir.join("keys/layout.pub");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::write(&key, f.public_pem()).unwrap();
    key
}

fn chrono_from_now(days: i64) -> chrono::DateTime<chrono::Utc> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    chrono::DateTime::from_timestamp(secs + days * 86_400, 0).unwrap()
}

fn step() -> Step {
    Step::new("build")
        .threshold(1)
        .expected_command(Command::from("make"))
}

#[test]
fn expiry_artifact_rules_and_inspections_are_enforced() {
    // Allowed product, valid layout: verifies.
    let ok = tempfile::tempdir().unwrap();
    let key = hand_made(
        ok.path(),
        step().add_expected_product(ArtifactRule::Create("app.bin".into())),
        30,
        false,
    );
    let (rc, v) = intoto(&layout_args(ok.path(), &key));
    assert_eq!(rc, 0, "{v:#}");

    // Expired.
    let old = tempfile::tempdir().unwrap();
    let key = hand_made(old.path(), step(), -1, false);
    fails_with(&layout_args(old.path(), &key), "layout.expires", 6);

    // A product the step's rules disallow.
    let rules = tempfile::tempdir().unwrap();
    let key = hand_made(
        rules.path(),
        step().add_expected_product(ArtifactRule::Disallow("*".into())),
        30,
        false,
    );
    fails_with(&layout_args(rules.path(), &key), "layout.artifact-rules", 5);

    // Inspections would run commands: refused, and nothing runs.
    let insp = tempfile::tempdir().unwrap();
    let key = hand_made(insp.path(), step(), 30, true);
    fails_with(&layout_args(insp.path(), &key), "layout.inspections", 2);
}

/// The release's functionary key, copied once to a folder outside it.
fn outside_functionary() -> &'static Path {
    static KEY: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &KEY.get_or_init(|| outside(&release().join("intoto/functionary.pub")))
        .1
}

fn trust_layout() -> Vec<String> {
    let dir = release().join("intoto");
    args(&[
        "--link",
        &s(&link(&dir, "train")),
        "--layout",
        &s(&dir.join("root.layout")),
        "--layout-key",
        &s(outside_functionary()),
    ])
}

#[test]
fn a_key_inside_the_release_cannot_vouch_for_it() {
    let dir = release().join("intoto");
    let inside = dir.join("functionary.pub");
    for a in [
        layout_args(&dir, &inside),
        args(&[
            "file",
            &s(&release().join("model/model.safetensors")),
            "--link",
            &s(&link(&dir, "train")),
            "--functionary-key",
            &s(&inside),
        ]),
        args(&[
            "dir",
            &s(release().as_path()),
            "--link",
            &s(&link(&dir, "train")),
            "--layout",
            &s(&dir.join("root.layout")),
            "--layout-key",
            &s(&inside),
        ]),
    ] {
        let (rc, v) = intoto(&a);
        assert_eq!(rc, 2, "{v:#}");
        let message = v["results"][0]["failure"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains("outside the release"), "{v:#}");
    }
    // Given from outside, the output says so.
    let mut a = args(&["file", &s(&release().join("model/model.safetensors"))]);
    a.extend(args(&[
        "--link",
        &s(&link(&dir, "train")),
        "--functionary-key",
        &s(outside_functionary()),
    ]));
    let (rc, v) = intoto(&a);
    assert_eq!(rc, 0, "{v:#}");
    assert!(
        v["trust_root"]
            .as_str()
            .unwrap()
            .contains("given from outside the release"),
        "{v:#}"
    );
}

#[test]
fn a_file_is_checked_against_the_link() {
    let weights = release().join("model/model.safetensors");
    let mut a = args(&["file", &s(&weights)]);
    a.extend(trust_layout());
    let (rc, v) = intoto(&a);
    assert_eq!(rc, 0, "{v:#}");
    assert_eq!(status_of(&v, "product:model/model.safetensors"), "pass");

    // The same name with other bytes.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("model/model.safetensors");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    let mut bytes = std::fs::read(&weights).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&bad, bytes).unwrap();
    let mut a = args(&["file", &s(&bad)]);
    a.extend(trust_layout());
    fails_with(&a, "product:model/model.safetensors", 5);

    // A file the link does not list.
    let mut a = args(&["file", &s(&release().join("key.pub"))]);
    a.extend(trust_layout());
    assert_eq!(intoto(&a).0, 5);

    // Signed by someone else than the key given.
    let stranger = tmp.path().join("stranger.pub");
    std::fs::write(&stranger, Functionary::generate().unwrap().public_pem()).unwrap();
    let a = args(&[
        "file",
        &s(&weights),
        "--link",
        &s(&link(&release().join("intoto"), "train")),
        "--functionary-key",
        &s(&stranger),
    ]);
    fails_with(&a, "link.signature", 3);
}

#[test]
fn a_directory_reports_verified_mismatched_and_missing() {
    // The job directory holds every material.
    let job_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo");
    let mut a = args(&["dir", &s(&job_dir), "--only", "materials"]);
    a.extend(trust_layout());
    let (rc, v) = intoto(&a);
    assert_eq!(rc, 0, "{v:#}");
    assert_eq!(status_of(&v, "material:data/transactions.csv"), "pass");

    // A store with one changed model file, and without the byproducts.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("model")).unwrap();
    for f in ["model.safetensors", "config.json"] {
        std::fs::copy(
            release().join("model").join(f),
            tmp.path().join("model").join(f),
        )
        .unwrap();
    }
    std::fs::write(tmp.path().join("model/config.json"), "{}").unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
    let mut a = args(&["dir", &s(tmp.path()), "--only", "products"]);
    a.extend(trust_layout());
    let (rc, v) = intoto(&a);
    assert_eq!(rc, 5, "{v:#}");
    assert_eq!(status_of(&v, "product:model/model.safetensors"), "pass");
    assert_eq!(status_of(&v, "product:model/config.json"), "fail");
    assert_eq!(status_of(&v, "product:metrics.json"), "fail");
    assert_eq!(status_of(&v, "unlisted:notes.txt"), "warn");
    assert_eq!(status_of(&v, "artifacts"), "fail");
}

fn bom_args(link: &Path, layout: &Path, key: &Path) -> Vec<String> {
    args(&[
        "bom",
        "--bom",
        &s(&release().join("attestations/aibom.sigstore.json")),
        "--link",
        &s(link),
        "--layout",
        &s(layout),
        "--key",
        &s(key),
    ])
}

#[test]
fn the_ml_bom_verifies_with_the_link_it_references() {
    let dir = release().join("intoto");
    let key = release().join("key.pub");
    let (rc, v) = intoto(&bom_args(
        &link(&dir, "train"),
        &dir.join("root.layout"),
        &key,
    ));
    assert_eq!(rc, 0, "{v:#}");
    for name in [
        "bom.layout",
        "bom.link",
        "layout.signature",
        "link.signature",
        "link.products",
        "link.invocation",
    ] {
        assert_eq!(status_of(&v, name), "pass", "{name}: {v:#}");
    }

    // Another signer of the ML-BOM.
    let other_key = testdata().join("keyed/key.pub");
    let (rc, _) = intoto(&bom_args(
        &link(&dir, "train"),
        &dir.join("root.layout"),
        &other_key,
    ));
    assert_eq!(rc, 3);

    // The same link content re-signed by another functionary (as another
    // run would): the ML-BOM does not reference it.
    let tmp = intoto_copy();
    let block: in_toto::models::Metablock =
        serde_json::from_slice(&std::fs::read(link(&dir, "train")).unwrap()).unwrap();
    let in_toto::models::MetadataWrapper::Link(meta) = block.metadata else {
        panic!("not a link")
    };
    let f = Functionary::generate().unwrap();
    let swapped = tmp.path().join(link(&dir, "train").file_name().unwrap());
    std::fs::write(&swapped, f.sign(Box::new(meta)).unwrap()).unwrap();
    fails_with(
        &bom_args(&swapped, &tmp.path().join("root.layout"), &key),
        "bom.link",
        5,
    );

    // The attest link in place of the train link it references.
    let (rc, v) = intoto(&bom_args(
        &link(&dir, "attest"),
        &dir.join("root.layout"),
        &key,
    ));
    assert_ne!(rc, 0, "{v:#}");
}

#[test]
fn what_a_signature_does_not_cover_is_refused() {
    // `_type` and an unknown field inside `signed` survive parsing but not
    // the canonical form the signature covers: the file is refused.
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 3] = [
        ("_type", |v| v["signed"]["_type"] = Value::from("layout")),
        ("unknown field", |v| {
            v["signed"]["approved_by"] = Value::from("security team")
        }),
        ("top-level field", |v| v["note"] = Value::from("verified")),
    ];
    for (what, edit) in edits {
        let tmp = intoto_copy();
        let train = link(tmp.path(), "train");
        let mut v: Value = serde_json::from_slice(&std::fs::read(&train).unwrap()).unwrap();
        edit(&mut v);
        std::fs::write(&train, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        let (_keys, key) = outside(&tmp.path().join("functionary.pub"));
        let mut a = args(&["file", &s(&release().join("model/model.safetensors"))]);
        a.extend(args(&["--link", &s(&train), "--functionary-key", &s(&key)]));
        let (rc, v) = intoto(&a);
        assert_eq!(rc, 3, "{what}: {v:#}");
        let message = v["results"][0]["failure"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains("do not cover"), "{what}: {message}");
    }
}

#[test]
fn a_functionary_listed_twice_is_one_signer() {
    // Threshold 2 with one key listed twice: one link must not count twice.
    let dir = tempfile::tempdir().unwrap();
    let key = hand_made_listing(dir.path(), step().threshold(2), 30, false, 2);
    let (rc, v) = intoto(&layout_args(dir.path(), &key));
    assert_eq!(rc, 3, "{v:#}");
    assert_eq!(status_of(&v, "step.build"), "fail", "{v:#}");
}
