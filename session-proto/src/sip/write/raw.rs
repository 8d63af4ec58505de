//! Messages written from the raw text of another: error responses to requests we could
//! not parse or will not process, and the ACK, CANCEL or challenged request derived from
//! a request we sent or forwarded, whatever its header spelling.

use std::fmt::Write;

use super::{finish, line, reason_phrase, warning};

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
                if crate::sip::headers::param(value, "tag").is_none() {
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
    use super::super::{Body, RequestLine, request};
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
