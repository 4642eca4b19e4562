//! `[run.environment]`: the command's Python dependencies, from a lock
//! whose every requirement is pinned by hash. In a setup phase before the
//! command, confined like it, our binary makes a virtual environment in the
//! working directory and has pip install the lock with `--require-hashes`
//! (a package missing from the lock, or a file whose hash differs, fails
//! pip) and `--only-binary :all:` (no package's build script runs). The
//! lock's digest and every installed distribution (name, version, purl)
//! go into the record.

use super::phase::Phase;
use super::sandbox::{Confinement, IsolationRecord};
use super::spec::{EnvironmentSpec, Network};
use super::workdir::HashedFile;
use crate::error::{BuildError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The environment's folder inside the working directory.
pub const VENV: &str = ".venv";

/// What the setup phase made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonEnvironment {
    /// The interpreter the job named.
    pub python: String,
    /// The lock, as copied into the working directory.
    pub requirements: HashedFile,
    /// The folder of wheels installed from, when not the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find_links: Option<String>,
    /// Every distribution in the environment afterwards, sorted by name.
    pub packages: Vec<Package>,
    /// Seconds the setup phase took.
    pub setup_seconds: f64,
    /// Seconds removing the environment took, once the command had run
    /// (as long as a few seconds for PyTorch's 7 GB).
    #[serde(default)]
    pub teardown_seconds: f64,
    /// How pip was confined.
    pub setup_isolation: IsolationRecord,
}

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Its normalised name (PEP 503).
    pub name: String,
    /// Its version.
    pub version: String,
    /// `pkg:pypi/NAME@VERSION`.
    pub purl: String,
}

/// Refuse a lock that would let pip choose: every requirement must be
/// pinned with `==` and carry at least one `--hash`; options (`-r`, `-e`,
/// `--index-url`...) and direct references are refused, since the job says
/// where packages come from.
pub fn check_lock(text: &str) -> std::result::Result<usize, String> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut count = 0;
    for (n, raw) in joined.lines().enumerate() {
        let line = match raw.find(" #") {
            Some(i) => &raw[..i],
            None => raw,
        }
        .trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let shown = slsa_aibom_verify::display::one_line(line);
        if line.starts_with('-') {
            return Err(format!(
                "entry {}: `{shown}` is an option; a lock holds pinned requirements only",
                n + 1
            ));
        }
        let (requirement, hashes) = line.split_once("--hash").ok_or_else(|| {
            format!("entry {}: `{shown}` has no --hash; every requirement needs one (pip-compile --generate-hashes)", n + 1)
        })?;
        if !requirement.contains("==") || requirement.contains(" @ ") || requirement.contains("://")
        {
            return Err(format!("entry {}: `{shown}` is not pinned with ==", n + 1));
        }
        let hashes = format!("--hash{hashes}");
        let ok = hashes.split_whitespace().all(|t| {
            t.strip_prefix("--hash=")
                .and_then(|h| h.split_once(':'))
                .is_some_and(|(alg, hex)| {
                    matches!(alg, "sha256" | "sha384" | "sha512")
                        && !hex.is_empty()
                        && hex.bytes().all(|b| b.is_ascii_hexdigit())
                })
        });
        if !ok {
            return Err(format!(
                "entry {}: `{shown}`: write each hash as --hash=sha256:HEX",
                n + 1
            ));
        }
        count += 1;
    }
    if count == 0 {
        return Err("the lock names no requirement".into());
    }
    Ok(count)
}

/// The setup phase: check the lock, make the environment, install it.
/// `base` is the job file's directory, `phase` the command's phase (its
/// confinement is widened to the wheels folder and, without one, to the
/// network for pip alone).
pub fn set_up(
    spec: &EnvironmentSpec,
    base: &Path,
    work: &Path,
    phase: &Phase<'_>,
) -> Result<PythonEnvironment> {
    let started = std::time::Instant::now();
    let lock_path = base.join(&spec.requirements);
    let text =
        crate::error::read_text_file(&lock_path, slsa_aibom_verify::bounded_read::SMALL_LIMIT)?;
    check_lock(&text).map_err(|e| {
        BuildError::Spec(format!(
            "run.environment.requirements ({}): {e}; nothing was run",
            spec.requirements.display()
        ))
    })?;
    let lock_copy = work.join(".requirements.lock");
    crate::written::write(&lock_copy, text.as_bytes())?;
    let requirements = HashedFile {
        path: spec.requirements.display().to_string(),
        sha256: crate::error::sha256_hex(&lock_copy)?,
        size: text.len() as u64,
    };
    let venv = work.join(VENV);
    let s = |p: &Path| p.display().to_string();
    phase.run(
        "the setup phase (making the virtual environment)",
        &[spec.python.clone(), "-m".into(), "venv".into(), s(&venv)],
    )?;
    let links = spec
        .find_links
        .as_ref()
        .map(|l| {
            let p = base.join(l);
            p.canonicalize().map_err(|e| BuildError::io(&p, e))
        })
        .transpose()?;
    // pip's own options, one string so that they read as pip's.
    const INSTALL: &str = "-m pip install --require-hashes --only-binary :all: --no-input --disable-pip-version-check --no-cache-dir";
    let mut pip: Vec<String> = INSTALL.split(' ').map(str::to_string).collect();
    pip.insert(0, s(&venv.join("bin/python")));
    let mut confinement = Confinement {
        read_only: phase.confinement.read_only.clone(),
        read_write: phase.confinement.read_write.clone(),
        network: Network::Allowed,
    };
    if let Some(links) = &links {
        pip.extend(["--no-index".into(), "--find-links".into(), s(links)]);
        confinement.read_only.push(links.clone());
        confinement.network = Network::None;
    }
    pip.extend(["-r".into(), s(&lock_copy)]);
    let pip_phase = Phase {
        confinement: &confinement,
        ..*phase
    };
    let finished = pip_phase.run("the setup phase (pip install --require-hashes)", &pip)?;
    Ok(PythonEnvironment {
        python: spec.python.clone(),
        requirements,
        find_links: spec.find_links.as_ref().map(|l| l.display().to_string()),
        packages: installed(&venv)?,
        setup_seconds: started.elapsed().as_secs_f64(),
        teardown_seconds: 0.0,
        setup_isolation: finished.isolation,
    })
}

/// Remove the environment from the working directory `work` once the
/// command has run, and record how long that took.
pub fn tear_down(work: &Path, environment: &mut PythonEnvironment) -> Result<()> {
    let started = std::time::Instant::now();
    let venv = work.join(VENV);
    std::fs::remove_dir_all(&venv).map_err(|e| BuildError::io(&venv, e))?;
    environment.teardown_seconds = started.elapsed().as_secs_f64();
    Ok(())
}

/// The distributions in a virtual environment, from their `.dist-info`
/// metadata.
fn installed(venv: &Path) -> Result<Vec<Package>> {
    let lib = venv.join("lib");
    let mut packages = Vec::new();
    for site in read_dir(&lib)? {
        let site_packages = site.join("site-packages");
        if !site_packages.is_dir() {
            continue;
        }
        for info in read_dir(&site_packages)? {
            let is_info = info
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".dist-info"));
            if is_info {
                packages.push(package(&info.join("METADATA"))?);
            }
        }
    }
    packages.sort();
    Ok(packages)
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::read_dir(dir)
        .map_err(|e| BuildError::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| BuildError::io(dir, e)))
        .collect()
}

/// A distribution's name and version from its core metadata's header.
fn package(metadata: &Path) -> Result<Package> {
    let text =
        crate::error::read_text_file(metadata, slsa_aibom_verify::bounded_read::SMALL_LIMIT)?;
    let header = text.split("\n\n").next().unwrap_or_default();
    let field = |name: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim))
            .filter(|v| !v.is_empty() && !v.chars().any(slsa_aibom_verify::display::is_unsafe))
            .map(str::to_string)
            .ok_or_else(|| {
                BuildError::Train(format!(
                    "{} has no usable {}; the environment cannot be recorded",
                    metadata.display(),
                    name.trim_end_matches(':')
                ))
            })
    };
    let name = normalise(&field("Name:")?);
    let version = field("Version:")?;
    Ok(Package {
        purl: format!("pkg:pypi/{name}@{version}"),
        name,
        version,
    })
}

/// PEP 503: lowercase, runs of `-`, `_` and `.` as one `-`.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str =
        "--hash=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_pinned_lock_with_hashes_is_accepted() {
        let lock = format!("# comment\nnumpy==2.1.0 \\\n    {HASH} \\\n    {HASH}\nscikit-learn==1.5.2 ; python_version >= \"3.9\" {HASH}  # why\n");
        assert_eq!(check_lock(&lock), Ok(2));
    }

    #[test]
    fn a_lock_that_lets_pip_choose_is_refused() {
        for (lock, want) in [
            ("numpy==2.1.0\n".to_string(), "has no --hash"),
            (format!("numpy>=2 {HASH}\n"), "not pinned"),
            (
                format!("numpy @ https://x/numpy.whl {HASH}\n"),
                "not pinned",
            ),
            (format!("-e . {HASH}\n"), "is an option"),
            (
                format!("--extra-index-url https://evil\nnumpy==2 {HASH}\n"),
                "is an option",
            ),
            ("numpy==2 --hash=md5:abc\n".to_string(), "--hash=sha256:HEX"),
            ("numpy==2 --hash=sha256:\n".to_string(), "--hash=sha256:HEX"),
            ("# nothing\n".to_string(), "names no requirement"),
        ] {
            let e = check_lock(&lock).unwrap_err();
            assert!(e.contains(want), "{lock}: {e}");
        }
    }

    #[test]
    fn names_are_normalised_as_pep_503_says() {
        assert_eq!(normalise("Scikit_Learn"), "scikit-learn");
        assert_eq!(normalise("zope.interface"), "zope-interface");
        assert_eq!(normalise("a__-.b"), "a-b");
    }
}
