//! in-toto names: the Statement type, its DSSE payload type, and the
//! predicate types of a release's three signed documents.

/// The DSSE payload type of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The in-toto Statement v1 `_type`.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// The in-toto Statement v0.1 `_type` (still written by older SLSA generators).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

/// SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// An OpenSSF model signature (model_signing v1.0).
pub const MODEL_SIGNING_V1: &str = "https://model_signing/signature/v1.0";

/// A CycloneDX BOM statement.
pub const CYCLONEDX_PREDICATE: &str = "https://cyclonedx.org/bom";
