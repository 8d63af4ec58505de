//! Reading and writing the auth-param lists of `WWW-Authenticate`, `Authorization` and
//! their proxy twins (RFC 7235 section 2.1, RFC 3261 section 25.1).
//!
//! A value is a list of challenges (or credentials): a scheme token, then
//! `name=value` parameters separated by commas, where a value is a token or a quoted
//! string (`\` escapes the next character). Names are case-insensitive and come back
//! lowercased. Whitespace (SP, HTAB, and CR/LF left over from folding) is allowed around
//! every delimiter. Control characters inside values are refused, so nothing read from
//! the network can break a header line when written back.

use super::AuthError;

/// One challenge or one set of credentials: its scheme and its parameters in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuthValue {
    /// The scheme as written, e.g. `Digest`.
    pub scheme: String,
    /// `(lowercased name, unquoted value)` pairs; each name occurs once.
    pub params: Vec<(String, String)>,
}

impl AuthValue {
    /// Whether the scheme is `Digest` (case-insensitive).
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Digest")
    }

    /// The value of the parameter `name` (lowercase).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn malformed(why: &str) -> AuthError {
    AuthError::Malformed(why.to_owned())
}

/// RFC 7230 `tchar`.
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn skip_ws(&mut self) {
        self.rest = self.rest.trim_start_matches(is_ws);
    }

    /// Takes the longest prefix whose characters satisfy `keep`.
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self.rest.find(|c: char| !keep(c)).unwrap_or(self.rest.len());
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }

    /// A quoted string, the opening quote not yet consumed; returns the unescaped text.
    fn quoted(&mut self) -> Result<String, AuthError> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(malformed("unterminated quoted string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    None => return Err(malformed("unterminated quoted string")),
                    Some(c) if c.is_control() && c != '\t' => {
                        return Err(malformed("control character in a value"));
                    }
                    Some(c) => out.push(c),
                },
                Some(c) if c.is_control() && c != '\t' => {
                    return Err(malformed("control character in a value"));
                }
                Some(c) => out.push(c),
            }
        }
    }
}

/// Parses a whole header value into its challenges or credentials. Empty list elements
/// (`,,`) are skipped; a parameter name given twice in one element is an error (RFC 7235
/// section 2.2), so no two readers can disagree on which one counts.
pub(crate) fn parse_all(value: &str) -> Result<Vec<AuthValue>, AuthError> {
    let mut out: Vec<AuthValue> = Vec::new();
    let mut cur = Cursor { rest: value };
    loop {
        cur.rest = cur.rest.trim_start_matches(|c| is_ws(c) || c == ',');
        if cur.rest.is_empty() {
            return Ok(out);
        }
        let token = cur.take_while(is_tchar);
        if token.is_empty() {
            return Err(malformed("expected a token"));
        }
        cur.skip_ws();
        if cur.peek() != Some('=') {
            // A token not followed by `=` starts the next challenge.
            out.push(AuthValue { scheme: token.to_owned(), params: Vec::new() });
            continue;
        }
        cur.bump();
        cur.skip_ws();
        let value = if cur.peek() == Some('"') {
            cur.quoted()?
        } else {
            let raw = cur.take_while(|c| !is_ws(c) && c != ',' && c != '"' && !c.is_control());
            if raw.is_empty() {
                return Err(malformed("parameter without a value"));
            }
            raw.to_owned()
        };
        let Some(current) = out.last_mut() else {
            return Err(malformed("parameter before the scheme"));
        };
        let name = token.to_ascii_lowercase();
        if current.params.iter().any(|(n, _)| *n == name) {
            return Err(malformed("parameter given twice"));
        }
        current.params.push((name, value));
        cur.skip_ws();
        match cur.peek() {
            None | Some(',') => {}
            Some(_) => return Err(malformed("expected a comma between parameters")),
        }
    }
}

/// `text` as a quoted string: in quotes, with `"` and `\` escaped.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(value: &str) -> AuthValue {
        let mut all = parse_all(value).expect("parses");
        assert_eq!(all.len(), 1, "one challenge in {value:?}");
        all.remove(0)
    }

    #[test]
    fn quoted_values_keep_commas_escapes_and_spaces() {
        let v = one(r#"Digest realm="a, \"b\" \\ c", nonce = "n,1" ,qop="auth, auth-int""#);
        assert!(v.is_digest());
        assert_eq!(v.get("realm"), Some(r#"a, "b" \ c"#));
        assert_eq!(v.get("nonce"), Some("n,1"));
        assert_eq!(v.get("qop"), Some("auth, auth-int"));
    }

    #[test]
    fn names_are_case_insensitive_and_tokens_unquoted() {
        let v = one("digest REALM=r,\tAlgorithm=SHA-256 , STALE=TRUE");
        assert!(v.is_digest());
        assert_eq!(v.get("realm"), Some("r"));
        assert_eq!(v.get("algorithm"), Some("SHA-256"));
        assert_eq!(v.get("stale"), Some("TRUE"));
    }

    #[test]
    fn several_challenges_in_one_value() {
        let all = parse_all(r#"Basic realm="x", Digest realm="y", nonce="z""#).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].scheme, "Basic");
        assert_eq!(all[0].get("realm"), Some("x"));
        assert_eq!(all[1].get("realm"), Some("y"));
        assert_eq!(all[1].get("nonce"), Some("z"));
    }

    #[test]
    fn malformed_values_are_errors() {
        for bad in [
            r#"Digest realm="open"#,
            r#"Digest realm="a" nonce="b""#,
            r#"Digest realm="a", realm="b""#,
            r#"realm="a""#,
            "Digest realm=",
            "Digest realm=,",
            "Digest \"x\"",
            "Digest realm=\"a\u{1}b\"",
            "Digest realm=\"a\\\rb\"",
            r#"Digest realm="a\"#,
        ] {
            assert!(matches!(parse_all(bad), Err(AuthError::Malformed(_))), "{bad:?}");
        }
    }

    #[test]
    fn quote_round_trips_through_the_parser() {
        for text in ["", "plain", r#"with "quotes""#, r"back\slash", "comma, space", "ünï"] {
            let header = format!("Digest realm={}", quote(text));
            assert_eq!(one(&header).get("realm"), Some(text), "{header}");
        }
    }

    #[test]
    fn empty_elements_and_folding_whitespace_are_skipped() {
        let v = one("Digest ,, realm=\"r\",\r\n nonce=\"n\",");
        assert_eq!(v.get("realm"), Some("r"));
        assert_eq!(v.get("nonce"), Some("n"));
        assert!(parse_all("").unwrap().is_empty());
    }
}
