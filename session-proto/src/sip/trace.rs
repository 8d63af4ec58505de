//! A SIP message as text for a trace, with its credentials taken out: the values of
//! Authorization and Proxy-Authorization are replaced, keeping the scheme and the
//! user name, so that a trace can be logged or shown without leaking a digest
//! response (which can be attacked offline for the password) or a Basic password.

/// What stands for the removed part of a credentials header.
pub const REDACTED: &str = "…redacted…";

/// The headers whose values carry credentials.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization"];

/// The longest user name kept; a longer one (or one with odd characters) goes too.
const MAX_USER: usize = 64;

/// `datagram` as text (invalid UTF-8 replaced), with every Authorization and
/// Proxy-Authorization value reduced to its scheme, its `username` when it is a plain
/// one, and [`REDACTED`]: `Authorization: Digest username="alice", …redacted…`. Folded
/// continuation lines of such a header go too. The body and every other header are
/// left as they are. Never panics, whatever the bytes.
///
/// ```
/// let register = "REGISTER sip:example.com SIP/2.0\r\n\
///     Authorization: Digest username=\"alice\", nonce=\"abc\", response=\"6629fae4\"\r\n\
///     Content-Length: 0\r\n\r\n";
/// let shown = session_proto::sip::trace::redacted(register.as_bytes());
/// assert!(shown.contains("Authorization: Digest username=\"alice\", …redacted…\r\n"));
/// assert!(!shown.contains("6629fae4") && !shown.contains("abc"));
/// ```
pub fn redacted(datagram: &[u8]) -> String {
    let text = String::from_utf8_lossy(datagram);
    let mut out = String::with_capacity(text.len());
    let (mut rest, mut first, mut in_secret) = (text.as_ref(), true, false);
    while !rest.is_empty() {
        // Lines end in CRLF, or in a bare LF as some senders write them.
        let (line, next) = match rest.find('\n') {
            Some(at) => rest.split_at(at + 1),
            None => (rest, ""),
        };
        rest = next;
        let content = line.trim_end_matches(['\r', '\n']);
        if !first && content.is_empty() {
            // The blank line: the body follows, left as it is.
            out.push_str(line);
            out.push_str(rest);
            break;
        }
        if !first && content.starts_with([' ', '\t']) {
            // A folded line continues the header above it.
            if !in_secret {
                out.push_str(line);
            }
            continue;
        }
        in_secret = false;
        match content.split_once(':') {
            Some((name, value)) if !first && is_secret(name) => {
                in_secret = true;
                out.push_str(name);
                out.push(':');
                out.push_str(&reduce(value));
                out.push_str(&line[content.len()..]);
            }
            _ => out.push_str(line),
        }
        first = false;
    }
    out
}

fn is_secret(name: &str) -> bool {
    let name = name.trim();
    SECRET_HEADERS.iter().any(|secret| name.eq_ignore_ascii_case(secret))
}

/// ` Digest username="alice", …redacted…` from a credentials value.
fn reduce(value: &str) -> String {
    let value = value.trim_start();
    let scheme: String =
        value.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').take(32).collect();
    let mut out = String::from(" ");
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(' ');
    }
    if let Some(user) = username(value) {
        out.push_str(&format!("username=\"{user}\", "));
    }
    out.push_str(REDACTED);
    out
}

/// The `username` parameter of a credentials value, when it is a plain quoted name.
fn username(value: &str) -> Option<&str> {
    let params = value.split_once(char::is_whitespace)?.1;
    params_of(params).into_iter().find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("username") {
            return None;
        }
        let user = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        let plain = user.len() <= MAX_USER
            && user.chars().all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()&=+$,;?/%@".contains(c));
        plain.then_some(user)
    })
}

/// Auth parameters, split at the commas outside quoted strings.
fn params_of(params: &str) -> Vec<&str> {
    let (mut out, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (at, c) in params.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&params[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(&params[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSE: &str = "6629fae49393a05397450978507c4ef1";

    fn register(auth: &str) -> String {
        format!(
            "REGISTER sip:example.com SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtrace\r\n\
             From: <sip:alice@example.com>;tag=1\r\nTo: <sip:alice@example.com>\r\nCall-ID: c1\r\n\
             CSeq: 2 REGISTER\r\n{auth}Content-Length: 4\r\n\r\nbody"
        )
    }

    #[test]
    fn digest_credentials_keep_the_scheme_and_user_only() {
        let auth = format!(
            "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n1\", \
             uri=\"sip:example.com\", response=\"{RESPONSE}\", cnonce=\"c0ffee\", nc=00000001, qop=auth\r\n"
        );
        let shown = redacted(register(&auth).as_bytes());
        assert!(shown.contains("\r\nAuthorization: Digest username=\"alice\", …redacted…\r\n"), "{shown}");
        for secret in [RESPONSE, "c0ffee", "nonce", "n1"] {
            assert!(!shown.contains(secret), "{shown} shows {secret}");
        }
        assert!(shown.starts_with("REGISTER sip:example.com SIP/2.0\r\nVia: "), "{shown}");
        assert!(shown.ends_with("Content-Length: 4\r\n\r\nbody"), "the rest as it was: {shown}");
        // Still a message that parses, with its other headers.
        assert!(crate::sip::inbound::parse(shown.as_bytes(), "REGISTER").is_ok());
    }

    #[test]
    fn proxy_credentials_basic_folded_and_odd_ones_go_too() {
        let cases = [
            ("proxy-authorization :Digest response=\"x1\", username=\"bob\"\r\n", "x1"),
            ("Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n", "YWxpY2U6"),
            ("Authorization: Digest username=\"alice\",\r\n response=\"folded1\"\r\n", "folded1"),
            ("Authorization: Digest username=\"a\\\"b\", response=\"q1\"\r\n", "q1"),
            ("Authorization: Digest xusername=\"evil\", response=\"z1\"\r\n", "evil"),
            ("Authorization:\r\n", "\u{0}"),
        ];
        for (auth, secret) in cases {
            let shown = redacted(register(auth).as_bytes());
            assert!(!shown.contains(secret), "{auth}: {shown}");
            assert!(shown.contains(REDACTED), "{auth}: {shown}");
            assert!(shown.contains("\r\nContent-Length: 4\r\n"), "the next header stays: {shown}");
        }
        let bare =
            register("Authorization: Digest username=\"alice\", response=\"lf1\"\r\n").replace("\r\n", "\n");
        let shown = redacted(bare.as_bytes());
        assert!(
            !shown.contains("lf1") && shown.contains("username=\"alice\", …redacted…\nContent-Length"),
            "{shown}"
        );
        let proxy = redacted(register(cases[0].0).as_bytes());
        assert!(proxy.contains("proxy-authorization : Digest username=\"bob\", …redacted…"), "{proxy}");
    }

    #[test]
    fn a_body_or_start_line_that_names_the_header_is_left_alone_and_bytes_never_panic() {
        let message =
            "MESSAGE sip:bob@example.com SIP/2.0\r\nContent-Length: 27\r\n\r\nAuthorization: not a header";
        assert_eq!(redacted(message.as_bytes()), message);
        assert_eq!(redacted(b"Authorization: x"), "Authorization: x", "a first line is no header");
        for odd in [&b""[..], b"\xff\xfe", b"\r\n\r\n", b"X\r\nAuthorization", b"X\r\n\tcontinued"] {
            let _ = redacted(odd);
        }
    }
}
