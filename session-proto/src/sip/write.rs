//! Writing SIP messages.
//!
//! Messages are written as text straight from the values the layers already hold (the
//! request's own header lines, our URIs and tags): building rsip structures first would
//! re-parse values we never changed. What we write is read back by rsip in the tests.

use std::fmt::Write;

use rsipstack::rsip::{Header, Request};

/// What we call ourselves in User-Agent and Warning headers.
pub const AGENT: &str = "session-core";

/// The standard reason phrase of the codes we send.
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        407 => "Proxy Authentication Required",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        486 => "Busy Here",
        487 => "Request Terminated",
        489 => "Bad Event",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        _ => match code / 100 {
            1 => "Progress",
            2 => "Success",
            3 => "Redirection",
            4 => "Request Failure",
            5 => "Server Failure",
            _ => "Global Failure",
        },
    }
}

/// A Warning header value (RFC 3261 section 20.43, code 399 "miscellaneous") that says
/// `why` in a quoted string.
///
/// ```
/// use session_proto::sip::write::warning;
/// assert_eq!(warning("a control character (0x00) in the Max-\0Forwards header"),
///            "399 session-core \"a control character (0x00) in the Max-?Forwards header\"");
/// ```
pub fn warning(why: &str) -> String {
    // A reason may quote what a peer sent: its quotes and backslashes become
    // apostrophes, and control characters, which a quoted string cannot carry, `?`.
    let why: String = why
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    format!("399 {AGENT} \"{why}\"")
}

/// A body and its content type.
#[derive(Clone, Copy, Debug)]
pub struct Body<'a> {
    /// Content-Type value.
    pub content_type: &'a str,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// The header lines every response to a request copies (RFC 3261 section 8.2.6.2):
/// its Vias in order, From, Call-ID and CSeq, and its To, to which a response past 100
/// adds our tag; and its Record-Route lines, which a UAS copies into its responses so
/// that the caller learns the dialog's route set too (section 12.1.1). Kept by the server transaction until it has answered, so that a
/// response can be written from the transaction alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyHead {
    lines: String,
    to: String,
}

impl ReplyHead {
    /// The lines of `request`.
    pub fn of(request: &Request) -> Self {
        let mut lines = String::with_capacity(256);
        let mut to = String::new();
        for header in request.headers.iter() {
            match header {
                Header::Via(v) => line(&mut lines, "Via", v.value()),
                Header::From(v) => line(&mut lines, "From", v.value()),
                Header::CallId(v) => line(&mut lines, "Call-ID", v.value()),
                Header::CSeq(v) => line(&mut lines, "CSeq", v.value()),
                Header::RecordRoute(v) => line(&mut lines, "Record-Route", v.value()),
                Header::To(v) if to.is_empty() => v.value().clone_into(&mut to),
                _ => {}
            }
        }
        Self { lines, to }
    }

    /// A response with status `code`: the copied lines, the To (with `to_tag` added
    /// when it has none and `code` is past 100), then `extra` headers and the body.
    pub fn write(
        &self,
        code: u16,
        to_tag: Option<&str>,
        extra: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Vec<u8> {
        let mut out = String::with_capacity(512);
        let _ = write!(out, "SIP/2.0 {code} {}\r\n", reason_phrase(code));
        out.push_str(&self.lines);
        match to_tag {
            Some(tag) if super::headers::param(&self.to, "tag").is_none() && code > 100 => {
                let _ = write!(out, "To: {};tag={tag}\r\n", self.to);
            }
            _ => line(&mut out, "To", &self.to),
        }
        finish(out, extra, body)
    }
}

/// A request; `via` is the full Via value (`SIP/2.0/UDP host:port;branch=…;rport`).
#[derive(Clone, Copy, Debug)]
pub struct RequestLine<'a> {
    /// Method name.
    pub method: &'a str,
    /// Request-URI.
    pub uri: &'a str,
    /// Via value.
    pub via: &'a str,
    /// From value, with our tag.
    pub from: &'a str,
    /// To value, with the peer's tag once known.
    pub to: &'a str,
    /// Call-ID.
    pub call_id: &'a str,
    /// CSeq number (its method is `method`).
    pub cseq: u32,
}

/// Writes a request.
pub fn request(r: &RequestLine<'_>, extra: &[(&str, &str)], body: Option<Body<'_>>) -> Vec<u8> {
    let mut out = String::with_capacity(512);
    let _ = write!(out, "{} {} SIP/2.0\r\n", r.method, r.uri);
    line(&mut out, "Via", r.via);
    line(&mut out, "Max-Forwards", "70");
    line(&mut out, "From", r.from);
    line(&mut out, "To", r.to);
    line(&mut out, "Call-ID", r.call_id);
    let _ = write!(out, "CSeq: {} {}\r\n", r.cseq, r.method);
    finish(out, extra, body)
}

fn line(out: &mut String, name: &str, value: &str) {
    // Four appends, not `write!`: this runs for every header of every message we write.
    out.push_str(name);
    out.push_str(": ");
    out.push_str(value);
    out.push_str("\r\n");
}

fn finish(mut out: String, extra: &[(&str, &str)], body: Option<Body<'_>>) -> Vec<u8> {
    for (name, value) in extra {
        line(&mut out, name, value);
    }
    line(&mut out, "User-Agent", AGENT);
    match body {
        Some(body) => {
            line(&mut out, "Content-Type", body.content_type);
            let _ = write!(out, "Content-Length: {}\r\n\r\n", body.bytes.len());
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(body.bytes);
            bytes
        }
        None => {
            out.push_str("Content-Length: 0\r\n\r\n");
            out.into_bytes()
        }
    }
}

/// An error response built from the raw header lines of a request we could not parse
/// or will not process: its Via, From, To, Call-ID and CSeq lines (long or compact
/// names), a To tag, a Warning that says why, and `allow` for 405/501. `None` when the
/// text has no Via to send the response to.
pub fn raw_error_response(text: &str, code: u16, reason: &str, allow: &str) -> Option<Vec<u8>> {
    let warning = warning(reason);
    let mut extra = vec![("Warning", warning.as_str())];
    if code == 405 || code == 501 {
        extra.push(("Allow", allow));
    }
    raw_response(text, code, &extra)
}

/// The To tag of the responses written from raw header lines with status `code`.
pub fn raw_tag(code: u16) -> String {
    format!("err{code}")
}

/// A response with status `code` written from the raw header lines of a request (see
/// [`raw_error_response`]), with `extra` headers.
pub fn raw_response(text: &str, code: u16, extra: &[(&str, &str)]) -> Option<Vec<u8>> {
    let mut head = format!("SIP/2.0 {code} {}\r\n", reason_phrase(code));
    let mut has_via = false;
    for raw in text.lines().skip(1) {
        if raw.is_empty() {
            break;
        }
        let Some((name, value)) = raw.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let name = match name.trim().to_ascii_lowercase().as_str() {
            "via" | "v" => {
                has_via = true;
                "Via"
            }
            "from" | "f" => "From",
            "call-id" | "i" => "Call-ID",
            "cseq" => "CSeq",
            "to" | "t" => {
                if super::headers::param(value, "tag").is_none() {
                    let _ = write!(head, "To: {value};tag={}\r\n", raw_tag(code));
                    continue;
                }
                "To"
            }
            _ => continue,
        };
        line(&mut head, name, value);
    }
    if !has_via {
        return None;
    }
    Some(finish(head, extra, None))
}

/// The ACK for a non-2xx final response to an INVITE we wrote (section 17.1.1.3): the
/// INVITE's Request-URI, top Via, From, Call-ID, CSeq number and Route headers, and the
/// To of the response (with the callee's tag).
pub fn ack_for_non_2xx(invite: &[u8], response_to: &str) -> Option<Vec<u8>> {
    derived(invite, "ACK", Some(response_to))
}

/// A request we wrote, sent again after a 401 or 407 with credentials (RFC 3261
/// section 22.2): a new top Via (new branch), CSeq `cseq`, and the `authorization`
/// header (name and value) in place of any earlier one of that name; every other line
/// and the body as they were. `None` when `original` is not a request we wrote.
pub fn resend_authorized(
    original: &[u8],
    via: &str,
    cseq: u32,
    authorization: (&str, &str),
) -> Option<Vec<u8>> {
    let split = memchr::memmem::find(original, b"\r\n\r\n")?;
    let (head, body) = (std::str::from_utf8(&original[..split]).ok()?, &original[split + 4..]);
    let mut lines = head.split("\r\n");
    let start = lines.next()?;
    let method = start.split(' ').next()?;
    let mut out = String::with_capacity(original.len() + authorization.1.len() + 64);
    out.push_str(start);
    out.push_str("\r\n");
    let mut via_done = false;
    for raw in lines {
        let (name, value) = raw.split_once(':')?;
        match name {
            "Via" if !via_done => {
                via_done = true;
                line(&mut out, "Via", via);
            }
            "CSeq" => {
                let _ = write!(out, "CSeq: {cseq} {method}\r\n");
            }
            "Content-Length" => {
                line(&mut out, authorization.0, authorization.1);
                line(&mut out, name, value.trim());
            }
            _ if name.eq_ignore_ascii_case(authorization.0) => {}
            _ => line(&mut out, name, value.trim()),
        }
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    Some(bytes)
}

/// The CANCEL for a request we wrote (section 9.1): its Request-URI, top Via, From, To,
/// Call-ID, CSeq number and Route headers.
pub fn cancel_for(request: &[u8]) -> Option<Vec<u8>> {
    derived(request, "CANCEL", None)
}

/// A request that repeats what `original` identifies its transaction by, as ACK and
/// CANCEL do; `to` replaces the original's To. `original` may be a request a proxy
/// forwards as its client wrote it, so header names are matched in any case and in
/// their compact forms, lines may end in a bare LF, folded lines are joined, and the
/// body may be any bytes.
fn derived(original: &[u8], method: &str, to: Option<&str>) -> Option<Vec<u8>> {
    let end = memchr::memmem::find(original, b"\r\n\r\n").unwrap_or(original.len());
    let text = std::str::from_utf8(&original[..end]).ok()?;
    // Lines end in LF, CR LF or nothing, as the parser reads them.
    let mut lines = text.lines();
    let uri = lines.next()?.split(' ').nth(1)?;
    let mut out = format!("{method} {uri} SIP/2.0\r\n");
    let mut via_done = false;
    let mut lines = lines.peekable();
    while let Some(raw) = lines.next() {
        let mut field = std::borrow::Cow::Borrowed(raw);
        while let Some(more) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
            let joined = field.to_mut();
            joined.push(' ');
            joined.push_str(more.trim());
        }
        let Some((name, value)) = field.split_once(':') else { continue };
        let value = value.trim();
        let name = match name.trim().to_ascii_lowercase().as_str() {
            "via" | "v" if !via_done => {
                via_done = true;
                "Via"
            }
            "from" | "f" => "From",
            "call-id" | "i" => "Call-ID",
            "route" => "Route",
            "max-forwards" => "Max-Forwards",
            "to" | "t" if to.is_none() => "To",
            "cseq" => {
                let number = value.split_whitespace().next()?;
                let _ = write!(out, "CSeq: {number} {method}\r\n");
                continue;
            }
            _ => continue,
        };
        line(&mut out, name, value);
    }
    if let Some(to) = to {
        line(&mut out, "To", to);
    }
    Some(finish(out, &[], None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_and_cancel_copy_a_forwarded_request_whatever_its_header_spelling() {
        // Found by tests/fuzz_endpoint.rs: a proxy's ACK for a 486 to an INVITE its
        // client wrote with `cseq:`, compact names or a binary body lacked those lines.
        let invite = b"INVITE sip:bob@127.0.0.1:5061 SIP/2.0\r\n\
            Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp1;rport\r\nv: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKc\r\n\
            f: <sip:alice@example.com>\r\n ;tag=a1\nt: <sip:bob@example.com>\r\ni: c1@h\r\n\
            cseq :  7\r\n\tINVITE\r\nroute: <sip:127.0.0.1:5061;lr>\r\nc: application/octet-stream\r\n\
            l: 3\r\n\r\n\xff\x00\xfe";
        let ack = ack_for_non_2xx(invite, "<sip:bob@example.com>;tag=b1").expect("an ACK");
        let cancel = cancel_for(invite).expect("a CANCEL");
        for (method, bytes, to) in [("ACK", ack, ";tag=b1"), ("CANCEL", cancel, ">")] {
            let text = String::from_utf8(bytes).unwrap();
            let Ok(crate::sip::inbound::Inbound::Request(_, essentials)) =
                crate::sip::inbound::parse(text.as_bytes(), "")
            else {
                panic!("{method} does not parse: {text}");
            };
            assert_eq!(essentials.branch, "z9hG4bKp1", "{text}");
            assert_eq!((essentials.call_id.as_str(), essentials.cseq), ("c1@h", 7), "{text}");
            assert_eq!(essentials.from_tag.as_deref(), Some("a1"), "{text}");
            assert!(
                text.contains(&format!("CSeq: 7 {method}\r\n"))
                    && text.contains("Route: <sip:127.0.0.1:5061;lr>")
            );
            assert!(text.lines().find(|l| l.starts_with("To: ")).unwrap().ends_with(to), "{text}");
            assert_eq!(text.matches("Via:").count(), 1, "{text}");
        }
    }

    #[test]
    fn a_challenged_request_is_resent_with_credentials_a_new_branch_and_the_next_cseq() {
        let line = RequestLine {
            method: "INVITE",
            uri: "sip:bob@127.0.0.1:5062",
            via: "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKold;rport",
            from: "<sip:alice@127.0.0.1:5060>;tag=1",
            to: "<sip:bob@127.0.0.1:5062>",
            call_id: "c@127.0.0.1",
            cseq: 1,
        };
        let body = Body { content_type: "application/sdp", bytes: b"v=0\r\n" };
        let original = request(&line, &[("Route", "<sip:127.0.0.1:5070;lr>")], Some(body));
        let via = "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnew;rport";
        let again = resend_authorized(&original, via, 2, ("Proxy-Authorization", "Digest x")).unwrap();
        let text = String::from_utf8(again).unwrap();
        assert!(text.starts_with("INVITE sip:bob@127.0.0.1:5062 SIP/2.0\r\n"));
        assert!(text.contains("branch=z9hG4bKnew") && !text.contains("branch=z9hG4bKold"));
        assert!(text.contains("CSeq: 2 INVITE\r\n"));
        assert!(text.contains("Route: <sip:127.0.0.1:5070;lr>\r\n"));
        assert!(text.contains("Proxy-Authorization: Digest x\r\n"));
        assert!(text.ends_with("Content-Length: 5\r\n\r\nv=0\r\n"), "{text}");
        // A second round replaces the credentials rather than adding to them.
        let third = resend_authorized(text.as_bytes(), via, 3, ("Proxy-Authorization", "Digest y")).unwrap();
        let third = String::from_utf8(third).unwrap();
        assert_eq!(third.matches("Proxy-Authorization").count(), 1);
        assert!(third.contains("Digest y") && third.contains("CSeq: 3 INVITE"));
        assert!(resend_authorized(b"garbage", via, 2, ("Authorization", "x")).is_none());
    }
}
