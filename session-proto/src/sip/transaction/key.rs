//! Which server transaction a request belongs to (RFC 3261 section 17.2.3).
//!
//! A request whose top Via branch carries the magic cookie matches the transaction
//! with the same branch, the same top Via sent-by (host and port) and the same method,
//! an ACK matching its INVITE. A CANCEL is a transaction of its own; the INVITE it
//! cancels is the one with its branch and sent-by ([`ServerKey::with_method`]).
//!
//! A branch without the cookie comes from an RFC 2543 client, whose branches need
//! not be unique: such a request matches on its Request-URI, Call-ID, From tag, CSeq
//! number, whole top Via and method (ACK as INVITE), the section's fallback. The To
//! tag, which the fallback also compares, is left out: an ACK carries the tag of our
//! response while its INVITE had none, and every other field already tells requests
//! apart. A request whose top Via has no branch at all (RFC 2543 did not require
//! one) takes the same fallback: its [`Essentials::branch`] is empty.

use rsipstack::rsip::{Header, Method, Request};

use super::MAGIC;
use crate::sip::headers::Essentials;

/// The key of a server transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum ServerKey {
    /// A branch with the magic cookie, the top Via's sent-by (lowercase, without
    /// whitespace) and the method.
    Branch { branch: Box<str>, sent_by: Box<str>, method: Method },
    /// The RFC 2543 fallback: what identifies the request instead of its branch.
    Legacy {
        uri: Box<str>,
        call_id: Box<str>,
        from_tag: Option<Box<str>>,
        cseq: u32,
        via: Box<str>,
        method: Method,
    },
}

impl ServerKey {
    /// The key of `request` (ACK counts as INVITE).
    pub fn of(request: &Request, essentials: &Essentials) -> Self {
        let method = if request.method == Method::Ack { Method::Invite } else { request.method };
        let top_via = top_via(request);
        if essentials.branch.starts_with(MAGIC) {
            let sent_by = top_via.map(sent_by).unwrap_or_default();
            return ServerKey::Branch {
                branch: essentials.branch.as_str().into(),
                sent_by: sent_by.into(),
                method,
            };
        }
        ServerKey::Legacy {
            uri: request.uri.to_string().into(),
            call_id: essentials.call_id.as_str().into(),
            from_tag: essentials.from_tag.as_deref().map(Into::into),
            cseq: essentials.cseq,
            via: top_via.unwrap_or_default().trim().into(),
            method,
        }
    }

    /// The key of an INVITE with an RFC 3261 `branch` under the top Via `top_via`.
    pub fn invite(branch: &str, top_via: &str) -> Self {
        ServerKey::Branch { branch: branch.into(), sent_by: sent_by(top_via).into(), method: Method::Invite }
    }

    /// The same key for another method: a CANCEL's key with INVITE finds the
    /// transaction it cancels.
    pub fn with_method(&self, method: Method) -> Self {
        let mut key = self.clone();
        match &mut key {
            ServerKey::Branch { method: m, .. } | ServerKey::Legacy { method: m, .. } => *m = method,
        }
        key
    }
}

/// The top Via: the first value of the first Via line (`Via: a, b` holds two).
fn top_via(request: &Request) -> Option<&str> {
    let line = request.headers.iter().find_map(|h| match h {
        Header::Via(v) => Some(v.value()),
        _ => None,
    })?;
    line.split(',').next()
}

/// The sent-by of a Via value (`SIP/2.0/UDP host:port;params` → `host:port`),
/// lowercase and without the whitespace the grammar allows around its colon.
fn sent_by(via: &str) -> String {
    // `SIP / 2.0 / UDP` may be spaced out too: the transport follows the last slash.
    let before_params = via.split(';').next().unwrap_or("");
    let transport_on = before_params.rsplit_once('/').map_or("", |(_, rest)| rest).trim_start();
    let sent_by = transport_on.split_once(char::is_whitespace).map_or("", |(_, rest)| rest);
    sent_by.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_by_is_host_and_port_in_lowercase() {
        assert_eq!(sent_by("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport"), "192.0.2.1:5060");
        assert_eq!(sent_by(" SIP/2.0/UDP  Host.Example.COM : 5070 ;branch=x"), "host.example.com:5070");
        assert_eq!(sent_by("SIP/2.0/UDP [2001:db8::1]:5060;branch=x"), "[2001:db8::1]:5060");
        assert_eq!(sent_by("SIP / 2.0 / UDP h:1;branch=x"), "h:1");
        assert_eq!(sent_by("SIP/2.0/UDP h"), "h");
        assert_eq!(sent_by("garbage"), "");
        assert_eq!(sent_by(""), "");
    }
}
