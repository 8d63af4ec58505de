//! `Debug` views of SIP messages that leave out what a message may carry that is
//! secret: header values (Authorization and Proxy-Authorization among them), the
//! Request-URI (it may hold a password, `sip:user:password@host`) and the body.
//!
//! A datagram shows its method or status code, its top Via branch and its length; a
//! parsed message its method or status code, how many headers it has and its body's
//! length. Every type holding a whole message formats it through these.

use std::fmt;

use rsipstack::rsip::{Request, Response};

/// The longest branch shown; a longer one (or one with odd characters) shows as `?`.
const MAX_BRANCH: usize = 64;

/// A datagram (request or response bytes) for `Debug`: its method or status code, the
/// branch of its first Via, and its length.
pub(crate) struct Datagram<'a>(pub &'a [u8]);

impl fmt::Debug for Datagram<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Datagram");
        if self.0.starts_with(b"SIP/2.0 ") {
            out.field("status", &status_code(self.0));
        } else {
            out.field("method", &method(self.0).unwrap_or("?"));
        }
        if let Some(branch) = top_branch(self.0) {
            out.field("branch", &branch);
        }
        out.field("len", &self.0.len()).finish()
    }
}

/// A parsed request for `Debug`: its method, its number of headers and its body's length.
pub(crate) struct RequestView<'a>(pub &'a Request);

impl fmt::Debug for RequestView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &format_args!("{}", self.0.method))
            .field("headers", &self.0.headers.iter().count())
            .field("body_len", &self.0.body.len())
            .finish_non_exhaustive()
    }
}

/// A parsed response for `Debug`: its status code, its number of headers and its
/// body's length.
pub(crate) struct ResponseView<'a>(pub &'a Response);

impl fmt::Debug for ResponseView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.0.status_code.code())
            .field("headers", &self.0.headers.iter().count())
            .field("body_len", &self.0.body.len())
            .finish_non_exhaustive()
    }
}

/// An optional datagram for `Debug`.
pub(crate) fn datagram(bytes: &Option<impl AsRef<[u8]>>) -> Option<Datagram<'_>> {
    bytes.as_ref().map(|b| Datagram(b.as_ref()))
}

/// A request's method: the first word of its first line, when it is a plain token.
fn method(bytes: &[u8]) -> Option<&str> {
    let word = bytes.split(|&b| b == b' ' || b == b'\r' || b == b'\n').next()?;
    let word = std::str::from_utf8(word).ok()?;
    let plain =
        !word.is_empty() && word.len() <= 32 && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    plain.then_some(word)
}

/// A response's three-digit status code, or `?`.
fn status_code(bytes: &[u8]) -> &str {
    bytes
        .get(8..11)
        .filter(|code| code.iter().all(u8::is_ascii_digit))
        .and_then(|code| std::str::from_utf8(code).ok())
        .unwrap_or("?")
}

/// The `branch` parameter of the first Via header line (`Via:` or the compact `v:`),
/// when it is a plain token of reasonable length.
fn top_branch(bytes: &[u8]) -> Option<&str> {
    let head = std::str::from_utf8(bytes).ok().or_else(|| {
        // Not UTF-8 throughout (a binary body, say): the header section may still be.
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        std::str::from_utf8(&bytes[..end]).ok()
    })?;
    let head = head.split("\r\n\r\n").next()?;
    let via = head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("via") || name.eq_ignore_ascii_case("v")).then_some(value)
    })?;
    let first = via.split(',').next()?;
    let branch = first.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case("branch").then(|| value.trim())
    })?;
    let token = |b: u8| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b);
    let plain = !branch.is_empty() && branch.len() <= MAX_BRANCH && branch.bytes().all(token);
    Some(if plain { branch } else { "?" })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = "REGISTER sip:alice:hunter2@example.com SIP/2.0\r\n\
        v: SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bKabc\r\n\
        Authorization: Digest username=\"alice\", response=\"6629fae49393a05397450978507c4ef1\"\r\n\
        Content-Length: 4\r\n\r\nbody";

    #[test]
    fn a_datagram_shows_its_method_branch_and_length_only() {
        for out in
            [format!("{:?}", Datagram(REQUEST.as_bytes())), format!("{:#?}", Datagram(REQUEST.as_bytes()))]
        {
            assert!(out.contains("REGISTER") && out.contains("z9hG4bKabc"), "{out}");
            assert!(out.contains(&REQUEST.len().to_string()), "{out}");
            for secret in ["6629fae4", "hunter2", "Digest", "body", "alice"] {
                assert!(!out.contains(secret), "{out} shows {secret}");
            }
        }
        let response = b"SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n\r\n";
        assert_eq!(
            format!("{:?}", Datagram(response)),
            "Datagram { status: \"401\", branch: \"z9hG4bKx\", len: 64 }"
        );
    }

    #[test]
    fn odd_datagrams_are_shown_without_panicking() {
        let long = format!("INVITE x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch={}\r\n\r\n", "a".repeat(100));
        assert!(format!("{:?}", Datagram(long.as_bytes())).contains("branch: \"?\""));
        for odd in [
            &b""[..],
            b"\xff\xfe\r\n",
            b"SIP/2.0 4",
            b"SIP/2.0 abc",
            b"X\r\nVia: ;branch=\"q\"\r\n",
            b"\r\n\r\n",
        ] {
            let out = format!("{:?}", Datagram(odd));
            assert!(out.contains(&format!("len: {}", odd.len())), "{out}");
        }
    }
}
