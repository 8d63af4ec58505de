//! Header-section rules from the RFC 3261 grammar (section 25) that rsip lets through:
//! control characters inside header lines, and headers that may appear once with one
//! value (section 7.3.1: only headers whose grammar is a comma-separated list may be
//! repeated or combined).
//!
//! These are checked on the raw text, before rsip parses it, because rsip keeps the
//! last of two Content-Length lines, or the first of two From lines, without a word.
//! Line folding (a line starting with a space or a tab continues the previous header,
//! section 7.3.1) and the compact forms (section 7.3.3) are honoured, and names are
//! compared without regard to case.

/// Headers that carry one value and may appear once, by their full name.
const SINGLE: &[&str] = &["From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type"];

/// A header rule the section breaks: the reason, for the 400's Warning and the log.
pub(crate) type Broken = String;

/// Checks the header section `head` (the start line and the header lines, without the
/// blank line).
pub(crate) fn check(head: &str) -> Result<(), Broken> {
    let mut seen: [bool; SINGLE.len()] = [false; SINGLE.len()];
    for (name, value) in headers(head) {
        if name.is_empty() {
            return Err(format!("a header line without a name and a colon: {:.40}", value.trim()));
        }
        let full = full_name(name);
        if let Some(byte) = value.bytes().chain(name.bytes()).find(|&b| is_control(b)) {
            return Err(format!("a control character (0x{byte:02x}) in the {full} header"));
        }
        let Some(index) = SINGLE.iter().position(|single| full.eq_ignore_ascii_case(single)) else {
            continue;
        };
        if std::mem::replace(&mut seen[index], true) {
            return Err(format!("more than one {} header", SINGLE[index]));
        }
        if has_top_level_comma(value) {
            return Err(format!("the {} header holds more than one value", SINGLE[index]));
        }
    }
    Ok(())
}

/// The header lines of `head` as (name, value), folded lines joined to the header they
/// continue (the value then spans the line breaks, which are whitespace to the rules
/// here). A line ends at LF, with or without the CR before it: RFC 3261 asks for CRLF,
/// but rsip takes a bare LF too, so the rules must see those lines as it does. A line
/// without a colon, or whose colon comes only after a line break, yields an empty name
/// and the line as its value.
pub(super) fn headers(head: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = head.split_once('\n').map_or("", |(_, rest)| rest);
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // The header ends at the first line break not followed by a space or a tab.
        let mut end = rest.len();
        let mut from = 0;
        while let Some(at) = rest[from..].find('\n') {
            let at = from + at;
            if !rest[at + 1..].starts_with([' ', '\t']) {
                end = at;
                break;
            }
            from = at + 1;
        }
        let line = rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or("");
        // A name folded onto the next line is no name: HCOLON allows only spaces and
        // tabs before the colon (section 25.1).
        Some(match line.split_once(':') {
            Some((name, value)) if !name.contains('\n') => (name.trim(), value),
            _ => ("", line),
        })
    })
}

/// The full name of a header given in its compact form (section 7.3.3).
pub(super) fn full_name(name: &str) -> &str {
    match name.to_ascii_lowercase().as_str() {
        "i" => "Call-ID",
        "f" => "From",
        "t" => "To",
        "l" => "Content-Length",
        "c" => "Content-Type",
        "v" => "Via",
        "m" => "Contact",
        _ => name,
    }
}

/// Control characters are not allowed in header lines (section 25.1: TEXT-UTF8 and
/// the tokens exclude them); a tab is whitespace, and CR LF only ends or folds a line.
fn is_control(byte: u8) -> bool {
    (byte < 0x20 && !matches!(byte, b'\t' | b'\r' | b'\n')) || byte == 0x7f
}

/// A comma outside a quoted string and outside `<…>`: the separator of a second value.
fn has_top_level_comma(value: &str) -> bool {
    top_level_comma(value).is_some()
}

/// Where the first comma outside a quoted string and outside `<…>` is: the end of the
/// first value of a comma-separated header value (section 7.3.1).
pub(crate) fn top_level_comma(value: &str) -> Option<usize> {
    let (mut quoted, mut escaped, mut angle) = (false, false, 0u32);
    for (at, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle += 1,
            '>' if !quoted => angle = angle.saturating_sub(1),
            ',' if !quoted && angle == 0 => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(lines: &str) -> String {
        format!("INVITE sip:b@h SIP/2.0\r\n{lines}")
    }

    #[test]
    fn one_value_headers_may_appear_once() {
        let ok = head("From: \"Smith, John\" <sip:j@h;x=a,b>;tag=1\r\nTo: <sip:b@h>\r\nVia: a, b\r\nVia: c");
        assert_eq!(check(&ok), Ok(()));
        let twice = head("Content-Length: 3\r\nl: 4");
        assert_eq!(check(&twice).unwrap_err(), "more than one Content-Length header");
        let list = head("TO: <sip:a@h>, <sip:b@h>");
        assert_eq!(check(&list).unwrap_err(), "the To header holds more than one value");
        assert!(check(&head("CSeq: 1 INVITE, 2 INVITE")).is_err());
        assert!(check(&head("i: a\r\nCall-ID: b")).is_err());
    }

    #[test]
    fn control_characters_are_refused_but_folding_and_tabs_are_not() {
        assert_eq!(
            check(&head("Subject: a\0b")).unwrap_err(),
            "a control character (0x00) in the Subject header"
        );
        assert!(check(&head("Subject: a\x7fb")).is_err());
        assert_eq!(check(&head("Subject: hello\r\n  world\r\n\tagain\r\nFrom:\t<sip:a@h>")), Ok(()));
        let folded_twice = head("From: <sip:a@h>\r\n ;tag=1\r\nTo: <sip:b@h>\r\nf: <sip:c@h>");
        assert_eq!(check(&folded_twice).unwrap_err(), "more than one From header");
    }

    #[test]
    fn lines_ending_in_a_bare_lf_are_headers_too() {
        let bare = "INVITE sip:b@h SIP/2.0\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nFrom: <sip:c@h>";
        assert_eq!(check(bare).unwrap_err(), "more than one From header");
        assert_eq!(check("INVITE sip:b@h SIP/2.0\nFrom: <sip:a@h>\n ;tag=1\r\nTo: <sip:b@h>"), Ok(()));
    }

    #[test]
    fn a_line_without_a_name_and_a_colon_is_refused() {
        assert!(check(&head("Max-Forwards\r\nTo: <sip:b@h>")).unwrap_err().contains("without a name"));
        assert!(check(&head(": 70")).is_err());
        assert!(check(&head("Max-Forwards\r\n : 70")).is_err(), "a name folded before its colon");
    }

    #[test]
    fn long_values_are_fine() {
        let long = head(&format!("Subject: {}\r\nFrom: <sip:{}@h>", "x".repeat(5000), "a".repeat(900)));
        assert_eq!(check(&long), Ok(()));
    }
}
