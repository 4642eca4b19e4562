//! in-toto Statements (v0.1 and v1) and subject matching.

use crate::digest::Digest;
use crate::error::{Error, Result};

/// The DSSE payload type of an in-toto statement.
pub use slsa_aibom_types::intoto::IN_TOTO_PAYLOAD_TYPE;
/// in-toto Statement v0.1 (still written by older SLSA generators).
pub use slsa_aibom_types::intoto::STATEMENT_V01;
/// in-toto Statement v1.
pub use slsa_aibom_types::intoto::STATEMENT_V1;
/// The statement and its subjects, as the formats crate defines them.
pub use slsa_aibom_types::statement::{Statement, Subject};

/// Whether any of `digests` equals one of `subject`'s digests (hex compared
/// without regard to case).
pub fn subject_matches(subject: &Subject, digests: &[Digest]) -> bool {
    digests.iter().any(|d| {
        subject.digest.get(&d.algorithm).is_some_and(|v| {
            if d.raw().is_some() {
                v.eq_ignore_ascii_case(&d.value)
            } else {
                *v == d.value
            }
        })
    })
}

/// The first subject of `st` matching any of `digests`.
pub fn subject_matching<'a>(st: &'a Statement, digests: &[Digest]) -> Option<&'a Subject> {
    st.subject.iter().find(|s| subject_matches(s, digests))
}

/// Parse a statement from a DSSE payload, checking the payload type,
/// `_type` and that there is at least one well-formed subject.
pub fn from_payload(payload_type: &str, payload: &[u8]) -> Result<Statement> {
    if payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(Error::Input(format!(
            "DSSE payload type is {payload_type:?}, expected {IN_TOTO_PAYLOAD_TYPE:?}"
        )));
    }
    let st: Statement = crate::json::from_slice(payload)
        .map_err(|e| Error::Input(format!("DSSE payload is not an in-toto statement: {e}")))?;
    if !st.has_known_type() {
        return Err(Error::Input(format!(
            "unknown in-toto statement type {:?}",
            st.statement_type
        )));
    }
    if st.subject.is_empty() {
        return Err(Error::Input("in-toto statement has no subject".into()));
    }
    if let Some(s) = st.subject.iter().find(|s| s.digest.is_empty()) {
        return Err(Error::Input(format!(
            "subject {:?} has an empty digest set",
            s.name
        )));
    }
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(subject: &str) -> Vec<u8> {
        format!(r#"{{"_type":"{STATEMENT_V1}","subject":{subject},"predicateType":"p","predicate":{{}}}}"#).into_bytes()
    }

    #[test]
    fn matches_any_subject_and_algorithm() {
        let h = "ab".repeat(32);
        let st = from_payload(
            IN_TOTO_PAYLOAD_TYPE,
            &payload(&format!(r#"[{{"name":"a","digest":{{"sha512":"00"}}}},{{"name":"b","digest":{{"sha256":"{h}"}}}}]"#)),
        )
        .unwrap();
        let d = Digest::parse(&format!("sha256:{}", h.to_uppercase())).unwrap();
        assert_eq!(subject_matching(&st, &[d]).unwrap().name, "b");
        let other = Digest::parse(&format!("sha256:{}", "cd".repeat(32))).unwrap();
        assert!(subject_matching(&st, &[other]).is_none());
    }

    #[test]
    fn rejects_malformed_statements() {
        assert!(from_payload("text/plain", &payload("[]")).is_err());
        assert!(from_payload(IN_TOTO_PAYLOAD_TYPE, &payload("[]")).is_err());
        assert!(from_payload(
            IN_TOTO_PAYLOAD_TYPE,
            br#"{"_type":"x","subject":[{"digest":{"a":"b"}}],"predicateType":"p"}"#
        )
        .is_err());
        assert!(from_payload(IN_TOTO_PAYLOAD_TYPE, b"\xff").is_err());
    }
}
