//! The server usages of an endpoint: a registrar (RFC 3261 section 10.3) and a stateful
//! proxy (section 16) for one domain, with digest authentication.
//!
//! An endpoint whose [`EndpointConfig::server`](crate::EndpointConfig) is set takes
//! REGISTER itself, answers OPTIONS addressed to it (a Request-URI without a user
//! part), and proxies every other request outside a dialog to the contacts registered
//! for its Request-URI. It takes no calls of its own.
//!
//! The domain is the realm: an address of record is `sip:USER@REALM`, where USER is
//! the user part of the To URI (REGISTER) or the Request-URI (anything proxied),
//! whatever host those URIs name. One server serves one domain and routes nowhere else.
//!
//! Bindings and nonce counts live in the location store, which is the driver's
//! ([`crate::location`]): the server emits [`crate::Event::Location`] and carries on
//! when the driver calls [`crate::Endpoint::handle_location`]. Until then the request
//! waits, keyed by its [`JobId`].

mod auth_gate;
mod contacts;
mod limits;
mod proxy;
mod registrar;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use self::auth_gate::Held;
pub use self::limits::FailureLimits;
use self::limits::Failures;
use crate::auth::{Users, Verifier};
use crate::endpoint::core::Core;
use crate::endpoint::event::Event;
use crate::location::{JobId, LocationAnswer, LocationJob};
use crate::sip::headers::Essentials;
use crate::sip::transaction::ServerTxId;

/// What a registrar and proxy endpoint needs: its realm, its users, the nonce secret
/// shared by every node of the service, and its policy.
///
/// ```
/// use std::time::Instant;
/// use session_proto::auth::Users;
/// use session_proto::server::ServerConfig;
///
/// let mut users = Users::new();
/// users.insert("alice", "secret", "example.com");
/// let config = ServerConfig::new("example.com", users, [7; 32], Instant::now(), 1_700_000_000);
/// assert_eq!((config.min_expires, config.max_expires, config.default_expires), (60, 3600, 3600));
/// assert_eq!(config.unix_time(config.epoch), 1_700_000_000);
/// ```
#[derive(Clone)]
pub struct ServerConfig {
    /// The digest realm, which is also the domain of every address of record.
    pub realm: String,
    /// Who may register and place calls.
    pub users: Users,
    /// Signs the nonces; the same on every node, so that any node checks any nonce.
    pub secret: [u8; 32],
    /// How long a nonce is accepted (5 minutes); after that a right answer gets a
    /// challenge with `stale=true`.
    pub nonce_lifetime: Duration,
    /// The shortest registration accepted; a shorter one (other than 0) gets 423
    /// Interval Too Brief with `Min-Expires` (60 s).
    pub min_expires: u32,
    /// The longest registration granted; a longer one is cut to this (3600 s).
    pub max_expires: u32,
    /// The registration granted when the REGISTER names none (3600 s).
    pub default_expires: u32,
    /// Lists the MD5 challenge before the SHA-256 one. RFC 8760 wants the preferred
    /// (SHA-256) first, and that is the default; some user agents answer only the first
    /// challenge they read and only MD5 (SIPp 3.6 among them), and need this.
    pub md5_first: bool,
    /// How failed authentications from one address are held back.
    pub failures: FailureLimits,
    /// Unix seconds at the instant `epoch`: bindings and nonces are dated in Unix time,
    /// which every node shares, while the endpoint is given `Instant`s.
    pub epoch_unix: u64,
    /// See `epoch_unix`.
    pub epoch: Instant,
}

impl ServerConfig {
    /// The defaults, for `realm`'s `users`, nonces signed with `secret`, and the clock
    /// tie `epoch` = `epoch_unix` (Unix seconds).
    pub fn new(
        realm: impl Into<String>,
        users: Users,
        secret: [u8; 32],
        epoch: Instant,
        epoch_unix: u64,
    ) -> Self {
        Self {
            realm: realm.into(),
            users,
            secret,
            nonce_lifetime: Duration::from_secs(300),
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            md5_first: false,
            failures: FailureLimits::default(),
            epoch_unix,
            epoch,
        }
    }

    /// `now` in Unix seconds: `epoch_unix + (now - epoch)` (an instant before `epoch`
    /// counts as `epoch`).
    pub fn unix_time(&self, now: Instant) -> u64 {
        self.epoch_unix.saturating_add(now.saturating_duration_since(self.epoch).as_secs())
    }

    /// The address of record of a SIP URI's user part: `sip:USER@REALM`. `None` when
    /// the URI is not `sip:`/`sips:` or has no user part.
    ///
    /// ```
    /// # use std::time::Instant;
    /// # use session_proto::{auth::Users, server::ServerConfig};
    /// let config = ServerConfig::new("example.com", Users::new(), [0; 32], Instant::now(), 0);
    /// assert_eq!(config.aor("sip:bob@192.0.2.1:5060;transport=udp").as_deref(), Some("sip:bob@example.com"));
    /// assert_eq!(config.aor("sip:192.0.2.1"), None);
    /// ```
    pub fn aor(&self, uri: &str) -> Option<String> {
        user_of(uri).map(|user| format!("sip:{user}@{}", self.realm))
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("realm", &self.realm)
            .field("users", &self.users)
            .field("secret", &"<redacted>")
            .field("nonce_lifetime", &self.nonce_lifetime)
            .field("min_expires", &self.min_expires)
            .field("max_expires", &self.max_expires)
            .field("default_expires", &self.default_expires)
            .field("failures", &self.failures)
            .field("epoch_unix", &self.epoch_unix)
            .finish_non_exhaustive()
    }
}

/// The user part of a `sip:` or `sips:` URI (`sip:bob:pw@host` → `bob`).
pub(crate) fn user_of(uri: &str) -> Option<&str> {
    let scheme_end = uri.find(':')?;
    let scheme = uri.get(..scheme_end)?;
    if !scheme.eq_ignore_ascii_case("sip") && !scheme.eq_ignore_ascii_case("sips") {
        return None;
    }
    let rest = uri.get(scheme_end + 1..)?;
    let (userinfo, _) = rest.split_once('@')?;
    let user = userinfo.split(':').next().unwrap_or("");
    (!user.is_empty()).then_some(user)
}

/// Where a request the server takes came from, and all it needs to answer it: the
/// server transaction, what identifies the request (an answer's To tag is derived from
/// it), and the sender's address (failed authentications are counted per address).
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub tx: ServerTxId,
    pub essentials: Essentials,
    pub source: SocketAddr,
}

/// A request waiting for the location store.
#[derive(Debug)]
enum Waiting {
    Register(registrar::Registering),
    Lookup(proxy::Lookup),
}

/// The server usages' state.
#[derive(Debug)]
pub(crate) struct Server {
    config: ServerConfig,
    verifier: Verifier,
    failures: Failures,
    jobs: HashMap<JobId, Waiting>,
    next_job: u64,
    /// Answers held back from addresses that keep failing (see [`FailureLimits`]).
    held: HashMap<ServerTxId, Held>,
    proxy: proxy::Proxy,
}

impl Server {
    pub fn new(config: ServerConfig) -> Self {
        let verifier = Verifier::new(config.realm.clone(), config.secret, config.nonce_lifetime.as_secs());
        Self {
            failures: Failures::new(config.failures),
            verifier,
            config,
            jobs: HashMap::new(),
            next_job: 0,
            held: HashMap::new(),
            proxy: proxy::Proxy::default(),
        }
    }

    /// True when no request waits and nothing is being forwarded.
    pub fn is_idle(&self) -> bool {
        self.jobs.is_empty() && self.held.is_empty() && self.proxy.is_idle()
    }

    /// How many requests wait for the store, answers are held back, and forwarding
    /// contexts and branches are kept (0 exactly when idle).
    pub fn held(&self) -> usize {
        self.jobs.len() + self.held.len() + self.proxy.held()
    }

    /// Hands `work` to the driver; `waiting` continues when it answers.
    fn start_job(&mut self, core: &mut Core, work: LocationJob, waiting: Waiting) -> JobId {
        self.next_job += 1;
        let job = JobId(self.next_job);
        self.jobs.insert(job, waiting);
        core.emit(Event::Location { job, work });
        job
    }

    /// The driver's answer to a location job.
    pub fn on_location(&mut self, core: &mut Core, now: Instant, job: JobId, answer: LocationAnswer) {
        match self.jobs.remove(&job) {
            Some(Waiting::Register(waiting)) => self.registered(core, now, waiting, answer),
            Some(Waiting::Lookup(waiting)) => self.looked_up(core, now, waiting, answer),
            None => tracing::debug!(?job, "answer to a location job nobody waits for (cancelled?)"),
        }
    }
}
