//! Message bodies: their media types and the SDP inside them, also as one part of a
//! `multipart/*` body (RFC 5621: a gateway may send SDP beside ISUP or a location).
//!
//! The multipart split is written here because it is a few lines over bytes we already
//! hold: the multipart crates in the ecosystem parse HTTP form data from async streams.

use memchr::memmem;

/// The media type of a Content-Type value, lowercase and without parameters
/// (`Application/SDP; charset=x` → `application/sdp`).
pub fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// One part of a multipart body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part<'a> {
    /// Its Content-Type (`text/plain` when the part names none, RFC 2046 section 5.1).
    pub content_type: &'a str,
    /// Whether its Content-Disposition says `handling=optional` (RFC 3261 section 20.11).
    pub optional: bool,
    /// Its bytes.
    pub body: &'a [u8],
}

/// The parts of `body` when `content_type` is `multipart/*` with a boundary; `None`
/// for another type or a multipart body that does not follow RFC 2046.
pub fn parts<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    if !media_type(content_type).starts_with("multipart/") {
        return None;
    }
    let boundary = content_type.split(';').skip(1).find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"'))
    })?;
    if boundary.is_empty() || boundary.len() > 70 {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    // The first delimiter opens a line: at the very start, or after a preamble.
    let mut at = match body.starts_with(delimiter.as_bytes()) {
        true => 0,
        false => memmem::find(body, next_delimiter.as_bytes())? + 2,
    };
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        if body.get(after..)?.starts_with(b"--") {
            return Some(parts);
        }
        // Transport padding may follow the delimiter up to its line break.
        let start = after + memmem::find(&body[after..], b"\r\n")? + 2;
        let end = start + memmem::find(&body[start..], next_delimiter.as_bytes())?;
        parts.push(part(&body[start..end])?);
        at = end + 2;
    }
}

/// A part's headers and body (a part without headers starts with its blank line).
fn part(bytes: &[u8]) -> Option<Part<'_>> {
    let (head, body) = match bytes.strip_prefix(b"\r\n") {
        Some(body) => ("", body),
        None => {
            let split = memmem::find(bytes, b"\r\n\r\n")?;
            (std::str::from_utf8(&bytes[..split]).ok()?, &bytes[split + 4..])
        }
    };
    let header = |wanted: &str| {
        head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case(wanted).then_some(value.trim())
        })
    };
    let content_type = header("content-type").unwrap_or("text/plain");
    Some(Part { content_type, optional: header("content-disposition").is_some_and(is_optional), body })
}

/// Whether a Content-Disposition value says the body may be ignored.
pub fn is_optional(disposition: &str) -> bool {
    disposition.split(';').skip(1).any(|p| {
        p.split_once('=').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("handling") && value.trim().eq_ignore_ascii_case("optional")
        })
    })
}

/// The SDP in a body of type `content_type`: the body itself when it is
/// `application/sdp`, or the first `application/sdp` part of a multipart body.
pub fn sdp<'a>(content_type: &str, body: &'a [u8]) -> Option<&'a str> {
    let bytes = match media_type(content_type).as_str() {
        "application/sdp" => body,
        _ => parts(content_type, body)?.into_iter().find(|p| media_type(p.content_type) == SDP)?.body,
    };
    (!bytes.is_empty()).then(|| std::str::from_utf8(bytes).ok()).flatten()
}

const SDP: &str = "application/sdp";

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";

    #[test]
    fn the_sdp_part_of_a_multipart_body_is_found() {
        let body = format!(
            "preamble\r\n--b1 \r\nContent-Type: application/isup\r\nContent-Disposition: signal;handling=optional\r\n\r\n\
             \x01\x02\r\n--b1\r\ncontent-type: Application/SDP\r\n\r\n{OFFER}\r\n--b1--\r\nepilogue"
        );
        let content_type = "multipart/mixed; boundary=\"b1\"";
        let parts = parts(content_type, body.as_bytes()).expect("two parts");
        assert_eq!(parts.len(), 2);
        assert!(parts[0].optional && !parts[1].optional);
        assert_eq!(parts[0].body, b"\x01\x02");
        assert_eq!(sdp(content_type, body.as_bytes()), Some(OFFER));
    }

    #[test]
    fn bodies_without_sdp_have_none() {
        assert_eq!(sdp("application/sdp", OFFER.as_bytes()), Some(OFFER));
        assert_eq!(sdp("text/plain", OFFER.as_bytes()), None);
        let text_only = "--x\r\n\r\nhello\r\n--x--";
        assert_eq!(
            parts("multipart/mixed;boundary=x", text_only.as_bytes()).unwrap()[0].content_type,
            "text/plain"
        );
        assert_eq!(sdp("multipart/mixed;boundary=x", text_only.as_bytes()), None);
        // Unterminated, or without a boundary: not multipart we can read.
        assert_eq!(parts("multipart/mixed;boundary=x", b"--x\r\n\r\nhello"), None);
        assert_eq!(parts("multipart/mixed", b"--x\r\n\r\nhello\r\n--x--"), None);
    }
}
