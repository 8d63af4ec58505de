//! Writing SIP messages.
//!
//! Messages are written as text straight from the values the layers already hold (the
//! request's own header lines, our URIs and tags): building rsip structures first would
//! re-parse values we never changed. What we write is read back by rsip in the tests.
//! Responses and requests written from the raw text of another message come from the
//! `raw` submodule, re-exported here.

use std::fmt::Write;

use rsipstack::rsip::{Header, Request};

mod raw;
pub use raw::{ack_for_non_2xx, cancel_for, raw_error_response, raw_response, raw_tag, resend_authorized};

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
/// `why` in a quoted string, cut after 200 characters.
///
/// ```
/// use session_proto::sip::write::warning;
/// assert_eq!(warning("a control character (0x00) in the Max-\0Forwards header"),
///            "399 session-core \"a control character (0x00) in the Max-?Forwards header\"");
/// let long = format!("'m=audio {}' is not a port", "%".repeat(10_000));
/// assert_eq!(warning(&long), format!("399 session-core \"'m=audio {}…\"", "%".repeat(191)));
/// ```
pub fn warning(why: &str) -> String {
    // A reason may quote what a peer sent: its quotes and backslashes become
    // apostrophes, and control characters, which a quoted string cannot carry, `?`.
    // What it quotes may be long (a 10 KiB SDP line): the text is cut at
    // WARNING_CHARS, so that an answer stays about the size of what it answers
    // (found by tests/fuzz_endpoint.rs: a 488 past the parser's 16 KiB limit).
    let mut chars = why.chars();
    let mut text: String = chars
        .by_ref()
        .take(WARNING_CHARS)
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    if chars.next().is_some() {
        text.push('…');
    }
    format!("399 {AGENT} \"{text}\"")
}

/// The most characters of a reason a Warning carries.
const WARNING_CHARS: usize = 200;

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
