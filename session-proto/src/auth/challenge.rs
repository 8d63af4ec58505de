//! Digest challenges: `WWW-Authenticate` / `Proxy-Authenticate` values (RFC 7616 3.3).

use super::params::{self, AuthValue, quote};
use super::{Algorithm, AuthError};

/// A parsed WWW-Authenticate / Proxy-Authenticate value (scheme Digest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The protection space; answered credentials name it again.
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// Opaque data the answer must echo, when the server sent some.
    pub opaque: Option<String>,
    /// The hash to answer with (`MD5` when the challenge names none).
    pub algorithm: Algorithm,
    /// Whether the server offers `qop=auth`; without it the challenge is answered the
    /// RFC 2069 way (no `qop`, `nc` or `cnonce`).
    pub qop_auth: bool,
    /// Whether the server says the previous answer was right but its nonce had expired.
    pub stale: bool,
}

/// A value from the network, cut short for an error message.
fn excerpt(text: &str) -> String {
    text.chars().take(32).collect()
}

impl Challenge {
    /// Parses the first Digest challenge in a header value. A value that is not Digest,
    /// lacks `realm` or `nonce`, or only offers a `qop` other than `auth` is
    /// [`AuthError::Malformed`]; an algorithm other than `MD5` or `SHA-256` is
    /// [`AuthError::UnsupportedAlgorithm`].
    pub fn parse(value: &str) -> Result<Challenge, AuthError> {
        let all = params::parse_all(value)?;
        let digest = all
            .iter()
            .find(|v| v.is_digest())
            .ok_or_else(|| AuthError::Malformed("not a Digest challenge".to_owned()))?;
        Challenge::from_params(digest)
    }

    /// The one to answer among several headers: SHA-256 before MD5; unparsable skipped.
    /// Among challenges of the same algorithm the first wins. Each value may itself hold
    /// several challenges.
    pub fn best<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
        let mut best: Option<Challenge> = None;
        for value in values {
            let Ok(all) = params::parse_all(value) else { continue };
            for challenge in all.iter().filter(|v| v.is_digest()) {
                let Ok(challenge) = Challenge::from_params(challenge) else { continue };
                if challenge.algorithm == Algorithm::Sha256 {
                    return Some(challenge);
                }
                best.get_or_insert(challenge);
            }
        }
        best
    }

    /// The header value: `Digest realm="..", nonce="..", algorithm=SHA-256,
    /// qop="auth"[, stale=true][, opaque=".."]` (`qop` only when offered).
    pub fn to_header(&self) -> String {
        let mut out = format!(
            "Digest realm={}, nonce={}, algorithm={}",
            quote(&self.realm),
            quote(&self.nonce),
            self.algorithm.name()
        );
        if self.qop_auth {
            out.push_str(", qop=\"auth\"");
        }
        if self.stale {
            out.push_str(", stale=true");
        }
        if let Some(opaque) = &self.opaque {
            out.push_str(", opaque=");
            out.push_str(&quote(opaque));
        }
        out
    }

    pub(crate) fn from_params(value: &AuthValue) -> Result<Challenge, AuthError> {
        let missing = |name: &str| AuthError::Malformed(format!("challenge without {name}"));
        let realm = value.get("realm").ok_or_else(|| missing("realm"))?.to_owned();
        let nonce = value.get("nonce").filter(|n| !n.is_empty()).ok_or_else(|| missing("nonce"))?;
        let algorithm = match value.get("algorithm") {
            None => Algorithm::Md5,
            Some(name) => {
                Algorithm::from_name(name).ok_or_else(|| AuthError::UnsupportedAlgorithm(excerpt(name)))?
            }
        };
        let qop_auth = match value.get("qop") {
            None => false,
            Some(list) if list.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")) => true,
            Some(_) => return Err(AuthError::Malformed("challenge offers no qop=auth".to_owned())),
        };
        let stale = value.get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true"));
        Ok(Challenge {
            realm,
            nonce: nonce.to_owned(),
            opaque: value.get("opaque").map(str::to_owned),
            algorithm,
            qop_auth,
            stale,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc_7616_challenge() {
        let c = Challenge::parse(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        )
        .unwrap();
        assert_eq!(c.realm, "http-auth@example.org");
        assert_eq!(c.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
        assert_eq!(c.opaque.as_deref(), Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"));
        assert_eq!(c.algorithm, Algorithm::Sha256);
        assert!(c.qop_auth);
        assert!(!c.stale);
    }

    #[test]
    fn defaults_and_errors() {
        let c = Challenge::parse(r#"Digest realm="r", nonce="n""#).unwrap();
        assert_eq!((c.algorithm, c.qop_auth, c.stale, c.opaque), (Algorithm::Md5, false, false, None));
        assert!(Challenge::parse(r#"Digest realm="r", nonce="n", stale="TRUE""#).unwrap().stale);
        assert_eq!(
            Challenge::parse(r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#),
            Err(AuthError::UnsupportedAlgorithm("SHA-512-256".into()))
        );
        for bad in [
            r#"Basic realm="r""#,
            r#"Digest nonce="n""#,
            r#"Digest realm="r""#,
            r#"Digest realm="r", nonce="""#,
            r#"Digest realm="r", nonce="n", qop="auth-int""#,
        ] {
            assert!(matches!(Challenge::parse(bad), Err(AuthError::Malformed(_))), "{bad}");
        }
    }

    #[test]
    fn to_header_round_trips() {
        let c = Challenge {
            realm: r#"odd "realm", here"#.into(),
            nonce: "abc".into(),
            opaque: Some("op".into()),
            algorithm: Algorithm::Sha256,
            qop_auth: true,
            stale: true,
        };
        let header = c.to_header();
        assert_eq!(
            header,
            r#"Digest realm="odd \"realm\", here", nonce="abc", algorithm=SHA-256, qop="auth", stale=true, opaque="op""#
        );
        assert_eq!(Challenge::parse(&header), Ok(c));
    }
}
