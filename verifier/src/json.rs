//! The one JSON parser for security decisions. JSON leaves duplicate
//! object keys undefined: `serde_json` and Go keep one occurrence, Python's
//! `json` and `jq` the last. A bundle with two `dsseEnvelope` members, or a
//! provenance with two `builder` members, would be one document to us and
//! another to the next tool, so every document this crate (and the builder)
//! parses to decide anything goes through here, and a duplicate key at any
//! depth is refused. `builder/tests/architecture.rs` holds every other
//! `serde_json::from_str`/`from_slice`/`from_reader` out of library and
//! binary code.

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Parse `text` as `T`, refusing duplicate object keys at any depth.
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    check_unique_keys(text.as_bytes())?;
    serde_json::from_str(text)
}

/// Parse `bytes` as `T`, refusing duplicate object keys at any depth.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    check_unique_keys(bytes)?;
    serde_json::from_slice(bytes)
}

/// Whether `bytes` is one JSON document whose objects have unique keys.
/// The error names the first key found twice.
pub fn check_unique_keys(bytes: &[u8]) -> serde_json::Result<()> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    UniqueKeys.deserialize(&mut de)?;
    de.end()
}

/// A seed that walks a document, failing on a repeated key in an object.
#[derive(Clone, Copy)]
struct UniqueKeys;

impl<'de> DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key {:?} in a JSON object; a document with a repeated key is read differently by different tools, so it is refused",
                    crate::display::one_line(&key)
                )));
            }
            seen.insert(key);
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_duplicate_key_at_any_depth_is_refused() {
        for doc in [
            r#"{"a":1,"a":2}"#,
            r#"{"x":{"dsseEnvelope":{},"dsseEnvelope":{}}}"#,
            r#"[{"ok":1},{"k":[{"b":1,"b":1}]}]"#,
            r#"{"a\u0062":1,"ab":2}"#,
        ] {
            let e = from_str::<Value>(doc).unwrap_err();
            assert!(e.to_string().contains("duplicate key"), "{doc}: {e}");
        }
    }

    #[test]
    fn documents_with_unique_keys_parse_as_serde_json_reads_them() {
        let doc = r#"{"a":[1,2,{"a":null}],"b":{"a":"x","c":1.5e3},"a2":true}"#;
        let strict: Value = from_str(doc).unwrap();
        assert_eq!(strict, serde_json::from_str::<Value>(doc).unwrap());
        assert_eq!(from_slice::<Value>(doc.as_bytes()).unwrap(), strict);
        assert!(from_str::<Value>("{} {}").is_err(), "trailing document");
        assert!(from_str::<Value>("{").is_err());
    }
}
