//! A quick look at a datagram's header section without parsing it: enough to tell a
//! new INVITE (and the ACK of a refusal) from the rest while the endpoint is
//! overloaded, when turning a call away must cost far less than a full parse.
//!
//! Only what is unambiguous is answered: a head this cannot read plainly (no blank
//! line, not UTF-8, a top Via without an RFC 3261 branch) gets `None`, and the full
//! parser decides as usual.

use super::grammar;
use super::headers::param;
use super::transaction::MAGIC;

/// What a new INVITE's head says of its transaction.
#[derive(Debug, PartialEq, Eq)]
pub struct NewInvite<'a> {
    /// The top Via value (the first of the first Via line).
    pub top_via: &'a str,
    /// Its branch, with the magic cookie.
    pub branch: &'a str,
    /// The whole header section, for the refusal's copied lines.
    pub head: &'a str,
}

/// The header section of `datagram` when it is readable text.
fn head(datagram: &[u8]) -> Option<&str> {
    let end = datagram.windows(4).position(|w| w == b"\r\n\r\n")?;
    std::str::from_utf8(&datagram[..end]).ok()
}

/// `datagram` as a new INVITE: its request line names INVITE and its To has no tag.
pub fn new_invite(datagram: &[u8]) -> Option<NewInvite<'_>> {
    if !datagram.starts_with(b"INVITE ") {
        return None;
    }
    let head = head(datagram)?;
    let (mut top_via, mut to) = (None, None);
    for (name, value) in grammar::headers(head) {
        match grammar::full_name(name) {
            n if n.eq_ignore_ascii_case("Via") && top_via.is_none() => top_via = value.split(',').next(),
            n if n.eq_ignore_ascii_case("To") => to = Some(value),
            _ => {}
        }
    }
    if param(to?, "tag").is_some() {
        return None;
    }
    let top_via = top_via?.trim();
    let branch = param(top_via, "branch").filter(|b| b.starts_with(MAGIC))?;
    Some(NewInvite { top_via, branch, head })
}

/// Whether `datagram` is an ACK whose To carries `tag`.
pub fn is_ack_with_tag(datagram: &[u8], tag: &str) -> bool {
    if !datagram.starts_with(b"ACK ") {
        return false;
    }
    let Some(head) = head(datagram) else { return false };
    let mut to = grammar::headers(head).filter(|(n, _)| grammar::full_name(n).eq_ignore_ascii_case("To"));
    to.next().and_then(|(_, value)| param(value, "tag")) == Some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:b@h SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKab;rport, \
                          SIP/2.0/UDP p\r\nt: <sip:b@h>\r\nFrom: <sip:a@h>;tag=1\r\n\r\nv=0\r\n";

    #[test]
    fn a_new_invite_is_told_by_its_request_line_and_its_to_without_a_tag() {
        let found = new_invite(INVITE.as_bytes()).expect("a new INVITE");
        assert_eq!(found.top_via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKab;rport");
        assert_eq!(found.branch, "z9hG4bKab");
        assert!(new_invite(INVITE.replace("t: <sip:b@h>", "To: <sip:b@h>;tag=x").as_bytes()).is_none());
        assert!(new_invite(INVITE.replace("z9hG4bKab", "legacy1").as_bytes()).is_none(), "RFC 2543 branch");
        assert!(new_invite(INVITE.replacen("INVITE", "OPTIONS", 1).as_bytes()).is_none());
        assert!(new_invite(&INVITE.as_bytes()[..40]).is_none(), "no blank line");
        assert!(new_invite(b"INVITE \xff\xfe\r\n\r\n").is_none());
    }

    #[test]
    fn the_ack_of_a_refusal_is_told_by_its_to_tag() {
        let ack =
            "ACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:b@h>;tag=overload\r\n\r\n";
        assert!(is_ack_with_tag(ack.as_bytes(), "overload"));
        assert!(!is_ack_with_tag(ack.replace("overload", "other").as_bytes(), "overload"));
        assert!(!is_ack_with_tag(INVITE.as_bytes(), "overload"));
    }
}
