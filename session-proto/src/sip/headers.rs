//! The header facts the transaction and dialog layers need, read once per message.
//!
//! rsip keeps header values as text and re-parses them on each typed access; the
//! layers above consult these few fields many times, so they are extracted once here.

use rsipstack::rsip::{Header, Headers, Method};

/// What routing a message needs: transaction key, dialog key, sequencing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Essentials {
    /// The top Via's `branch` parameter; empty when the top Via has none, as an RFC
    /// 2543 client may send (such requests are matched by the section 17.2.3 fallback).
    pub branch: String,
    /// The Call-ID.
    pub call_id: String,
    /// The From tag.
    pub from_tag: Option<String>,
    /// The To tag.
    pub to_tag: Option<String>,
    /// The CSeq number.
    pub cseq: u32,
    /// The CSeq method.
    pub cseq_method: Method,
}

/// Why a message lacks what every SIP message must carry (RFC 3261 section 8.1.1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MissingHeader {
    /// No Via.
    #[error("missing Via header")]
    Via,
    /// No Call-ID.
    #[error("missing Call-ID header")]
    CallId,
    /// No From.
    #[error("missing From header")]
    From,
    /// No To.
    #[error("missing To header")]
    To,
    /// No CSeq, or one that is not `NUMBER METHOD`.
    #[error("missing or malformed CSeq header")]
    CSeq,
}

impl Essentials {
    /// Extracts the essentials, or says which one is missing.
    pub fn of(headers: &Headers) -> Result<Self, MissingHeader> {
        let mut via = None;
        let (mut call_id, mut from, mut to, mut cseq) = (None, None, None, None);
        for header in headers.iter() {
            match header {
                Header::Via(v) if via.is_none() => via = Some(v.value()),
                Header::CallId(v) if call_id.is_none() => call_id = Some(v.value()),
                Header::From(v) if from.is_none() => from = Some(v.value()),
                Header::To(v) if to.is_none() => to = Some(v.value()),
                Header::CSeq(v) if cseq.is_none() => cseq = Some(v.value()),
                _ => {}
            }
        }
        // The top Via is the first value of the first Via line (`Via: a, b` holds two).
        let top_via = via.and_then(|v| v.split(',').next());
        let top_via = top_via.map(str::trim).filter(|v| !v.is_empty()).ok_or(MissingHeader::Via)?;
        let branch = param(top_via, "branch").unwrap_or_default();
        let call_id = call_id.map(str::trim).filter(|c| !c.is_empty()).ok_or(MissingHeader::CallId)?;
        // An empty From or To is none (found by tests/fuzz_parser.rs: with `To:` empty and
        // a second To below it, the answer copied the second one's tag).
        let from = from.filter(|v| !v.trim().is_empty()).ok_or(MissingHeader::From)?;
        let to = to.filter(|v| !v.trim().is_empty()).ok_or(MissingHeader::To)?;
        let (number, method) =
            cseq.and_then(|c| c.trim().split_once(char::is_whitespace)).ok_or(MissingHeader::CSeq)?;
        Ok(Self {
            branch: branch.to_owned(),
            call_id: call_id.to_owned(),
            from_tag: param(from, "tag").map(str::to_owned),
            to_tag: param(to, "tag").map(str::to_owned),
            cseq: number.trim().parse().map_err(|_| MissingHeader::CSeq)?,
            cseq_method: method.trim().parse().map_err(|_| MissingHeader::CSeq)?,
        })
    }
}

/// The value of `;name=value` in a header value, outside any `<...>` URI.
pub fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    let params = match value.rfind('>') {
        Some(end) => &value[end + 1..],
        None => value,
    };
    params.split(';').skip(1).find_map(|p| {
        let (key, val) = p.split_once('=').unwrap_or((p, ""));
        key.trim().eq_ignore_ascii_case(name).then(|| val.trim())
    })
}

/// The URI inside a name-addr (`"Bob" <sip:bob@host>;tag=1` → `sip:bob@host`), or the
/// addr-spec itself without header parameters.
pub fn uri_of(value: &str) -> &str {
    match (value.find('<'), value.find('>')) {
        (Some(start), Some(end)) if start < end => &value[start + 1..end],
        _ => value.split(';').next().unwrap_or(value).trim(),
    }
}

/// The URI of the From header (without display name or parameters), if there is one.
pub fn from_uri(headers: &Headers) -> Option<&str> {
    first(headers, |h| match h {
        Header::From(v) => Some(uri_of(v.value())),
        _ => None,
    })
}

/// The URI of the To header (without display name or parameters), if there is one.
pub fn to_uri(headers: &Headers) -> Option<&str> {
    first(headers, |h| match h {
        Header::To(v) => Some(uri_of(v.value())),
        _ => None,
    })
}

/// The first header of a kind, by its value.
pub fn first<'a>(headers: &'a Headers, pick: impl Fn(&'a Header) -> Option<&'a str>) -> Option<&'a str> {
    headers.iter().find_map(pick)
}

/// The Content-Type value, if any.
pub fn content_type(headers: &Headers) -> Option<&str> {
    first(headers, |h| match h {
        Header::ContentType(v) => Some(v.value()),
        _ => None,
    })
}

/// The Contact URI, if any.
pub fn contact_uri(headers: &Headers) -> Option<&str> {
    first(headers, |h| match h {
        Header::Contact(v) => Some(uri_of(v.value())),
        _ => None,
    })
}

/// The body as SDP text: the body when it is `application/sdp`, or its SDP part when
/// it is `multipart/*` ([`super::body::sdp`]).
pub fn sdp_body<'a>(headers: &Headers, body: &'a [u8]) -> Option<&'a str> {
    super::body::sdp(content_type(headers)?, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_read_outside_the_uri() {
        let from = "\"Alice\" <sip:alice@h;tag=wrong>;tag=abc;x=1";
        assert_eq!(param(from, "tag"), Some("abc"));
        assert_eq!(param("sip:bob@h;tag=9", "tag"), Some("9"));
        assert_eq!(param("<sip:bob@h>", "tag"), None);
        assert_eq!(param("SIP/2.0/UDP 1.2.3.4;rport;Branch=z9hG4bK1", "branch"), Some("z9hG4bK1"));
        assert_eq!(uri_of("\"Bob\" <sip:bob@host:5060>;tag=1"), "sip:bob@host:5060");
        assert_eq!(uri_of("sip:bob@host;tag=1"), "sip:bob@host");
    }

    #[test]
    fn an_empty_from_or_to_is_missing() {
        let request = |from: &str, to: &str| {
            format!(
                "OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP a:5060;branch=z9hG4bK1\r\nFrom:{from}\r\n\
                 To:{to}\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            )
        };
        for (from, to) in [(" <sip:a@h>;tag=1", ""), (" <sip:a@h>;tag=1", "  "), ("", " <sip:b@h>")] {
            let refused = crate::sip::inbound::parse(request(from, to).as_bytes(), "").expect_err("refused");
            let answer = String::from_utf8(refused.response.expect("answered")).unwrap();
            assert!(answer.starts_with("SIP/2.0 400 "), "{answer}");
        }
        // (A second To is refused on its own by the header rules: one To only.)
        let fine = request(" <sip:a@h>;tag=1", " <sip:b@h>").replace("To: <sip:b@h>;tag=2\r\n", "");
        let fine = crate::sip::inbound::parse(fine.as_bytes(), "");
        assert!(matches!(fine, Ok(crate::sip::inbound::Inbound::Request(..))));
    }

    #[test]
    fn the_branch_is_the_top_via_values_even_on_a_line_of_several() {
        let message = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a:5060;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\n\
                       From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\
                       Content-Length: 0\r\n\r\n";
        let Ok(crate::sip::inbound::Inbound::Response(_, essentials)) =
            crate::sip::inbound::parse(message.as_bytes(), "")
        else {
            panic!("a response");
        };
        assert_eq!(essentials.branch, "z9hG4bK1");
    }
}
