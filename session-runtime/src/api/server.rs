//! `Server`: the embedded registrar and proxy, what `simplepeer server` runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use session_proto::auth::Users;
use session_proto::server::ServerConfig;

use super::coordinator::{PeerConfig, PeerError, UnifiedCoordinator};
use crate::location::LocationStore;

/// A registrar and stateful proxy for one realm: its users register (digest auth) and
/// call each other by address of record, `sip:USER@REALM`.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use session_core::{Server, Users};
///
/// let users = Users::parse("alice:secret1\nbob:secret2\n", "example.com")?;
/// let server = Server::builder("127.0.0.1:0", "example.com", users)?.start().await?;
/// println!("registrar at sip:{}", server.local_addr());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    coordinator: UnifiedCoordinator,
}

impl Server {
    /// A server bound to `bind` (`IP:PORT`) for `realm`'s `users`, with the defaults of
    /// [`ServerConfig::new`]: an in-memory location store and a random nonce secret.
    pub fn builder(bind: &str, realm: &str, users: Users) -> Result<ServerBuilder, PeerError> {
        let addr: SocketAddr = bind.parse().map_err(|_| PeerError::BadAddress(bind.to_owned()))?;
        let unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let server = ServerConfig::new(realm, users, rand::random(), Instant::now(), unix);
        Ok(ServerBuilder { peer: PeerConfig::new(addr), server })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.coordinator.local_addr()
    }

    /// The coordinator underneath, for the endpoint's statistics.
    pub fn coordinator(&self) -> &UnifiedCoordinator {
        &self.coordinator
    }
}

/// Settings for a [`Server`].
#[derive(Debug)]
pub struct ServerBuilder {
    peer: PeerConfig,
    server: ServerConfig,
}

impl ServerBuilder {
    /// Keeps bindings and nonce counts in `store`: a [`RedisStore`] shared by several
    /// nodes (give them the same [`ServerBuilder::secret`] too).
    ///
    /// [`RedisStore`]: crate::location::RedisStore
    #[must_use]
    pub fn store(mut self, store: Arc<dyn LocationStore>) -> Self {
        self.peer.location = store;
        self
    }

    /// The secret that signs nonces; every node of one service needs the same.
    #[must_use]
    pub fn secret(mut self, secret: [u8; 32]) -> Self {
        self.server.secret = secret;
        self
    }

    /// Changes any other registrar or proxy setting (expiry bounds, failure limits, …).
    #[must_use]
    pub fn configure(mut self, change: impl FnOnce(&mut ServerConfig)) -> Self {
        change(&mut self.server);
        self
    }

    /// RFC 3261 T1 (500 ms by default), for the proxy's own transactions.
    #[must_use]
    pub fn t1(mut self, t1: std::time::Duration) -> Self {
        self.peer.t1 = t1;
        self
    }

    /// Calls `trace` with every SIP datagram the server sends and receives, credentials
    /// redacted, as [`PeerBuilder::sip_trace`](crate::PeerBuilder::sip_trace) does.
    #[must_use]
    pub fn sip_trace(mut self, trace: impl Fn(&crate::api::SipMessageTrace) + Send + Sync + 'static) -> Self {
        self.peer.sip_trace = Some(crate::api::SipTrace::new(trace));
        self
    }

    /// Binds the socket and starts serving.
    pub async fn start(self) -> Result<Server, PeerError> {
        let mut peer = self.peer;
        peer.user = "registrar".into();
        peer.server = Some(self.server);
        Ok(Server { coordinator: UnifiedCoordinator::start(peer)? })
    }
}
