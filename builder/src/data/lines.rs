//! Line numbers of CSV records, counted from their byte offsets.
//!
//! The `csv` crate's own `Position::line` undercounts in files with CRLF
//! line ends (a value on line 3 was reported on line 2); the line is one
//! plus the newlines before the record's first byte.

/// Counts newlines up to offsets that only grow, so a whole file costs one
/// pass however many records ask.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// A counter over the file's bytes, at line 1.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record that starts at `position` (the
    /// `fallback` when the reader gives none).
    pub(crate) fn line_of(&mut self, position: Option<&csv::Position>, fallback: u64) -> u64 {
        let Some(p) = position else { return fallback };
        let mut to = usize::try_from(p.byte())
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        // After a CRLF the reader's offset is that of the LF: the record
        // starts after the line break.
        while self
            .bytes
            .get(to)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            to += 1;
        }
        if to < self.at {
            return fallback;
        }
        self.line += self.bytes[self.at..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.at = to;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same rows with LF and with CRLF ends, a quoted field spanning
    /// two lines among them: each record's line is where it starts.
    #[test]
    fn lines_are_right_with_lf_crlf_and_quoted_newlines() {
        for end in ["\n", "\r\n"] {
            let text = ["h1,h2", "1,2", "\"a", "b\",3", "4,5"].join(end) + end;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(text.as_bytes());
            let mut lines = LineCounter::new(text.as_bytes());
            let got: Vec<u64> = reader
                .records()
                .map(|r| lines.line_of(r.unwrap().position(), 0))
                .collect();
            assert_eq!(got, [2, 3, 5], "{end:?}");
        }
    }
}
