//! The digest computations of RFC 7616 section 3.4.1 (and RFC 2617/2069 without `qop`),
//! with the hex and constant-time helpers they need.

use md5::Md5;
use sha2::{Digest, Sha256};

/// Digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5` (RFC 2617, RFC 7616): the default when a challenge names none.
    Md5,
    /// `SHA-256` (RFC 7616, RFC 8760).
    Sha256,
}

impl Algorithm {
    /// The name as written in the `algorithm` parameter: `MD5` or `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// The algorithm with this name (case-insensitive); `None` for any other name,
    /// including the `-sess` variants, which this module does not implement.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        if name.eq_ignore_ascii_case("MD5") {
            Some(Algorithm::Md5)
        } else if name.eq_ignore_ascii_case("SHA-256") {
            Some(Algorithm::Sha256)
        } else {
            None
        }
    }

    /// The length of a hash in lowercase hex.
    pub(crate) fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha256 => 64,
        }
    }

    /// `H(parts[0] ":" parts[1] ":" ...)` in lowercase hex.
    pub(crate) fn hash(self, parts: &[&str]) -> String {
        fn run<D: Digest>(parts: &[&str]) -> String {
            let mut hasher = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.update(b":");
                }
                hasher.update(part.as_bytes());
            }
            to_hex(&hasher.finalize())
        }
        match self {
            Algorithm::Md5 => run::<Md5>(parts),
            Algorithm::Sha256 => run::<Sha256>(parts),
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `HA1 = H(user ":" realm ":" password)` (RFC 7616 3.4.2, algorithm without `-sess`).
pub(crate) fn ha1(algorithm: Algorithm, user: &str, realm: &str, password: &str) -> String {
    algorithm.hash(&[user, realm, password])
}

/// The `qop=auth` inputs of a response: the nonce count as sent (8 hex digits) and the
/// client nonce.
#[derive(Clone, Copy)]
pub(crate) struct QopAuth<'a> {
    pub nc: &'a str,
    pub cnonce: &'a str,
}

/// The `response` value: `H(HA1:nonce:nc:cnonce:auth:HA2)` with `qop=auth`, or the RFC
/// 2069 form `H(HA1:nonce:HA2)` without qop, where `HA2 = H(method:uri)`.
pub(crate) fn response(
    algorithm: Algorithm,
    ha1: &str,
    nonce: &str,
    qop: Option<QopAuth<'_>>,
    method: &str,
    uri: &str,
) -> String {
    let ha2 = algorithm.hash(&[method, uri]);
    match qop {
        Some(q) => algorithm.hash(&[ha1, nonce, q.nc, q.cnonce, "auth", &ha2]),
        None => algorithm.hash(&[ha1, nonce, &ha2]),
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The bytes of lowercase hex `text`; `None` when it has odd length or any other
/// character (uppercase included, so each value has exactly one spelling).
pub(crate) fn from_lower_hex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes.chunks_exact(2).map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?)).collect()
}

/// Whether `a == b`, in time that depends on their lengths only, not on where they
/// differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_sess_is_unknown() {
        assert_eq!(Algorithm::from_name("md5"), Some(Algorithm::Md5));
        assert_eq!(Algorithm::from_name("sha-256"), Some(Algorithm::Sha256));
        assert_eq!(Algorithm::from_name("SHA-256-sess"), None);
        assert_eq!(Algorithm::from_name("SHA-512-256"), None);
        assert_eq!(Algorithm::Sha256.name(), "SHA-256");
    }

    #[test]
    fn hash_joins_parts_with_colons() {
        for alg in [Algorithm::Md5, Algorithm::Sha256] {
            assert_eq!(alg.hash(&["a", "b", "c"]), alg.hash(&["a:b:c"]));
            assert_ne!(alg.hash(&["a", "bc"]), alg.hash(&["ab", "c"]));
            assert_eq!(alg.hash(&["x"]).len(), alg.hex_len());
        }
        // Known MD5 of the empty string (RFC 1321 appendix A.5).
        assert_eq!(Algorithm::Md5.hash(&[""]), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn hex_round_trips_and_rejects_uppercase() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xfe, 0xff];
        assert_eq!(from_lower_hex(&to_hex(&bytes)).as_deref(), Some(&bytes[..]));
        assert_eq!(from_lower_hex("0A"), None);
        assert_eq!(from_lower_hex("abc"), None);
        assert_eq!(from_lower_hex("zz"), None);
    }

    #[test]
    fn ct_eq_compares_content_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
    }
}
