//! Writing SIP messages.
//!
//! Messages are written as text straight from the values the layers already hold (the
//! request's own header lines, our URIs and tags): building rsip structures first would
//! re-parse values we never changed. What we write is read back by rsip in the tests.

use std::fmt::Write;

use rsipstack::rsip::{Header, Request};

use super::inbound::ALLOWED;

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
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        486 => "Busy Here",
        487 => "Request Terminated",
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

/// A body and its content type.
#[derive(Clone, Copy, Debug)]
pub struct Body<'a> {
    /// Content-Type value.
    pub content_type: &'a str,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// A response to `request` (RFC 3261 section 8.2.6): its Via, From, Call-ID and CSeq,
/// its To with `to_tag` added when it has none, then `extra` headers and the body.
pub fn response(
    request: &Request,
    code: u16,
    to_tag: Option<&str>,
    extra: &[(&str, &str)],
    body: Option<Body<'_>>,
) -> Vec<u8> {
    let mut out = String::with_capacity(512);
    let _ = write!(out, "SIP/2.0 {code} {}\r\n", reason_phrase(code));
    for header in request.headers.iter() {
        match header {
            Header::Via(v) => line(&mut out, "Via", v.value()),
            Header::From(v) => line(&mut out, "From", v.value()),
            Header::CallId(v) => line(&mut out, "Call-ID", v.value()),
            Header::CSeq(v) => line(&mut out, "CSeq", v.value()),
            Header::To(v) => {
                let value = v.value();
                match to_tag {
                    Some(tag) if super::headers::param(value, "tag").is_none() && code > 100 => {
                        let _ = write!(out, "To: {value};tag={tag}\r\n");
                    }
                    _ => line(&mut out, "To", value),
                }
            }
            _ => {}
        }
    }
    finish(out, extra, body)
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
    let _ = write!(out, "{name}: {value}\r\n");
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
/// names), a To tag, a Warning that says why, and Allow for 405/501. `None` when the
/// text has no Via to send the response to.
pub fn raw_error_response(text: &str, code: u16, reason: &str) -> Option<Vec<u8>> {
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
                    let _ = write!(head, "To: {value};tag=err{code}\r\n");
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
    let warning = format!("399 {AGENT} \"{}\"", reason.replace(['"', '\\', '\r', '\n'], "'"));
    let mut extra = vec![("Warning", warning.as_str())];
    if code == 405 || code == 501 {
        extra.push(("Allow", ALLOWED));
    }
    Some(finish(head, &extra, None))
}

/// The ACK for a non-2xx final response to an INVITE we wrote (section 17.1.1.3): the
/// INVITE's Request-URI, top Via, From, Call-ID, CSeq number and Route headers, and the
/// To of the response (with the callee's tag).
pub fn ack_for_non_2xx(invite: &[u8], response_to: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(invite).ok()?;
    let mut lines = text.split("\r\n");
    let uri = lines.next()?.split(' ').nth(1)?;
    let mut out = format!("ACK {uri} SIP/2.0\r\n");
    let mut via_done = false;
    for raw in lines.take_while(|l| !l.is_empty()) {
        let (name, value) = raw.split_once(':')?;
        let value = value.trim();
        match name {
            "Via" if !via_done => {
                via_done = true;
                line(&mut out, "Via", value);
            }
            "From" | "Call-ID" | "Route" | "Max-Forwards" => line(&mut out, name, value),
            "CSeq" => {
                let number = value.split(' ').next()?;
                let _ = write!(out, "CSeq: {number} ACK\r\n");
            }
            _ => {}
        }
    }
    line(&mut out, "To", response_to);
    Some(finish(out, &[], None))
}
