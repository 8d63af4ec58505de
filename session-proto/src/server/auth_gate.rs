//! Digest authentication of the requests the registrar and the proxy take (RFC 3261
//! section 22): the challenge, the check, and what a failure costs the address it
//! came from ([`super::FailureLimits`]).
//!
//! An unknown user, a wrong password and a forged nonce get the same answer: the
//! [`Verifier`](crate::auth::Verifier) gives one verdict for all, and the answer's To
//! tag is derived from the request rather than drawn at random, so two answers to the
//! same request differ in the nonce only.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use rand::Rng;
use rsipstack::rsip::{Header, Request};

use super::limits::Standing;
use super::{Origin, Server};
use crate::auth::Verdict;
use crate::deadlines::Deadline;
use crate::endpoint::core::Core;
use crate::location::NonceUse;
use crate::sip::headers::Essentials;
use crate::sip::transaction::{Reply, ServerTxId};

/// Which pair of headers carries the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// The registrar's: 401 with WWW-Authenticate, answered with Authorization.
    Www,
    /// The proxy's: 407 with Proxy-Authenticate, answered with Proxy-Authorization.
    Proxy,
}

impl Scheme {
    fn code(self) -> u16 {
        match self {
            Scheme::Www => 401,
            Scheme::Proxy => 407,
        }
    }

    fn challenge_header(self) -> &'static str {
        match self {
            Scheme::Www => "WWW-Authenticate",
            Scheme::Proxy => "Proxy-Authenticate",
        }
    }

    /// The credentials in `header`, when it is this scheme's.
    fn credentials(self, header: &Header) -> Option<&str> {
        match (self, header) {
            (Scheme::Www, Header::Authorization(v)) => Some(v.value()),
            (Scheme::Proxy, Header::ProxyAuthorization(v)) => Some(v.value()),
            _ => None,
        }
    }
}

/// A request whose credentials are right: who sent it, and the nonce use the location
/// store must still accept (it refuses a replayed count).
///
/// The nonce use is keyed by the nonce alone (RFC 7616 section 3.4: `nc` counts the
/// requests sent with one nonce, whatever their `cnonce`). Every challenge carries a
/// nonce of its own (its random part is drawn from the endpoint's seeded generator),
/// so two clients never share a count, and a replay of a count is refused even under
/// another cnonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Passed {
    pub user: String,
    pub nonce: NonceUse,
}

/// An answer held back until `at`.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    at: Instant,
    code: u16,
    tag: String,
    headers: Vec<(&'static str, String)>,
}

impl Server {
    /// Checks the credentials `request` carries for our realm. `None` when the request
    /// has been answered: challenged (no credentials, a stale nonce, wrong ones) or
    /// refused (its address is blocked). With the request's bytes `raw`, the
    /// credentials' `uri` must also be its Request-URI exactly as written (RFC 7616
    /// section 3.4.6), so that an answer cannot be moved to another target.
    pub(super) fn authenticate(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        request: &Request,
        raw: Option<&[u8]>,
        scheme: Scheme,
    ) -> Option<Passed> {
        if self.failures.standing(origin.source.ip(), now) == Standing::Blocked {
            self.answer(core, now, origin, 403, Vec::new());
            return None;
        }
        let realm = self.verifier.realm();
        let ours =
            request.headers.iter().filter_map(|h| scheme.credentials(h)).find(|c| realm_of(c) == Some(realm));
        let Some(credentials) = ours else {
            self.challenge(core, now, origin, scheme, false, Duration::ZERO);
            return None;
        };
        let method = request.method.to_string();
        let (users, unix) = (&self.config.users, self.config.unix_time(now));
        let verdict = match raw.and_then(request_line_uri) {
            Some(uri) => self.verifier.verify_for_uri(credentials, &method, uri, users, unix),
            None => self.verifier.verify(credentials, &method, users, unix),
        };
        match verdict {
            Verdict::Valid { user, nonce, nc, nonce_expires_at } => {
                Some(Passed { user, nonce: NonceUse { nonce, nc, expires_at: nonce_expires_at } })
            }
            Verdict::Stale => {
                self.challenge(core, now, origin, scheme, true, Duration::ZERO);
                None
            }
            Verdict::Invalid { why } => {
                tracing::debug!(source = %origin.source, why, "authentication failed");
                self.auth_failed(core, now, origin, scheme);
                None
            }
        }
    }

    /// A failed authentication of a request: counted against its source, then
    /// challenged again (held back once the address keeps failing) or refused with 403.
    pub(super) fn auth_failed(&mut self, core: &mut Core, now: Instant, origin: &Origin, scheme: Scheme) {
        match self.failures.failed(origin.source.ip(), now) {
            Standing::Clear => self.challenge(core, now, origin, scheme, false, Duration::ZERO),
            Standing::Slowed(delay) => self.challenge(core, now, origin, scheme, false, delay),
            Standing::Blocked => self.answer(core, now, origin, 403, Vec::new()),
        }
    }

    /// 401 or 407 with two challenges sharing a fresh nonce, SHA-256 first, then MD5
    /// (RFC 8760), or the other way round when the configuration says `md5_first`;
    /// sent after `delay`.
    fn challenge(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        scheme: Scheme,
        stale: bool,
        delay: Duration,
    ) {
        let random = core.rng.random::<u64>();
        let [sha256, md5] = self.verifier.challenges(self.config.unix_time(now), random, stale);
        let name = scheme.challenge_header();
        let challenges = if self.config.md5_first {
            vec![(name, md5), (name, sha256)]
        } else {
            vec![(name, sha256), (name, md5)]
        };
        self.answer_after(core, now, origin, scheme.code(), challenges, delay);
    }

    /// Answers the request now with `code` and `headers`, with the To tag [`quiet_tag`]
    /// derives from it.
    pub(super) fn answer(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        code: u16,
        headers: Vec<(&'static str, String)>,
    ) {
        self.answer_after(core, now, origin, code, headers, Duration::ZERO);
    }

    /// [`answer`](Server::answer), after `delay`.
    fn answer_after(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        code: u16,
        headers: Vec<(&'static str, String)>,
        delay: Duration,
    ) {
        let tag = quiet_tag(&origin.essentials);
        if delay.is_zero() {
            return send(core, now, origin.tx, code, &tag, &headers);
        }
        let at = now + delay;
        self.held.insert(origin.tx, Held { at, code, tag, headers });
        core.deadlines.schedule(at, Deadline::Reply(origin.tx));
    }

    /// A held-back answer falls due.
    pub fn on_held(&mut self, core: &mut Core, now: Instant, tx: ServerTxId) {
        if self.held.get(&tx).is_some_and(|held| held.at <= now)
            && let Some(held) = self.held.remove(&tx)
        {
            send(core, now, tx, held.code, &held.tag, &held.headers);
        }
    }
}

fn send(
    core: &mut Core,
    now: Instant,
    tx: ServerTxId,
    code: u16,
    tag: &str,
    headers: &[(&'static str, String)],
) {
    let extra: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let reply = Reply { to_tag: Some(tag), extra: &extra, body: None };
    core.tx.respond(now, tx, code, reply, &mut core.deadlines);
}

/// The Request-URI of a request's bytes, as written.
fn request_line_uri(raw: &[u8]) -> Option<&str> {
    let end = raw.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(raw.len());
    std::str::from_utf8(raw.get(..end)?).ok()?.split(' ').nth(1)
}

/// A To tag made from what identifies the request (Call-ID, From tag, CSeq): the same
/// request always gets the same one, so an answer tells nothing a second answer would
/// not. It creates no dialog; uniqueness across requests is all it needs.
pub(crate) fn quiet_tag(essentials: &Essentials) -> String {
    let mut hasher = DefaultHasher::new();
    (&essentials.call_id, &essentials.from_tag, essentials.cseq).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The `realm` parameter of `Digest` credentials (or a challenge), unquoted.
pub(crate) fn realm_of(credentials: &str) -> Option<&str> {
    digest_param(credentials, "realm")
}

/// A parameter of `Digest` credentials (or a challenge), unquoted (escapes kept).
fn digest_param<'a>(credentials: &'a str, wanted: &str) -> Option<&'a str> {
    let trimmed = credentials.trim_start();
    let scheme = trimmed.get(..6).filter(|s| s.eq_ignore_ascii_case("digest"))?;
    let mut rest = trimmed.get(scheme.len()..)?;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let (name, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, tail) = match after.strip_prefix('"') {
            Some(quoted) => {
                let end = closing_quote(quoted)?;
                (quoted.get(..end)?, quoted.get(end + 1..)?)
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after.get(..end)?.trim(), after.get(end..)?)
            }
        };
        if name.trim().eq_ignore_ascii_case(wanted) {
            return Some(value);
        }
        rest = tail;
    }
}

/// Where the quoted string that `text` continues ends (a `\` escapes the next char).
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_realm_is_read_from_credentials_in_any_order_and_case() {
        let value = r#"Digest username="al, ice", REALM = "example.com",nonce="n", uri="sip:x""#;
        assert_eq!(realm_of(value), Some("example.com"));
        assert_eq!(realm_of(r#"digest realm=token.example, nonce="n""#), Some("token.example"));
        assert_eq!(realm_of(r#"Digest username="realm=\"evil\"", realm="good""#), Some("good"));
        assert_eq!(realm_of(r#"Basic realm="example.com""#), None);
        assert_eq!(realm_of(r#"Digest realm="unterminated"#), None);
        assert_eq!(realm_of(""), None);
        assert_eq!(digest_param(r#"Digest realm="r", nc=00000002, cnonce="c1""#, "cnonce"), Some("c1"));
        assert_eq!(digest_param(r#"Digest realm="r", nc=00000002"#, "cnonce"), None);
        assert_eq!(request_line_uri(b"INVITE sip:bob@h;x=1 SIP/2.0\r\nVia: v\r\n"), Some("sip:bob@h;x=1"));
        assert_eq!(request_line_uri(b"\xff\xfe"), None);
    }
}
