//! The server side: stateless nonces and checking answers (RFC 7616 3.3 and 3.4,
//! RFC 3261 22.4).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::digest::{self, Algorithm, QopAuth};
use super::params;
use super::{Challenge, Users};

/// Hex digits of the issue time at the start of a nonce.
const TIME_HEX: usize = 16;
/// Hex digits of the per-challenge random part after it.
const RANDOM_HEX: usize = 16;
/// Bytes of the HMAC kept in a nonce (32 hex digits).
const TAG_BYTES: usize = 16;

/// What [`Verifier::verify`] concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The response is right. The caller must still check nc against replay (store).
    ///
    /// `nc` is the count sent with `qop=auth`, or 0 for an RFC 2069 answer without qop
    /// (which therefore can use a nonce once).
    Valid {
        /// The authenticated user name.
        user: String,
        /// The nonce answered.
        nonce: String,
        /// The nonce count.
        nc: u32,
        /// When the nonce stops being accepted, in Unix seconds.
        nonce_expires_at: u64,
    },
    /// Right answer to a nonce that expired (or a future-dated one): challenge again with stale=true.
    Stale,
    /// Wrong user, wrong password, forged nonce, wrong realm, malformed: one answer for all
    /// (no user enumeration). `why` is for logs and must not contain secrets.
    Invalid {
        /// What was wrong; an unknown user and a wrong password both say
        /// `"wrong user or password"`.
        why: &'static str,
    },
}

const WRONG_USER_OR_PASSWORD: Verdict = Verdict::Invalid { why: "wrong user or password" };

/// Stateless nonces, verifiable by any node with the same secret:
/// `hex(unix_secs) + hex(random) + hex(HMAC-SHA256(secret, unix_secs || random || realm))[..32]`.
///
/// The encoding: 16 lowercase hex digits of the issue time, 16 of a per-challenge
/// random part (the caller's, see [`Verifier::challenges`]), then 32 of the first
/// 16 bytes of HMAC-SHA256 over the time's 8 big-endian bytes, the random part's 8
/// big-endian bytes and the realm. The random part makes the nonces of two challenges
/// in the same second differ, so a nonce count can be tracked per nonce (RFC 7616
/// section 3.4); nothing about a nonce is stored until it is answered. A nonce is
/// accepted from its issue time to `nonce_lifetime_secs` later, both ends included; a
/// nonce dated after `now` (another node's clock running ahead) is stale, not valid.
#[derive(Clone)]
pub struct Verifier {
    realm: String,
    secret: [u8; 32],
    nonce_lifetime_secs: u64,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("realm", &self.realm)
            .field("nonce_lifetime_secs", &self.nonce_lifetime_secs)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `realm` whose nonces are signed with `secret` and accepted for
    /// `nonce_lifetime_secs`.
    pub fn new(realm: String, secret: [u8; 32], nonce_lifetime_secs: u64) -> Self {
        Verifier { realm, secret, nonce_lifetime_secs }
    }

    /// The realm challenged for.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// A nonce issued at `now` (Unix seconds) with the per-challenge `random` part.
    pub fn nonce(&self, now: u64, random: u64) -> String {
        let tag = self.mac(now, random).finalize().into_bytes();
        format!(
            "{now:0tw$x}{random:0rw$x}{}",
            digest::to_hex(&tag[..TAG_BYTES]),
            tw = TIME_HEX,
            rw = RANDOM_HEX
        )
    }

    /// Two challenge header values, SHA-256 first then MD5, for `now` (Unix seconds),
    /// sharing one nonce whose random part is `random`.
    ///
    /// A server draws `random` afresh for every challenge it sends (from its seeded
    /// generator), so that no two clients get the same nonce and a nonce count can be
    /// tracked per nonce.
    pub fn challenges(&self, now: u64, random: u64, stale: bool) -> [String; 2] {
        let nonce = self.nonce(now, random);
        let challenge = |algorithm| Challenge {
            realm: self.realm.clone(),
            nonce: nonce.clone(),
            opaque: None,
            algorithm,
            qop_auth: true,
            stale,
        };
        [challenge(Algorithm::Sha256).to_header(), challenge(Algorithm::Md5).to_header()]
    }

    /// Checks an Authorization/Proxy-Authorization value for `method`.
    ///
    /// The checks, in order: the value parses as Digest credentials with `username`,
    /// `realm`, `nonce`, `uri` and `response`; the realm is ours; the algorithm is `MD5`
    /// (also when absent) or `SHA-256`; `qop` is `auth` with an 8-hex-digit nonzero `nc`
    /// and a `cnonce`, or absent with neither (RFC 2069); the nonce carries our HMAC;
    /// the response is right for the user's HA1 (an unknown user is checked against a
    /// dummy HA1, and both failures give the same verdict). Only then is the nonce's age
    /// looked at, so [`Verdict::Stale`] tells nothing to someone without the password.
    pub fn verify(&self, authorization: &str, method: &str, users: &Users, now: u64) -> Verdict {
        let verdict = self.check(authorization, method, None, users, now);
        if let Verdict::Invalid { why } = verdict {
            tracing::debug!(realm = %self.realm, why, "digest credentials refused");
        }
        verdict
    }

    /// Like [`verify`](Verifier::verify), and also requires the `uri` parameter to be
    /// `request_uri` exactly (RFC 7616 3.4.6), so an answer cannot be moved to another
    /// request URI.
    pub fn verify_for_uri(
        &self,
        authorization: &str,
        method: &str,
        request_uri: &str,
        users: &Users,
        now: u64,
    ) -> Verdict {
        let verdict = self.check(authorization, method, Some(request_uri), users, now);
        if let Verdict::Invalid { why } = verdict {
            tracing::debug!(realm = %self.realm, why, "digest credentials refused");
        }
        verdict
    }

    fn check(
        &self,
        authorization: &str,
        method: &str,
        request_uri: Option<&str>,
        users: &Users,
        now: u64,
    ) -> Verdict {
        let invalid = |why| Verdict::Invalid { why };
        let Ok(all) = params::parse_all(authorization) else { return invalid("malformed credentials") };
        let [credentials] = all.as_slice() else { return invalid("not one set of credentials") };
        if !credentials.is_digest() {
            return invalid("not Digest credentials");
        }
        let get = |name| credentials.get(name);
        let (Some(user), Some(realm), Some(nonce), Some(uri), Some(response)) =
            (get("username"), get("realm"), get("nonce"), get("uri"), get("response"))
        else {
            return invalid("missing parameter");
        };
        if realm != self.realm {
            return invalid("wrong realm");
        }
        if request_uri.is_some_and(|expected| expected != uri) {
            return invalid("uri is not the request URI");
        }
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(name) => match Algorithm::from_name(name) {
                Some(algorithm) => algorithm,
                None => return invalid("unsupported algorithm"),
            },
        };
        let (qop, nc) = match (get("qop"), get("nc"), get("cnonce")) {
            (Some(qop), Some(nc_text), Some(cnonce)) if qop.eq_ignore_ascii_case("auth") => {
                match parse_nc(nc_text) {
                    Some(nc) => (Some(QopAuth { nc: nc_text, cnonce }), nc),
                    None => return invalid("bad nc"),
                }
            }
            (None, None, None) => (None, 0),
            _ => return invalid("bad qop, nc or cnonce"),
        };
        let Some(issued) = self.nonce_issued(nonce) else { return invalid("forged nonce") };

        // An unknown user costs the same hashing as a known one; the dummy HA1 is never
        // accepted, even by a response computed from it.
        let known = users.ha1(user, realm, algorithm);
        let dummy = "0".repeat(algorithm.hex_len());
        let ha1 = known.unwrap_or(&dummy);
        let expected = digest::response(algorithm, ha1, nonce, qop, method, uri);
        let given = response.to_ascii_lowercase();
        let matches = digest::ct_eq(expected.as_bytes(), given.as_bytes());
        if !(matches && known.is_some()) {
            return WRONG_USER_OR_PASSWORD;
        }

        let expires_at = issued.saturating_add(self.nonce_lifetime_secs);
        if now < issued || now > expires_at {
            return Verdict::Stale;
        }
        Verdict::Valid { user: user.to_owned(), nonce: nonce.to_owned(), nc, nonce_expires_at: expires_at }
    }

    /// The HMAC over `issued`, the random part and the realm, ready to finalize or verify.
    fn mac(&self, issued: u64, random: u64) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        mac.update(&issued.to_be_bytes());
        mac.update(&random.to_be_bytes());
        mac.update(self.realm.as_bytes());
        mac
    }

    /// The issue time of one of our nonces; `None` when `nonce` is not one (its HMAC is
    /// compared in constant time).
    fn nonce_issued(&self, nonce: &str) -> Option<u64> {
        if nonce.len() != TIME_HEX + RANDOM_HEX + 2 * TAG_BYTES || !nonce.is_ascii() {
            return None;
        }
        let (time, rest) = nonce.split_at(TIME_HEX);
        let (random, tag) = rest.split_at(RANDOM_HEX);
        let issued = u64::from_be_bytes(digest::from_lower_hex(time)?.try_into().ok()?);
        let random = u64::from_be_bytes(digest::from_lower_hex(random)?.try_into().ok()?);
        let tag = digest::from_lower_hex(tag)?;
        self.mac(issued, random).verify_truncated_left(&tag).ok()?;
        Some(issued)
    }
}

/// An `nc` value: exactly 8 hex digits (either case), not zero.
fn parse_nc(text: &str) -> Option<u32> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().filter(|&nc| nc != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier() -> Verifier {
        Verifier::new("example.com".into(), [7; 32], 300)
    }

    #[test]
    fn nonce_has_the_documented_layout() {
        let v = verifier();
        let nonce = v.nonce(0x1234_5678, 0xfeed_0000_0000_beef);
        assert_eq!(nonce.len(), 64);
        assert_eq!(&nonce[..16], "0000000012345678");
        assert_eq!(&nonce[16..32], "feed00000000beef");
        assert!(nonce.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(v.nonce_issued(&nonce), Some(0x1234_5678));
    }

    #[test]
    fn nonces_of_one_second_differ_by_their_random_part() {
        let v = verifier();
        let (a, b) = (v.nonce(1000, 1), v.nonce(1000, 2));
        assert_ne!(a, b);
        assert_ne!(a[32..], b[32..], "the HMAC covers the random part");
        assert_eq!((v.nonce_issued(&a), v.nonce_issued(&b)), (Some(1000), Some(1000)));
        let [sha, md5] = v.challenges(1000, 1, false);
        assert!(sha.contains(&a) && md5.contains(&a), "one nonce per challenge: {sha} {md5}");
    }

    #[test]
    fn nonce_is_bound_to_time_random_part_realm_and_secret() {
        let v = verifier();
        let nonce = v.nonce(1000, 77);
        let other_time = format!("{:016x}{}", 1001, &nonce[16..]);
        assert_eq!(v.nonce_issued(&other_time), None);
        let other_random = format!("{}{:016x}{}", &nonce[..16], 78, &nonce[32..]);
        assert_eq!(v.nonce_issued(&other_random), None);
        let other_realm = Verifier::new("example.org".into(), [7; 32], 300);
        assert_eq!(other_realm.nonce_issued(&nonce), None);
        let other_secret = Verifier::new("example.com".into(), [8; 32], 300);
        assert_eq!(other_secret.nonce_issued(&nonce), None);
        assert_eq!(v.nonce_issued(&nonce.to_ascii_uppercase()), None);
        assert_eq!(v.nonce_issued(&nonce[..63]), None);
        // The old layout (no random part) is not ours any more.
        assert_eq!(v.nonce_issued(&format!("{}{}", &nonce[..16], &nonce[32..])), None);
        assert_eq!(v.nonce_issued(""), None);
        assert_eq!(v.nonce_issued(&"é".repeat(32)), None);
    }

    #[test]
    fn nc_is_eight_hex_digits_not_zero() {
        assert_eq!(parse_nc("00000001"), Some(1));
        assert_eq!(parse_nc("0000000A"), Some(10));
        assert_eq!(parse_nc("ffffffff"), Some(u32::MAX));
        for bad in ["00000000", "1", "000000001", "+0000001", "0000000g", ""] {
            assert_eq!(parse_nc(bad), None, "{bad}");
        }
    }
}
