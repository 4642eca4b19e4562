//! Text from evidence made safe to show on a terminal. Names, licences and
//! messages in a release are the caller's words: a newline or an escape
//! sequence in them could forge lines such as `VERIFIED release`. Every
//! such string is shown on one line, with control characters (and the
//! Unicode bidirectional overrides that reorder text) written as escapes.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: a control character
/// (C0, DEL, C1) or a format character (Unicode category Cf: the
/// bidirectional overrides that reorder text, and the zero-width characters
/// that make two different names look the same).
pub fn is_unsafe(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory};
    c.is_control() || get_general_category(c) == GeneralCategory::Format
}

/// `text` on one line: every unsafe character as its Rust escape
/// (`\n`, `\u{1b}`), everything else unchanged.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped_onto_one_line() {
        let forged = "acme\n\x1b[2K\rVERIFIED release\u{202E}txt\u{85}";
        let shown = one_line(forged);
        assert!(!shown.contains('\n') && !shown.contains('\r'));
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert_eq!(
            shown,
            "acme\\n\\u{1b}[2K\\rVERIFIED release\\u{202e}txt\\u{85}"
        );
        assert!(matches!(one_line("plain ünïcode"), Cow::Borrowed(_)));
        // Format characters (Cf): zero-width space and joiner, the BOM, a tag.
        assert_eq!(
            one_line("we\u{200B}ights\u{200D}\u{FEFF}\u{E0041}"),
            "we\\u{200b}ights\\u{200d}\\u{feff}\\u{e0041}"
        );
    }
}
