//! Datagram → checked SIP message, or the reason it is refused.
//!
//! rsip parses; this module checks what rsip lets through (the SIP version, a
//! Content-Length longer than the body, extension methods it cannot represent, missing
//! mandatory headers, and the header rules of the grammar: control characters, a
//! second From or Content-Length) and, for a request that cannot be processed, builds the error
//! response from the raw header lines, so even a request rsip cannot parse is answered
//! `400 Bad Request` when it carries a Via to answer to.

use rsipstack::rsip::{Method, Request, Response, SipMessage};

use super::headers::Essentials;
use super::{grammar, write};

/// Largest header section we process; bigger requests get 513 Message Too Large.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// A parsed, checked message (its `Debug` shows no header values: a request may carry
/// credentials).
pub enum Inbound {
    /// A request and its essentials.
    Request(Request, Essentials),
    /// A response and its essentials.
    Response(Response, Essentials),
}

impl std::fmt::Debug for Inbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::redact::{RequestView, ResponseView};
        match self {
            Inbound::Request(request, essentials) => {
                f.debug_tuple("Request").field(&RequestView(request)).field(essentials).finish()
            }
            Inbound::Response(response, essentials) => {
                f.debug_tuple("Response").field(&ResponseView(response)).field(essentials).finish()
            }
        }
    }
}

/// A datagram we will not process.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    /// Why, for the log.
    pub reason: String,
    /// The error response to send back, when the datagram is a request we can answer.
    pub response: Option<Vec<u8>>,
}

/// Parses and checks one datagram. `allow` is the endpoint's Allow header value, for
/// the 501 that answers a method rsip does not know.
pub fn parse(datagram: &[u8], allow: &str) -> Result<Inbound, Refused> {
    let refuse = |code: u16, why: &str| refuse(datagram, code, why, allow);
    let Some(split) = find(datagram, b"\r\n\r\n") else {
        return Err(refuse(400, "no blank line after the headers (truncated message?)"));
    };
    let (head, body) = (&datagram[..split], &datagram[split + 4..]);
    if head.len() > MAX_HEADER_BYTES {
        return Err(refuse(513, "header section larger than 16 KiB"));
    }
    let Ok(head_text) = std::str::from_utf8(head) else {
        return Err(refuse(400, "headers are not UTF-8"));
    };
    let start = head_text.lines().next().unwrap_or("");
    let is_response = start.starts_with("SIP/");
    if !is_response {
        check_request_line(start).map_err(|(code, why)| refuse(code, &why))?;
    } else if !start.starts_with("SIP/2.0 ") {
        return Err(dropped(format!("response with unsupported version: {start:.80}")));
    } else if !is_status_code(&start["SIP/2.0 ".len()..]) {
        return Err(dropped(format!("response without a status code from 100 to 699: {start:.80}")));
    }
    if let Err(broken) = grammar::check(head_text) {
        return Err(if is_response { dropped(format!("response: {broken}")) } else { refuse(400, &broken) });
    }
    if let Some(declared) = declared_length(head_text) {
        let Ok(declared) = declared else {
            return Err(refuse(400, "Content-Length is not a number"));
        };
        if declared > body.len() {
            let why = format!("Content-Length {declared} but the body has {} bytes", body.len());
            return Err(refuse(400, &why));
        }
    }
    let message = match SipMessage::try_from(datagram) {
        Ok(message) => message,
        Err(error) => return Err(refuse(400, &format!("unparseable: {error}"))),
    };
    match message {
        SipMessage::Request(request) => {
            let essentials = Essentials::of(&request.headers).map_err(|e| refuse(400, &e.to_string()))?;
            if essentials.cseq_method != request.method && request.method != Method::Ack {
                return Err(refuse(400, "CSeq method differs from the request method"));
            }
            Ok(Inbound::Request(request, essentials))
        }
        SipMessage::Response(response) => {
            let essentials =
                Essentials::of(&response.headers).map_err(|e| dropped(format!("response: {e}")))?;
            Ok(Inbound::Response(response, essentials))
        }
    }
}

/// `METHOD SP Request-URI SP SIP/2.0`; unknown methods get 501, other versions 505.
fn check_request_line(line: &str) -> Result<(), (u16, String)> {
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err((400, format!("malformed request line: {line:.80}")));
    };
    let is_token =
        !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
    if !is_token || !uri.contains(':') {
        return Err((400, format!("malformed request line: {line:.80}")));
    }
    if !version.starts_with("SIP/") {
        return Err((400, format!("malformed request line: {line:.80}")));
    }
    if version != "SIP/2.0" {
        return Err((505, format!("version {version:.16} is not supported")));
    }
    if method.parse::<Method>().is_err() {
        return Err((501, format!("method {method:.32} is not implemented")));
    }
    Ok(())
}

/// Whether the rest of a status line after `SIP/2.0 ` starts with a Status-Code: three
/// digits (RFC 3261 section 25.1) of a class from 1xx to 6xx (section 21), then a space
/// or the line's end. Anything else, such as `0`, `99` or `999`, is no response the
/// transaction layer can class, and is dropped.
fn is_status_code(rest: &str) -> bool {
    let digits = rest.as_bytes();
    digits.len() >= 3
        && (b'1'..=b'6').contains(&digits[0])
        && digits[1..3].iter().all(u8::is_ascii_digit)
        && digits.get(3).is_none_or(|&b| b == b' ')
}

/// The Content-Length header value, if present (`l` is its compact form).
fn declared_length(head: &str) -> Option<Result<usize, ()>> {
    head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l"))
            .then(|| value.trim().parse::<usize>().map_err(|_| ()))
    })
}

fn dropped(reason: String) -> Refused {
    Refused { reason, response: None }
}

/// A refusal that answers the request with `code` when it has a Via to answer to and is
/// not an ACK (which is never answered).
fn refuse(datagram: &[u8], code: u16, reason: &str, allow: &str) -> Refused {
    let text = String::from_utf8_lossy(&datagram[..datagram.len().min(MAX_HEADER_BYTES)]);
    let start = text.lines().next().unwrap_or("");
    let answerable = !start.starts_with("SIP/") && !start.starts_with("ACK ");
    let response = answerable.then(|| write::raw_error_response(&text, code, reason, allow)).flatten();
    Refused { reason: reason.to_owned(), response }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: &str) -> Vec<u8> {
        format!(
            "SIP/2.0 {status}\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\n\
             To: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_response_needs_a_status_code_from_100_to_699() {
        // Found by tests/fuzz_parser.rs: rsip reads any number, and the transaction layer
        // took `0` or `99` for a provisional response and `999` for a final one.
        for status in
            ["0 Whatever", "99 Whatever", "999 Whatever", "700 Whatever", "2000 X", "20 0 OK", "1x0 X"]
        {
            let refused = parse(&response(status), "").expect_err(status);
            assert!(refused.response.is_none(), "a response is never answered: {status}");
        }
        for status in ["100 Trying", "200 OK", "699 Whatever", "486"] {
            assert!(matches!(parse(&response(status), ""), Ok(Inbound::Response(..))), "{status}");
        }
    }
}
