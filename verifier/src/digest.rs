//! Artifact digests: parsing `ALG:HEX`, hashing files, comparing with subjects.

use crate::error::{Error, Result};
use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;
use std::io::Read;
use std::path::Path;

/// A digest as written in in-toto subjects: an algorithm name and a value.
///
/// `sha256` and `sha512` values are lower-case hex and are what files are hashed
/// with. Other algorithm names (for example `gce_image_id`) are compared as
/// opaque strings, as the in-toto `DigestSet` allows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    /// Algorithm name, lower-case (`sha256`, `sha512`, ...).
    pub algorithm: String,
    /// The value: lower-case hex for sha256/sha512.
    pub value: String,
}

impl Digest {
    /// Parse `ALG:VALUE`. sha256 and sha512 values must be hex of the right length.
    pub fn parse(s: &str) -> Result<Self> {
        let (alg, value) = s
            .split_once(':')
            .ok_or_else(|| Error::Input(format!("digest {s:?} is not of the form ALG:VALUE")))?;
        let algorithm = alg.to_ascii_lowercase();
        if algorithm.is_empty() || value.is_empty() {
            return Err(Error::Input(format!(
                "digest {s:?} has an empty algorithm or value"
            )));
        }
        let expected_len = match algorithm.as_str() {
            "sha256" => Some(64),
            "sha512" => Some(128),
            _ => None,
        };
        let value = match expected_len {
            Some(len) => {
                if value.len() != len || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error::Input(format!(
                        "{algorithm} digest must be {len} hex characters, got {value:?}"
                    )));
                }
                value.to_ascii_lowercase()
            }
            None => value.to_string(),
        };
        Ok(Digest { algorithm, value })
    }

    /// A sha256 digest from raw bytes.
    pub fn sha256(raw: &[u8]) -> Self {
        Digest {
            algorithm: "sha256".into(),
            value: hex::encode(raw),
        }
    }

    /// The raw bytes of a sha256/sha512 value.
    pub fn raw(&self) -> Option<Vec<u8>> {
        matches!(self.algorithm.as_str(), "sha256" | "sha512")
            .then(|| hex::decode(&self.value).ok())
            .flatten()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.value)
    }
}

/// sha256 and sha512 of a file, computed in one streaming pass.
pub fn hash_file(path: &Path) -> Result<[Digest; 2]> {
    let mut file = crate::bounded_read::open_regular(path, "artifact")?;
    let mut s256 = Sha256::new();
    let mut s512 = Sha512::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        s256.update(&buf[..n]);
        s512.update(&buf[..n]);
    }
    Ok([
        Digest::sha256(&s256.finalize()),
        Digest {
            algorithm: "sha512".into(),
            value: hex::encode(s512.finalize()),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let d = Digest::parse(&format!("SHA256:{}", "AB".repeat(32))).unwrap();
        assert_eq!(d.algorithm, "sha256");
        assert_eq!(d.value, "ab".repeat(32));
        assert_eq!(Digest::parse("gce_image_id:123").unwrap().value, "123");
    }

    #[test]
    fn rejects_bad_digests() {
        for bad in [
            "sha256",
            "sha256:",
            ":abc",
            "sha256:abc",
            &format!("sha512:{}", "z".repeat(128)),
        ] {
            assert!(matches!(Digest::parse(bad), Err(Error::Input(_))), "{bad}");
        }
    }

    #[test]
    fn hashes_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        let [d256, d512] = hash_file(&p).unwrap();
        assert_eq!(
            d256.value,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(d512.value.starts_with("ddaf35a193617aba"));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sha256_digests_normalise_to_lower_case(raw in proptest::collection::vec(any::<u8>(), 32), upper: bool) {
            let hex = hex::encode(&raw);
            let text = if upper { format!("SHA256:{}", hex.to_uppercase()) } else { format!("sha256:{hex}") };
            let d = Digest::parse(&text).unwrap();
            prop_assert_eq!(d.algorithm.as_str(), "sha256");
            prop_assert_eq!(&d.value, &hex);
            prop_assert_eq!(d, Digest::sha256(&raw));
        }

        #[test]
        fn malformed_sha256_digests_are_refused(len in 0usize..100, c in "[g-z ]") {
            prop_assume!(len != 64);
            let short = format!("sha256:{}", "a".repeat(len));
            let not_hex = format!("sha256:{}{}", "a".repeat(63), c);
            prop_assert!(Digest::parse(&short).is_err());
            prop_assert!(Digest::parse(&not_hex).is_err());
        }
    }
}
