//! The client side: answering challenges with `Authorization` / `Proxy-Authorization`
//! values (RFC 7616 3.4, RFC 3261 22.2 and 22.3).

use super::digest::{self, QopAuth};
use super::params::quote;
use super::{AuthError, Challenge};

/// A user's name and password. Debug prints the user only.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

impl Credentials {
    /// Credentials for `user` with `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials { user: user.into(), password: password.into() }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).finish_non_exhaustive()
    }
}

/// The nonce in use for one realm and the last count sent with it.
#[derive(Clone, Debug)]
struct NonceState {
    challenge: Challenge,
    nc: u32,
}

/// Answers challenges for one set of credentials; keeps nc per nonce.
///
/// Since the last [`accepted`](DigestClient::accepted), a realm's challenge is answered
/// when it is the first one for that realm, or when it is `stale` with a nonce not yet
/// answered, at most once. Any other challenge means the server refused the answer, so
/// [`answer`](DigestClient::answer) returns [`AuthError::Rejected`] instead of looping.
/// A response with several challenges for one realm is answered once, with the one
/// [`Challenge::best`] picks.
#[derive(Clone)]
pub struct DigestClient {
    credentials: Credentials,
    /// The latest nonce of each realm, the one used last at the end.
    nonces: Vec<NonceState>,
    /// `(realm, nonce)` answered since the last `accepted`.
    answered: Vec<(String, String)>,
    /// Realms whose stale challenge was answered since the last `accepted`.
    stale_answered: Vec<String>,
}

impl std::fmt::Debug for DigestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestClient")
            .field("credentials", &self.credentials)
            .field("nonces", &self.nonces.len())
            .field("answered", &self.answered.len())
            .finish_non_exhaustive()
    }
}

impl DigestClient {
    /// A client answering with `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        DigestClient { credentials, nonces: Vec::new(), answered: Vec::new(), stale_answered: Vec::new() }
    }

    /// The credentials answered with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The Authorization / Proxy-Authorization value answering `challenge` for a request
    /// `method` to `uri` (the Request-URI as sent). `cnonce` is fresh randomness from the caller
    /// (hex). A challenge for a nonce already answered and not `stale` → Err(Rejected)
    /// (the password was wrong); a stale one is answered once with the new nonce.
    /// nc starts at 00000001 per nonce and increments on each use of that nonce.
    ///
    /// A new non-stale challenge for a realm answered since the last
    /// [`accepted`](DigestClient::accepted) is also `Rejected`: servers that pick a new
    /// nonce for each 401 would otherwise be answered forever.
    pub fn answer(
        &mut self,
        challenge: &Challenge,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Result<String, AuthError> {
        let realm = challenge.realm.as_str();
        if self.answered.iter().any(|(r, n)| r == realm && *n == challenge.nonce) {
            return Err(AuthError::Rejected);
        }
        let realm_answered = self.answered.iter().any(|(r, _)| r == realm);
        if challenge.stale {
            if self.stale_answered.iter().any(|r| r == realm) {
                return Err(AuthError::Rejected);
            }
            self.stale_answered.push(realm.to_owned());
        } else if realm_answered {
            return Err(AuthError::Rejected);
        }
        self.answered.push((realm.to_owned(), challenge.nonce.clone()));

        let mut state = match self.nonces.iter().position(|s| s.challenge.realm == realm) {
            Some(i) => self.nonces.remove(i),
            None => NonceState { challenge: challenge.clone(), nc: 0 },
        };
        if state.challenge.nonce != challenge.nonce {
            state.nc = 0;
        }
        state.challenge = challenge.clone();
        Ok(self.next_use(state, method, uri, cnonce))
    }

    /// The value for a new request (no new challenge) reusing the last nonce of `realm`
    /// with the next nc; None when we have none.
    ///
    /// "`realm`" is the realm answered last (with several realms, e.g. a proxy's and a
    /// registrar's, use [`reuse_realm`](DigestClient::reuse_realm) for the others).
    pub fn reuse(&mut self, method: &str, uri: &str, cnonce: &str) -> Option<String> {
        let state = self.nonces.pop()?;
        Some(self.next_use(state, method, uri, cnonce))
    }

    /// Like [`reuse`](DigestClient::reuse), for the last nonce of `realm`.
    pub fn reuse_realm(&mut self, realm: &str, method: &str, uri: &str, cnonce: &str) -> Option<String> {
        let i = self.nonces.iter().position(|s| s.challenge.realm == realm)?;
        let state = self.nonces.remove(i);
        Some(self.next_use(state, method, uri, cnonce))
    }

    /// Forget which nonces were answered (after a success, so a later 401 with a new nonce is answered).
    pub fn accepted(&mut self) {
        self.answered.clear();
        self.stale_answered.clear();
    }

    /// Counts one more use of `state`'s nonce, keeps it as the last used, and writes the
    /// header value.
    fn next_use(&mut self, mut state: NonceState, method: &str, uri: &str, cnonce: &str) -> String {
        state.nc = state.nc.saturating_add(1);
        let value = authorization(&self.credentials, &state.challenge, state.nc, method, uri, cnonce);
        self.nonces.push(state);
        value
    }
}

/// `Digest username="..", realm="..", nonce="..", uri="..", response="..",
/// algorithm=.., qop=auth, nc=.., cnonce="..", opaque=".."` (the `qop`, `nc` and
/// `cnonce` only when the challenge offers `qop=auth`, the `opaque` only when it has one).
fn authorization(
    credentials: &Credentials,
    challenge: &Challenge,
    nc: u32,
    method: &str,
    uri: &str,
    cnonce: &str,
) -> String {
    let algorithm = challenge.algorithm;
    let ha1 = digest::ha1(algorithm, &credentials.user, &challenge.realm, &credentials.password);
    let nc = format!("{nc:08x}");
    let qop = challenge.qop_auth.then_some(QopAuth { nc: &nc, cnonce });
    let response = digest::response(algorithm, &ha1, &challenge.nonce, qop, method, uri);
    let mut out = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, response=\"{response}\", algorithm={}",
        quote(&credentials.user),
        quote(&challenge.realm),
        quote(&challenge.nonce),
        quote(uri),
        algorithm.name(),
    );
    if let Some(q) = qop {
        out.push_str(&format!(", qop=auth, nc={}, cnonce={}", q.nc, quote(q.cnonce)));
    }
    if let Some(opaque) = &challenge.opaque {
        out.push_str(", opaque=");
        out.push_str(&quote(opaque));
    }
    out
}
