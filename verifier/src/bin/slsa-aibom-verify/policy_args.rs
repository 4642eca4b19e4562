//! The signer and trust flags shared by `verify-bundle` and `model`.

use clap::Args;
use slsa_aibom_verify::bounded_read;
use slsa_aibom_verify::evidence::trust_cache::{cached_or_embedded, TrustCache};
use slsa_aibom_verify::{Error, Instance, Policy, PublicKey, SanMatcher, TrustAnchor, TrustRoot};
use slsa_aibom_verify::{Setting, SettingNames};
use std::path::PathBuf;

/// How this CLI names each setting in messages: by its flag.
pub const FLAGS: SettingNames = SettingNames(flag);

fn flag(setting: Setting) -> &'static str {
    match setting {
        Setting::ExpectedSigner => {
            "--certificate-identity (or -regexp), --source-repo, --repo or --owner"
        }
        Setting::Key => "--key",
        Setting::CertificateChain => "--certificate-chain",
        Setting::TrustedRoot => "--trusted-root",
        Setting::BuilderId => "--builder-id",
        Setting::Policy => "--policy FILE",
        Setting::BuilderPin => {
            "--certificate-identity https://github.com/OWNER/slsa-aibom/.github/workflows/builder.yml@REF (or [builder] workflow and tags or commits in --policy FILE)"
        }
        Setting::RunnerRules => {
            "--deny-self-hosted-training, --allowed-runner-group and --require-runner-label (or [runner] in --policy FILE)"
        }
    }
}

/// Who must have signed, under which trust root. Each flag given overrides
/// the same setting of a policy file.
#[derive(Args)]
pub struct PolicyArgs {
    /// Expected certificate SAN, exact. A workflow may be pinned by tag
    /// (`...@refs/tags/v1`) or by commit (`...@<40-hex sha>`).
    #[arg(long, conflicts_with = "certificate_identity_regexp")]
    certificate_identity: Option<String>,
    /// Expected certificate SAN as a regular expression, anchored at both ends.
    #[arg(long)]
    certificate_identity_regexp: Option<String>,
    /// Expected OIDC issuer (exact).
    #[arg(long)]
    certificate_oidc_issuer: Option<String>,
    /// Trusted root JSON (custom, air-gapped or staging instance).
    #[arg(long, conflicts_with = "instance")]
    trusted_root: Option<PathBuf>,
    /// Embedded trusted root to use: public-good (default), github or staging.
    /// A fresher root from `trust update`'s cache replaces it, unless
    /// --offline.
    #[arg(long)]
    instance: Option<String>,
    /// Use the embedded trusted root (or --trusted-root) only, never the
    /// cache that `trust update` keeps.
    #[arg(long)]
    offline: bool,
    /// The cache `trust update` wrote [default: $SLSA_AIBOM_CACHE, else
    /// $XDG_CACHE_HOME/slsa-aibom/trust, else ~/.cache/slsa-aibom/trust].
    #[arg(long, conflicts_with = "offline")]
    trust_cache: Option<PathBuf>,
    /// PEM public key for keyed bundles and DSSE envelopes.
    #[arg(long)]
    key: Option<PathBuf>,
    /// PEM certificate of a private PKI to trust instead of Fulcio (repeatable).
    #[arg(long)]
    certificate_chain: Vec<PathBuf>,
    /// Expected source repository, from the certificate: https://HOST/OWNER/NAME
    /// (scheme and host compared; another host than GitHub needs
    /// --certificate-oidc-issuer), or OWNER/NAME on GitHub.
    #[arg(long)]
    source_repo: Option<String>,
    /// Expected source ref, e.g. refs/tags/v1, from the certificate.
    #[arg(long)]
    source_ref: Option<String>,
    /// Expected repository owner on GitHub, from the certificate; implies the
    /// GitHub Actions issuer unless --certificate-oidc-issuer says otherwise.
    #[arg(long)]
    owner: Option<String>,
    /// Expected repository as OWNER/NAME on GitHub (case-insensitive), from
    /// the certificate; implies the GitHub Actions issuer unless
    /// --certificate-oidc-issuer says otherwise.
    #[arg(long)]
    repo: Option<String>,
    /// Expected trigger event (push, release, workflow_dispatch...), from the certificate.
    #[arg(long)]
    trigger: Option<String>,
    /// Expected runner environment (github-hosted or self-hosted), from the certificate.
    #[arg(long)]
    runner_environment: Option<String>,
    /// Required in-toto predicate type. With --builder-id alone, SLSA
    /// provenance v1 or v0.2 (each with the builder ID it defines);
    /// otherwise any predicate is accepted.
    #[arg(long)]
    predicate_type: Option<String>,
    /// Required SLSA builder.id (checked for consistency with the certificate).
    #[arg(long)]
    builder_id: Option<String>,
    /// Refuse a model whose provenance records a self-hosted train runner
    /// (or records none). Needs our builder pinned exactly
    /// (--certificate-identity https://github.com/OWNER/slsa-aibom/.github/workflows/builder.yml@REF,
    /// or [builder] in --policy); without such a pin, a usage error.
    #[arg(long)]
    deny_self_hosted_training: bool,
    /// The recorded train runner's group must be this one (repeatable).
    #[arg(long)]
    allowed_runner_group: Vec<String>,
    /// The recorded train runner must carry this label (repeatable).
    #[arg(long)]
    require_runner_label: Vec<String>,
    /// Path inside a model directory to leave out, besides those the
    /// signature records (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore_paths: Vec<String>,
}

impl PolicyArgs {
    /// The embedded root of `instance`, or the fresher one `trust update`
    /// cached; a stale or invalid cache is said on standard error.
    fn fresh_root(&self, instance: Instance) -> TrustRoot {
        let cache = match &self.trust_cache {
            Some(dir) => Ok(TrustCache::at(dir)),
            None => TrustCache::per_user(),
        };
        let Ok(cache) = cache else {
            return TrustRoot::embedded(instance);
        };
        let (root, notes) = cached_or_embedded(&cache, instance, jiff::Timestamp::now());
        for note in notes {
            eprintln!(
                "warning: {}; run `slsa-aibom-verify trust update`",
                slsa_aibom_verify::display::one_line(&note)
            );
        }
        root
    }

    /// The flags given that change the rules rather than name trust material
    /// (a key, a trusted root or instance, a private PKI chain).
    pub fn rule_flags(&self) -> Vec<&'static str> {
        let given = [
            (
                "--certificate-identity",
                self.certificate_identity.is_some(),
            ),
            (
                "--certificate-identity-regexp",
                self.certificate_identity_regexp.is_some(),
            ),
            (
                "--certificate-oidc-issuer",
                self.certificate_oidc_issuer.is_some(),
            ),
            ("--source-repo", self.source_repo.is_some()),
            ("--source-ref", self.source_ref.is_some()),
            ("--owner", self.owner.is_some()),
            ("--repo", self.repo.is_some()),
            ("--trigger", self.trigger.is_some()),
            ("--runner-environment", self.runner_environment.is_some()),
            ("--predicate-type", self.predicate_type.is_some()),
            ("--builder-id", self.builder_id.is_some()),
            (
                "--deny-self-hosted-training",
                self.deny_self_hosted_training,
            ),
            (
                "--allowed-runner-group",
                !self.allowed_runner_group.is_empty(),
            ),
            (
                "--require-runner-label",
                !self.require_runner_label.is_empty(),
            ),
            ("--ignore-paths", !self.ignore_paths.is_empty()),
        ];
        given.iter().filter(|(_, g)| *g).map(|(f, _)| *f).collect()
    }

    /// `base` with every flag that was given applied over it.
    pub fn apply(&self, base: Policy) -> Result<Policy, Error> {
        let mut p = base;
        p.setting_names = FLAGS;
        match (&self.trusted_root, &self.instance) {
            (Some(path), _) => p.anchor = TrustAnchor::Sigstore(TrustRoot::from_file(path)?),
            (None, Some(name)) => {
                p.anchor = TrustAnchor::Sigstore(TrustRoot::embedded(Instance::parse(name)?))
            }
            (None, None) => {}
        }
        // A keyed or private-PKI verification uses no Sigstore root, so it
        // never reads the cache.
        let uses_sigstore_root = self.key.is_none() && self.certificate_chain.is_empty();
        if let TrustAnchor::Sigstore(root) = &p.anchor {
            match root.instance() {
                Some(instance) if !self.offline && uses_sigstore_root => {
                    p.anchor = TrustAnchor::Sigstore(self.fresh_root(instance))
                }
                _ => {}
            }
        }
        match (
            &self.certificate_identity,
            &self.certificate_identity_regexp,
        ) {
            (Some(s), _) => p.identity = Some(SanMatcher::Exact(s.clone())),
            (None, Some(re)) => p.identity = Some(SanMatcher::regex(re)?),
            (None, None) => {}
        }
        let set = |field: &mut Option<String>, flag: &Option<String>| {
            if flag.is_some() {
                field.clone_from(flag);
            }
        };
        set(&mut p.issuer, &self.certificate_oidc_issuer);
        set(&mut p.source_repo, &self.source_repo);
        set(&mut p.source_ref, &self.source_ref);
        set(&mut p.owner, &self.owner);
        set(&mut p.repo, &self.repo);
        set(&mut p.trigger, &self.trigger);
        set(&mut p.runner_environment, &self.runner_environment);
        set(&mut p.predicate_type, &self.predicate_type);
        set(&mut p.builder_id, &self.builder_id);
        p.runner.deny_self_hosted |= self.deny_self_hosted_training;
        if !self.allowed_runner_group.is_empty() {
            p.runner
                .allowed_groups
                .clone_from(&self.allowed_runner_group);
        }
        if !self.require_runner_label.is_empty() {
            p.runner
                .required_labels
                .clone_from(&self.require_runner_label);
        }
        p.ignore_paths.extend(self.ignore_paths.iter().cloned());
        if self.key.is_some() && !self.certificate_chain.is_empty() {
            return Err(Error::Input(
                "--key and --certificate-chain are mutually exclusive".into(),
            ));
        }
        if let Some(k) = &self.key {
            p.anchor = p.anchor.with_key(PublicKey::from_file(k)?);
        }
        if !self.certificate_chain.is_empty() {
            let mut chain = Vec::new();
            for path in &self.certificate_chain {
                let pem =
                    bounded_read::read_text(path, bounded_read::SMALL_LIMIT, "certificate chain")?;
                let der = sigstore_types::DerCertificate::from_pem(&pem).map_err(|e| {
                    Error::Input(format!("{} is not a PEM certificate: {e}", path.display()))
                })?;
                chain.push(der.as_bytes().to_vec());
            }
            p.anchor = TrustAnchor::CertificateChain(chain);
        }
        Ok(p)
    }
}
