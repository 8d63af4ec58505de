//! The header section of a message as lines: which header each line belongs to, and
//! the values of a comma-separated header.
//!
//! Lines are split as rsip splits them: a line that starts with a space or a tab
//! continues the header above it, and an empty line ends the header section (whatever
//! follows it is copied as it is).

use super::ForwardError;

/// What becomes of one header when the message is written again.
#[derive(Clone, Debug)]
pub(super) enum Edit {
    Keep,
    Drop,
    Replace(String),
}

impl Edit {
    pub(super) fn write(&self, out: &mut Vec<u8>, original: &str) {
        match self {
            Edit::Keep => out.extend_from_slice(original.as_bytes()),
            Edit::Drop => {}
            Edit::Replace(text) => out.extend_from_slice(text.as_bytes()),
        }
    }
}

pub(super) fn set(edits: &mut [Edit], at: usize, edit: Edit) {
    if let Some(slot) = edits.get_mut(at) {
        *slot = edit;
    }
}

/// One header as written: its first line, its continuation lines and their line ends.
pub(super) struct Field<'t> {
    /// Where `text` starts in the header section.
    at: usize,
    pub(super) text: &'t str,
    /// The trimmed name; empty for a line without a colon or a continuation line with
    /// no header above it, which are only copied.
    pub(super) name: &'t str,
    colon: Option<usize>,
}

impl<'t> Field<'t> {
    pub(super) fn is(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.name.eq_ignore_ascii_case(n))
    }

    /// Everything after the colon, continuation lines and line ends included.
    pub(super) fn value(&self) -> &'t str {
        self.colon.and_then(|c| self.text.get(c + 1..)).unwrap_or("")
    }
}

/// The header section, cut into the start line (with its line end), the headers, and
/// whatever follows an empty line inside it.
pub(super) struct Head<'t> {
    pub(super) start: &'t str,
    pub(super) fields: Vec<Field<'t>>,
    pub(super) tail: &'t str,
}

/// The header section (up to and with the CRLF of its last line) and the rest: the
/// blank line's CRLF and the body.
pub(super) fn split(message: &[u8]) -> Result<(Head<'_>, &[u8]), ForwardError> {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n").ok_or(ForwardError::NoHeaderEnd)? + 2;
    let (head, rest) = message.split_at_checked(end).ok_or(ForwardError::NoHeaderEnd)?;
    let head = std::str::from_utf8(head).map_err(|_| ForwardError::NotUtf8)?;
    let mut lines = head.split_inclusive('\n');
    let start = lines.next().unwrap_or("");
    let (mut at, mut fields, mut tail) = (start.len(), Vec::<Field<'_>>::new(), "");
    for line in lines {
        let content = trim_eol(line);
        if content.is_empty() {
            tail = head.get(at..).unwrap_or("");
            break;
        }
        let continues = content.starts_with([' ', '\t']);
        match fields.last_mut() {
            Some(last) if continues => last.text = head.get(last.at..at + line.len()).unwrap_or(last.text),
            _ => {
                let colon = if continues { None } else { content.find(':') };
                let name = colon.and_then(|c| content.get(..c)).map_or("", str::trim);
                fields.push(Field { at, text: line, name, colon });
            }
        }
        at += line.len();
    }
    Ok((Head { start, fields, tail }, rest))
}

pub(super) fn trim_eol(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// A header value with its folding undone, trimmed, as rsip reads it.
pub(super) fn unfold(raw: &str) -> String {
    let parts: Vec<&str> = raw.split('\n').map(str::trim).filter(|p| !p.is_empty()).collect();
    parts.join(" ")
}

/// The first value of a comma-separated header value (section 7.3.1), and the raw text
/// of the values after it, starting at the second value and keeping the original line
/// ends; commas inside `<…>` or a quoted string do not separate values.
pub(super) fn split_first_value(raw: &str) -> (&str, Option<&str>) {
    let Some(at) = crate::sip::grammar::top_level_comma(raw) else { return (raw, None) };
    let first = raw.get(..at).unwrap_or(raw);
    let rest = raw.get(at + 1..).unwrap_or("");
    let rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
    (first, (!rest.is_empty()).then_some(rest))
}

/// Writes `name: value` and CRLF.
pub(super) fn push_line(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
}
