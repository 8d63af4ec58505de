//! The server's table of users: HA1 hashes per realm, user and algorithm.

use std::collections::HashMap;

use super::digest::{self, Algorithm};

/// The HA1 of one user in one realm, for each algorithm.
#[derive(Clone)]
struct Ha1s {
    md5: String,
    sha256: String,
}

/// The server's HA1 table: one per user per algorithm; built from `name:password` lines.
/// Passwords are dropped after hashing. Debug shows the count only.
///
/// Entries are keyed by realm and user, since an HA1 (`H(user:realm:password)`) only
/// answers for the realm it was made with.
#[derive(Clone, Default)]
pub struct Users {
    /// realm → user → HA1s.
    by_realm: HashMap<String, HashMap<String, Ha1s>>,
}

/// A line of a users file that cannot be read. The line itself is not repeated, since it
/// may hold a password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsersError {
    /// A line without the `:` between name and password.
    #[error("line {line}: expected name:password")]
    MissingColon {
        /// The line number, from 1.
        line: usize,
    },
    /// A line whose name (before the first `:`) is empty.
    #[error("line {line}: empty user name")]
    EmptyName {
        /// The line number, from 1.
        line: usize,
    },
    /// A user given a second time.
    #[error("line {line}: user {user} given twice")]
    Duplicate {
        /// The line number of the second one, from 1.
        line: usize,
        /// The user name.
        user: String,
    },
}

impl std::fmt::Debug for Users {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Users").field("count", &self.len()).finish()
    }
}

impl Users {
    /// An empty table.
    pub fn new() -> Self {
        Users::default()
    }

    /// Reads `name:password` lines for `realm`: the password is everything after the
    /// first `:` (so it may hold colons), taken as it is; whitespace at the start and the
    /// end of a line and before the `:` is ignored, as are blank lines and lines
    /// starting with `#`. Errors carry the line number, from 1.
    pub fn parse(text: &str, realm: &str) -> Result<Users, UsersError> {
        let mut users = Users::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, password)) = line.split_once(':') else {
                return Err(UsersError::MissingColon { line: line_no });
            };
            let name = name.trim_end();
            if name.is_empty() {
                return Err(UsersError::EmptyName { line: line_no });
            }
            if users.contains(name, realm) {
                return Err(UsersError::Duplicate { line: line_no, user: name.to_owned() });
            }
            users.insert(name, password, realm);
        }
        Ok(users)
    }

    /// Adds `user` with `password` in `realm`, replacing an earlier entry; only the
    /// hashes are kept.
    pub fn insert(&mut self, user: &str, password: &str, realm: &str) {
        let ha1s = Ha1s {
            md5: digest::ha1(Algorithm::Md5, user, realm, password),
            sha256: digest::ha1(Algorithm::Sha256, user, realm, password),
        };
        self.by_realm.entry(realm.to_owned()).or_default().insert(user.to_owned(), ha1s);
    }

    /// Whether `user` has an entry in `realm`.
    pub fn contains(&self, user: &str, realm: &str) -> bool {
        self.by_realm.get(realm).is_some_and(|users| users.contains_key(user))
    }

    /// The number of entries (a user in two realms counts twice).
    pub fn len(&self) -> usize {
        self.by_realm.values().map(HashMap::len).sum()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The HA1 of `user` in `realm` for `algorithm`, in lowercase hex.
    pub(crate) fn ha1(&self, user: &str, realm: &str, algorithm: Algorithm) -> Option<&str> {
        let ha1s = self.by_realm.get(realm)?.get(user)?;
        Some(match algorithm {
            Algorithm::Md5 => &ha1s.md5,
            Algorithm::Sha256 => &ha1s.sha256,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_skips_comments_and_blank_lines_and_keeps_colons_in_passwords() {
        let users =
            Users::parse("# users\n\nalice:a:b:c\r\n  # indented comment\n bob : pw \n", "r").unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(
            users.ha1("alice", "r", Algorithm::Md5),
            Some(digest::ha1(Algorithm::Md5, "alice", "r", "a:b:c").as_str())
        );
        assert_eq!(
            users.ha1("bob", "r", Algorithm::Sha256),
            Some(digest::ha1(Algorithm::Sha256, "bob", "r", " pw").as_str())
        );
        assert_eq!(users.ha1("alice", "other", Algorithm::Md5), None);
    }

    #[test]
    fn parse_errors_name_the_line() {
        assert_eq!(Users::parse("a:1\n\nnocolon\n", "r").unwrap_err(), UsersError::MissingColon { line: 3 });
        assert_eq!(Users::parse(":pw", "r").unwrap_err(), UsersError::EmptyName { line: 1 });
        assert_eq!(
            Users::parse("a:1\n# c\na:2", "r").unwrap_err(),
            UsersError::Duplicate { line: 3, user: "a".into() }
        );
        assert!(!Users::parse("a:secretpw\nbroken", "r").unwrap_err().to_string().contains("secretpw"));
    }

    #[test]
    fn insert_replaces_and_counts_per_realm() {
        let mut users = Users::new();
        assert!(users.is_empty());
        users.insert("a", "1", "r1");
        users.insert("a", "2", "r1");
        users.insert("a", "1", "r2");
        assert_eq!(users.len(), 2);
        assert_eq!(
            users.ha1("a", "r1", Algorithm::Md5),
            Some(digest::ha1(Algorithm::Md5, "a", "r1", "2").as_str())
        );
        assert!(users.contains("a", "r2"));
        assert!(!users.contains("b", "r1"));
    }
}
