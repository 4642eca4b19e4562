//! A fine-tuned model's base: verified before training (model signature or
//! pinned digests), refused with exit 7 and nothing signed when it does not
//! verify, and recorded where consumers look: the provenance, the ML-BOM,
//! the passport, the release policy's `[lineage]` and `inventory`.

use crate::common::tiny_bert;
use crate::common::*;
use serde_json::Value;
use slsa_aibom_builder::attest::record::OutputFile;
use std::path::{Path, PathBuf};

fn testdata_key(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/keyed")
        .join(name)
}

/// Sign the directory `dir` with a model signature, as model-signing
/// would, into `sig`; `sign` turns the statement into a bundle.
fn sign_dir(dir: &Path, sig: &Path, sign: impl Fn(&[u8]) -> String) {
    let (_, files) = slsa_aibom_verify::documents::model_signing::dir_manifest(dir, &[]).unwrap();
    let files: Vec<OutputFile> = files
        .iter()
        .map(|(path, d)| OutputFile {
            path: path.clone(),
            sha256: hex::encode(d),
            size: 0,
        })
        .collect();
    let statement = slsa_aibom_builder::attest::model_signature::statement("base", &files);
    std::fs::write(sig, sign(&serde_json::to_vec(&statement).unwrap())).unwrap();
}

/// Signed with testdata's key.
fn sign_keyed(statement: &[u8]) -> String {
    let signer = slsa_aibom_builder::signing::key_file(&testdata_key("key.pem")).unwrap();
    signer.sign_statement(statement).unwrap()
}

/// Tiny-BERT inputs whose base is signed with testdata's key and checked
/// against `verify_key`.
fn signed_inputs(verify_key: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tiny_bert::write_base(&dir.path().join("base"), true);
    std::fs::write(dir.path().join("data.csv"), tiny_bert::sentences(48)).unwrap();
    sign_dir(
        &dir.path().join("base"),
        &dir.path().join("base.sig"),
        sign_keyed,
    );
    std::fs::copy(verify_key, dir.path().join("base.pub")).unwrap();
    tiny_bert::job(
        dir.path(),
        "",
        "signature = \"base.sig\"\nkey = \"base.pub\"",
    );
    dir
}

fn build(inputs: &Path, out: &Path) -> std::process::Output {
    cli(&[
        "build".as_ref(),
        inputs.join("job.toml").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--key".as_ref(),
        testdata_key("key.pem").as_os_str(),
        "-q".as_ref(),
    ])
}

/// The build fails with exit 7, says `why`, and leaves no output at all.
fn refused(inputs: &Path, why: &str) {
    let out = inputs.join("out");
    let o = build(inputs, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 7, "{stderr}");
    assert!(stderr.contains(why), "{stderr}");
    assert!(!out.exists(), "a refused build left {}", out.display());
}

#[test]
fn a_base_model_signature_that_does_not_verify_stops_the_build_and_signs_nothing() {
    // Signed by testdata's key, checked against another key.
    let other = tempfile::tempdir().unwrap();
    let signer = slsa_aibom_sign::Signer::ephemeral().unwrap();
    std::fs::write(other.path().join("k.pub"), signer.public_key_pem().unwrap()).unwrap();
    let inputs = signed_inputs(&other.path().join("k.pub"));
    refused(inputs.path(), "its model signature does not verify");

    // The right key, but a file changed after signing.
    let inputs = signed_inputs(&testdata_key("key.pub"));
    let vocab = inputs.path().join("base/vocab.txt");
    let mut text = std::fs::read_to_string(&vocab).unwrap();
    text.push_str("extra\n");
    std::fs::write(&vocab, text).unwrap();
    refused(inputs.path(), "its model signature does not verify");

    // A signature over another directory.
    let inputs = signed_inputs(&testdata_key("key.pub"));
    std::fs::write(inputs.path().join("base/added.txt"), "x").unwrap();
    refused(inputs.path(), "its model signature does not verify");
}

#[test]
fn a_changed_base_model_file_is_caught_by_its_pins() {
    let inputs = tiny_bert::inputs("");
    edit(
        &inputs.path().join("base/tokenizer.json"),
        "\"lowercase\": true",
        "\"lowercase\": false",
    );
    refused(inputs.path(), "the job pins");

    // A per-file pin names the file.
    let inputs = tiny_bert::inputs("");
    let job = inputs.path().join("job.toml");
    let weights = sha256(&inputs.path().join("base/model.safetensors"));
    let pinned = std::fs::read_to_string(&job).unwrap();
    let pinned = pinned.replace(
        "\n[training]",
        &format!("files = {{ \"model.safetensors\" = \"{weights}\", \"config.json\" = \"{}\" }}\n\n[training]", "0".repeat(64)),
    );
    let pinned = regex_free_drop_manifest(&pinned);
    std::fs::write(&job, pinned).unwrap();
    refused(inputs.path(), "config.json has sha256");

    // No signature and no pins: refused before anything is read.
    let inputs = tiny_bert::inputs("");
    let job = inputs.path().join("job.toml");
    std::fs::write(
        &job,
        regex_free_drop_manifest(&std::fs::read_to_string(&job).unwrap()),
    )
    .unwrap();
    let o = build(inputs.path(), &inputs.path().join("out"));
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("an unverified base model is refused"));
}

/// The job text without its `manifest_sha256` line.
fn regex_free_drop_manifest(job: &str) -> String {
    job.lines()
        .filter(|l| !l.starts_with("manifest_sha256"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The provenance's `base-model:base` dependency.
fn base_dependency(provenance: &Value) -> &Value {
    provenance["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "base-model:base")
        .expect("base-model dependency")
}

fn statement(bundle: &Path) -> Value {
    slsa_aibom_builder::output_check::bundle_statement(bundle).unwrap()
}

#[test]
fn the_lineage_shows_in_the_provenance_ml_bom_passport_and_policy() {
    let inputs = signed_inputs(&testdata_key("key.pub"));
    let out = inputs.path().join("out");
    let o = build(inputs.path(), &out);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = tiny_bert::manifest_sha256(&inputs.path().join("base"));

    let provenance = statement(&out.join("attestations/provenance.sigstore.json"));
    let base = base_dependency(&provenance);
    assert_eq!(base["digest"]["sha256"], manifest.as_str());
    assert_eq!(base["annotations"]["verifiedBy"], "model signature (keyed)");
    let key_digest = sha256(&inputs.path().join("base.pub"));
    assert_eq!(
        base["annotations"]["signer"],
        format!("key sha256:{key_digest}")
    );
    assert_eq!(
        base["annotations"]["files"]["model.safetensors"],
        sha256(&inputs.path().join("base/model.safetensors"))
    );
    let tokenization =
        &provenance["predicate"]["buildDefinition"]["internalParameters"]["tokenization"];
    assert_eq!(tokenization["max_length"], 12);
    assert_eq!(tokenization["truncation"], true);
    assert_eq!(tokenization["padding"], "longest");

    let bom: Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let model = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "machine-learning-model")
        .unwrap();
    let ancestor = &model["pedigree"]["ancestors"][0];
    assert_eq!(ancestor["hashes"][0]["content"], manifest.as_str());
    assert_eq!(ancestor["name"], "tiny-bert");

    let report = slsa_aibom_verify::release::verify_release(
        &slsa_aibom_verify::Policy {
            anchor: slsa_aibom_verify::TrustAnchor::public_key(
                slsa_aibom_verify::PublicKey::from_file(&out.join("key.pub")).unwrap(),
            ),
            ..Default::default()
        },
        &slsa_aibom_verify::release::rules::ValidReleasePolicy::none(),
        None,
        &release_of(&out),
    );
    assert!(report.verified(), "{:?}", report.failure());
    let passport = report.passport().unwrap().to_string();
    assert!(passport.contains("What was it derived from?"), "{passport}");
    assert!(
        passport.contains("checked by model signature (keyed)"),
        "{passport}"
    );
    assert!(passport.contains(&manifest[..16]), "{passport}");
}

fn keyed_policy(out: &Path) -> slsa_aibom_verify::Policy {
    slsa_aibom_verify::Policy {
        anchor: slsa_aibom_verify::TrustAnchor::public_key(
            slsa_aibom_verify::PublicKey::from_file(&out.join("key.pub")).unwrap(),
        ),
        ..Default::default()
    }
}

/// The release in `out` judged under the policy file `rules`: the failure
/// message, if any.
fn judged(out: &Path, rules: &str) -> Option<String> {
    let rules = slsa_aibom_verify::release::rules::ValidReleasePolicy::from_toml(rules).unwrap();
    let report = slsa_aibom_verify::release::verify_release(
        &keyed_policy(out),
        &rules,
        None,
        &release_of(out),
    );
    let failed: Vec<String> = report
        .checks()
        .iter()
        .filter(|c| c.status() == slsa_aibom_verify::Status::Fail)
        .map(|c| c.id().name().to_string())
        .collect();
    report
        .failure()
        .map(|f| format!("{}: {}", failed.join(","), f.message()))
}

#[test]
fn the_lineage_policy_judges_how_the_base_model_was_verified() {
    let signed = signed_inputs(&testdata_key("key.pub"));
    let signed_out = signed.path().join("out");
    assert_eq!(code(&build(signed.path(), &signed_out)), 0);
    let pinned = tiny_bert::inputs("");
    let pinned_out = pinned.path().join("out");
    assert_eq!(code(&build(pinned.path(), &pinned_out)), 0);
    let manifest = tiny_bert::manifest_sha256(&pinned.path().join("base"));
    let key = format!("key sha256:{}", sha256(&signed.path().join("base.pub")));

    let require = "version = 1\n[lineage]\nrequire_signature = true\n";
    assert_eq!(judged(&signed_out, require), None);
    let why = judged(&pinned_out, require).expect("pinned-only base passed require_signature");
    assert!(why.starts_with("policy.lineage"), "{why}");
    assert!(why.contains("pinned digest, no signature"), "{why}");

    let by_digest = format!("version = 1\n[lineage]\napproved = [\"sha256:{manifest}\"]\n");
    assert_eq!(judged(&pinned_out, &by_digest), None);
    let other = format!(
        "version = 1\n[lineage]\napproved = [\"sha256:{}\"]\n",
        "a".repeat(64)
    );
    let why = judged(&pinned_out, &other).expect("an unapproved base passed");
    assert!(
        why.contains("neither an approved digest nor from an allowed signer"),
        "{why}"
    );

    let by_signer = format!("version = 1\n[lineage]\nsigners = [\"{key}\"]\n");
    assert_eq!(judged(&signed_out, &by_signer), None);
    // A pinned base has no signer, whatever the list says.
    assert!(judged(&pinned_out, &by_signer).is_some());
    // A model trained from scratch records no base model: a lineage rule
    // is a requirement it does not meet (it was once skipped).
    let scratch = example(1);
    let scratch_out = scratch.path().join("out");
    build_into(scratch.path(), &scratch_out);
    let why = judged(&scratch_out, require).unwrap();
    assert!(why.contains("records no base model"), "{why}");
}

#[test]
fn inventory_follows_a_fine_tuned_model_back_through_its_bases() {
    // A parent fine-tuned from the tiny base, and a child fine-tuned from
    // the parent's model directory, both signed with one key.
    let parent = tiny_bert::inputs("");
    let parent_out = parent.path().join("out");
    assert_eq!(code(&build(parent.path(), &parent_out)), 0);
    let child = tempfile::tempdir().unwrap();
    copy_tree(&parent_out.join("model"), &child.path().join("base"));
    std::fs::write(child.path().join("data.csv"), tiny_bert::sentences(48)).unwrap();
    let pin = tiny_bert::manifest_sha256(&child.path().join("base"));
    tiny_bert::job(child.path(), "", &format!("manifest_sha256 = \"{pin}\""));
    edit(
        &child.path().join("job.toml"),
        "name = \"tiny-sentiment\"",
        "name = \"tiny-sentiment-child\"",
    );
    let child_out = child.path().join("out");
    let o = build(child.path(), &child_out);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));

    let inventory = slsa_aibom_verify::inventory::Inventory::build(
        &keyed_policy(&parent_out),
        &[parent_out.clone(), child_out.clone()],
        Some(2),
    )
    .unwrap();
    assert!(
        inventory.rejected().is_empty(),
        "{:?}",
        inventory.rejected()
    );
    let chain = inventory.lineage("tiny-sentiment-child@0.1.0").unwrap();
    let names: Vec<&str> = chain.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["tiny-sentiment-child@0.1.0", "tiny-sentiment@0.1.0"]
    );
    assert_eq!(chain[0].base_model.as_deref(), Some(pin.as_str()));
    assert_eq!(
        chain[0].base_model_verified_by.as_deref(),
        Some("pinned digest, no signature")
    );
    // The parent's own base has no attestation here: the chain stops there.
    let root = tiny_bert::manifest_sha256(&parent.path().join("base"));
    assert_eq!(chain[1].base_model.as_deref(), Some(root.as_str()));
}

#[test]
fn vectors_a_fine_tuned_model_ml_bom_is_valid_cyclonedx_1_6() {
    let v = crate::vectors_cyclonedx_schema::validator();
    let inputs = signed_inputs(&testdata_key("key.pub"));
    let out = inputs.path().join("out");
    assert_eq!(code(&build(inputs.path(), &out)), 0);
    let bom: Value =
        serde_json::from_slice(&std::fs::read(out.join("aibom.cdx.json")).unwrap()).unwrap();
    let errors = crate::vectors_cyclonedx_schema::schema_errors(&v, &bom);
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    let mut broken = bom.clone();
    let models = broken["components"].as_array_mut().unwrap();
    let model = models
        .iter_mut()
        .find(|c| c["type"] == "machine-learning-model")
        .unwrap();
    model["pedigree"]["ancestors"][0]["hashes"][0]["alg"] = "SHA-999".into();
    assert!(
        !v.is_valid(&broken),
        "the schema accepted a broken pedigree"
    );
}

#[test]
fn a_keyless_base_model_signature_is_held_to_its_identity_and_issuer() {
    let sigstore = Sigstore::start(fake_sigstore::sample_claims());
    let dir = tempfile::tempdir().unwrap();
    tiny_bert::write_base(&dir.path().join("base"), false);
    std::fs::write(dir.path().join("data.csv"), tiny_bert::sentences(48)).unwrap();
    std::fs::copy(sigstore.trusted_root(), dir.path().join("root.json")).unwrap();
    let services = slsa_aibom_sign::Services {
        fulcio: sigstore.fake.fulcio_url(),
        rekor: sigstore.fake.rekor_url(),
        tsa: sigstore.fake.tsa_url(),
    };
    let token = sigstore.fake.token().unwrap();
    // The signature inside the directory, where model-signing puts it.
    sign_dir(
        &dir.path().join("base"),
        &dir.path().join("base/model.sig"),
        |statement| {
            slsa_aibom_sign::KeylessSigner::from_token(
                services.clone(),
                slsa_aibom_sign::Transparency::Rekor,
                &token,
            )
            .unwrap()
            .sign_statement(statement)
            .unwrap()
        },
    );
    let job = |identity: &str| {
        tiny_bert::job(
            dir.path(),
            "",
            &format!(
                "signature = \"base/model.sig\"\nidentity = \"{identity}\"\nissuer = \"{}\"\ntrusted_root = \"root.json\"",
                fake_sigstore::GITHUB_ISSUER
            ),
        )
    };
    job(&format!("{BUILDER_ID}-other"));
    refused(dir.path(), "its model signature does not verify");

    job(BUILDER_ID);
    let out = dir.path().join("out");
    let o = build(dir.path(), &out);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let provenance = statement(&out.join("attestations/provenance.sigstore.json"));
    let base = base_dependency(&provenance);
    assert_eq!(
        base["annotations"]["verifiedBy"],
        "model signature (keyless)"
    );
    assert_eq!(
        base["annotations"]["signer"],
        format!("{BUILDER_ID} (issuer {})", fake_sigstore::GITHUB_ISSUER)
    );
    // The signature inside the directory is not part of the base's manifest.
    let files = base["annotations"]["files"].as_object().unwrap();
    assert!(!files.contains_key("model.sig"), "{files:?}");
    let by_signer =
        format!("version = 1\n[lineage]\nsigners = [\"{BUILDER_ID}\"]\nrequire_signature = true\n");
    assert_eq!(judged(&out, &by_signer), None);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_base_model_directory_is_refused_without_blocking() {
    let inputs = tiny_bert::inputs("");
    let made = std::process::Command::new("mkfifo")
        .arg(inputs.path().join("base/extra.bin"))
        .status()
        .unwrap();
    assert!(made.success());
    refused(
        inputs.path(),
        "extra.bin is not a regular file or directory (a FIFO)",
    );
}

/// Review item 29.3: in the workflow, the signing job verifies the base
/// model's signature itself (the copy detect embedded in the definition)
/// over the manifest the record names, and the passport labels the lineage
/// as the signing job's word. A runner that recorded another base, another
/// signer or no base at all is refused before anything is signed.
#[test]
fn the_signing_job_re_verifies_the_base_model_signature() {
    use crate::keyless::{attest_in_workflow, edit_json, gh_job, workflow_jobs, HOSTED, SHA};
    use slsa_aibom_builder::definition::BuildDefinition;
    let inputs = signed_inputs(&testdata_key("key.pub"));
    let job = inputs.path().join("job.toml");
    let workflow_inputs = serde_json::json!({
        "job": "job.toml", "train-runs-on": "[\"ubuntu-latest\"]", "device": "", "gpu-runner-label": "",
        "expected-digests": "", "upload-attestations": false, "public-transparency-log": "true",
        "publish-release": false, "release-tag": "",
    });
    let def = BuildDefinition::detect_in_workflow(
        &job,
        None,
        Some(&workflow_inputs.to_string()),
        Some(SHA),
    )
    .unwrap();
    let evidence = def
        .lineage
        .as_ref()
        .expect("detect embeds the base model's signature");
    assert!(evidence.key.is_some());
    let def_path = inputs.path().join("build-definition.json");
    std::fs::write(&def_path, serde_json::to_vec_pretty(&def).unwrap()).unwrap();
    let clean = inputs.path().join("trained");
    let mut train = std::process::Command::new(env!("CARGO_BIN_EXE_slsa-aibom-build"));
    train
        .arg("train")
        .arg("--definition")
        .arg(&def_path)
        .arg("--out")
        .arg(&clean)
        .arg("-q");
    let o = github_env(&mut train).output().unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let attest = |tamper: &dyn Fn(&Path)| {
        let sigstore = Sigstore::start(fake_sigstore::sample_claims());
        workflow_jobs(
            &sigstore,
            gh_job(102, "build / train", HOSTED, &["ubuntu-latest"]),
        );
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        copy_tree(&clean, &out);
        tamper(&out);
        let o = attest_in_workflow(&sigstore, &out, &def_path, &["--train-job-id", "102"], &[]);
        (o, dir, out, sigstore)
    };
    let (o, _dir, out, sigstore) = attest(&|_| {});
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let provenance = statement(&out.join("attestations/provenance.sigstore.json"));
    let base = base_dependency(&provenance);
    assert_eq!(base["annotations"]["checkedBy"], "signing job", "{base}");
    // The passport says so, for the builder the policy pins.
    let policy = slsa_aibom_verify::Policy {
        anchor: slsa_aibom_verify::TrustAnchor::Sigstore(
            slsa_aibom_verify::TrustRoot::from_file(&sigstore.trusted_root()).unwrap(),
        ),
        identity: Some(slsa_aibom_verify::SanMatcher::Exact(BUILDER_ID.into())),
        ..slsa_aibom_verify::Policy::default()
    };
    let rules = slsa_aibom_verify::release::rules::ReleasePolicy {
        version: 1,
        ..Default::default()
    }
    .validate()
    .unwrap();
    let report =
        slsa_aibom_verify::release::verify_release(&policy, &rules, None, &release_of(&out));
    assert!(report.verified(), "{:?}", report.failure());
    let derived = report
        .passport()
        .unwrap()
        .answer("What was it derived from")
        .unwrap();
    assert_eq!(
        derived.basis,
        slsa_aibom_verify::release::passport::Basis::SigningJob
    );
    assert!(
        derived.answer.contains("re-verified by the signing job"),
        "{}",
        derived.answer
    );
    // Named as the job names it, not by its folder (issue 33, item 9).
    assert!(
        derived
            .answer
            .starts_with("tiny-bert (the job's name for it), directory "),
        "{}",
        derived.answer
    );

    // The runner recorded another manifest (it fine-tuned another base).
    let other = "cd".repeat(32);
    type Tamper = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "attest.base-model.signature",
            Box::new(move |out: &Path| {
                edit_json(&out.join("build-record.json"), |r| {
                    r["pretrained"]["manifest_sha256"] = serde_json::json!(other.clone())
                })
            }),
        ),
        (
            "attest.base-model.signature",
            Box::new(|out: &Path| {
                edit_json(&out.join("build-record.json"), |r| {
                    r["pretrained"]["verification"]["signer"] = serde_json::json!("key sha256:00")
                })
            }),
        ),
        (
            "attest.base-model",
            Box::new(|out: &Path| {
                edit_json(&out.join("build-record.json"), |r| {
                    r.as_object_mut().unwrap().remove("pretrained");
                })
            }),
        ),
    ];
    for (check, tamper) in cases {
        let (o, _dir, out, _sigstore) = attest(&*tamper);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_ne!(code(&o), 0, "{check}: signed");
        assert!(err.contains(check), "{check}: {err}");
        assert!(!out.join("model.sig").exists(), "{check}: signed");
    }
}
