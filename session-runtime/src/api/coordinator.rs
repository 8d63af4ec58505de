//! `UnifiedCoordinator`: starts an endpoint and its driver task, and hands out the
//! parts the application uses. A thin facade: the protocol is the endpoint's, the I/O
//! the driver's, calls the [`CallController`]'s.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use session_media::Codec;
use session_proto::auth::Credentials;
use session_proto::media::MediaSettings;
use session_proto::server::ServerConfig;
use session_proto::{Endpoint, EndpointConfig, IncomingMessage, OverloadLimits, RegisterSpec, Stats};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::CallController;
use super::registration::{RegisterError, Registration};
use super::trace::SipTrace;
use crate::driver::command::Command;
use crate::driver::{Driver, socket};
use crate::interceptor::SignalingInterceptor;
use crate::location::{LocationStore, MemoryStore};
use crate::media::MediaConfig;
use session_proto::sip::transaction::Timers;

/// MESSAGEs kept for an application that reads them late; more are answered and dropped.
const MESSAGE_BACKLOG: usize = 64;

/// How to start a peer.
#[derive(Clone, Debug)]
pub struct PeerConfig {
    /// Address to bind the SIP socket to; port 0 picks a free one.
    pub bind: SocketAddr,
    /// The user part of our SIP URI.
    pub user: String,
    /// A name for people, before our URI in From (see [`PeerBuilder::display_name`]).
    ///
    /// [`PeerBuilder::display_name`]: crate::PeerBuilder::display_name
    pub display_name: Option<String>,
    /// RFC 3261 T1; T2 and T4 keep their ratios to it. 500 ms unless a test needs faster.
    pub t1: Duration,
    /// Codecs to offer and accept, in preference order.
    pub codecs: Vec<Codec>,
    /// Ports for RTP (even ones are used); any free port when `None`.
    pub rtp_ports: Option<std::ops::RangeInclusive<u16>>,
    /// How DTMF is sent.
    pub dtmf: crate::types::DtmfMode,
    /// How long a call may ring, either way, before it is given up: an incoming call is
    /// answered 480, our own is CANCELled. Three minutes by default, the shortest Timer C
    /// a proxy may use (RFC 3261 16.6), after which a proxy would give up the call anyway.
    pub no_answer: Duration,
    /// Policy for incoming requests.
    pub interceptor: SignalingInterceptor,
    /// Where a registrar keeps its bindings and every node its digest nonce counts: in
    /// this process by default ([`MemoryStore`]); a [`RedisStore`] shared by several.
    ///
    /// [`RedisStore`]: crate::location::RedisStore
    pub location: Arc<dyn LocationStore>,
    /// Registrar and proxy settings: set, the endpoint serves its realm's users
    /// (REGISTER, calls between them) instead of taking calls itself. See [`crate::Server`].
    pub server: Option<ServerConfig>,
    /// Called with every SIP datagram sent and received, credentials redacted (see
    /// [`SipMessageTrace`](super::SipMessageTrace)); none by default.
    pub sip_trace: Option<SipTrace>,
    /// When new calls are refused with 503 and Retry-After rather than taken; besides
    /// these limits, the driver refuses them while its socket's input backs up.
    pub overload: OverloadLimits,
}

impl PeerConfig {
    /// Defaults for a peer bound to `bind`.
    pub fn new(bind: SocketAddr) -> Self {
        Self {
            bind,
            user: "simplepeer".into(),
            display_name: None,
            t1: Timers::default().t1,
            codecs: Codec::ALL.to_vec(),
            rtp_ports: None,
            dtmf: crate::types::DtmfMode::default(),
            no_answer: Duration::from_secs(180),
            interceptor: SignalingInterceptor::new(),
            location: Arc::new(MemoryStore::new()),
            server: None,
            sip_trace: None,
            overload: OverloadLimits::default(),
        }
    }
}

/// The services a peer uses besides its socket: the credentials its requests answer
/// challenges with, and the outbound proxy its requests outside a dialog go through.
#[derive(Clone, Debug, Default)]
pub struct PeerServices {
    /// Credentials for 401/407 challenges to calls (a registration brings its own and
    /// sets them too). Debug shows the user only.
    pub credentials: Option<Credentials>,
    /// Where REGISTERs and new calls' INVITEs go, with `Route: <sip:PROXY;lr>`.
    pub outbound_proxy: Option<SocketAddr>,
}

/// Why a peer could not start.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The address is not `IP:PORT`.
    #[error("`{0}` is not an address like 127.0.0.1:5060 (use port 0 for any free port)")]
    BadAddress(String),
    /// The socket could not be bound.
    #[error("cannot bind {addr}: {source}; is the port in use? Use port 0 for any free port")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// No codec to offer or accept.
    #[error("the codec list is empty; give at least one of PCMU, PCMA")]
    NoCodecs,
    /// The display name cannot be written in a SIP header.
    #[error(transparent)]
    BadDisplayName(#[from] session_proto::BadDisplayName),
}

/// A running endpoint: its call controller and what it holds.
pub struct UnifiedCoordinator {
    local: SocketAddr,
    commands: mpsc::UnboundedSender<Command>,
    calls: CallController,
    messages: Mutex<mpsc::Receiver<IncomingMessage>>,
}

impl std::fmt::Debug for UnifiedCoordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnifiedCoordinator").field("local", &self.local).finish_non_exhaustive()
    }
}

impl UnifiedCoordinator {
    /// Binds the socket and starts the driver task on the current tokio runtime.
    pub fn start(config: PeerConfig) -> Result<Self, PeerError> {
        Self::new_with_services(config, PeerServices::default())
    }

    /// [`UnifiedCoordinator::start`] with `services`: credentials and an outbound proxy.
    pub fn new_with_services(config: PeerConfig, services: PeerServices) -> Result<Self, PeerError> {
        if config.codecs.is_empty() {
            return Err(PeerError::NoCodecs);
        }
        if let Some(name) = &config.display_name {
            session_proto::check_display_name(name)?;
        }
        let socket =
            socket::bind(config.bind).map_err(|source| PeerError::Bind { addr: config.bind, source })?;
        let local = socket.local_addr().map_err(|source| PeerError::Bind { addr: config.bind, source })?;
        let media_ip = if local.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { local.ip() };
        let endpoint_config = EndpointConfig {
            local,
            user: config.user,
            display_name: config.display_name,
            timers: Timers::with_t1(config.t1),
            media: MediaSettings { codecs: config.codecs, dtmf: config.dtmf },
            no_answer: config.no_answer,
            interceptor: config.interceptor,
            credentials: services.credentials,
            outbound_proxy: services.outbound_proxy,
            server: config.server,
            overload: config.overload,
        };
        let endpoint = Endpoint::new(endpoint_config, rand::random());
        let media = MediaConfig { ip: media_ip, ports: config.rtp_ports };
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (incoming, incoming_rx) = mpsc::unbounded_channel();
        let (messages, messages_rx) = mpsc::channel(MESSAGE_BACKLOG);
        let driver =
            Driver::new(socket, endpoint, media, commands.clone(), incoming, messages, config.location)
                .with_trace(config.sip_trace);
        tokio::spawn(driver.run(command_rx));
        Ok(Self {
            local,
            calls: CallController::new(commands.clone(), incoming_rx),
            commands,
            messages: Mutex::new(messages_rx),
        })
    }

    /// The address the SIP socket is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Placing and receiving calls.
    pub fn calls(&self) -> &CallController {
        &self.calls
    }

    /// The next MESSAGE that arrived (each was answered 200); `None` once the peer has
    /// shut down.
    pub async fn next_message(&self) -> Option<IncomingMessage> {
        self.messages.lock().await.recv().await
    }

    /// Registers with `spec.registrar` and returns once the registrar has accepted (the
    /// binding is then refreshed until unregistered), or with why it did not.
    pub async fn register(&self, spec: RegisterSpec) -> Result<Registration, RegisterError> {
        let (reply, registered) = oneshot::channel();
        self.commands.send(Command::Register { spec, reply }).map_err(|_| RegisterError::Shutdown)?;
        let shared = registered.await.map_err(|_| RegisterError::Shutdown)??;
        let registration = Registration::new(shared, self.commands.clone());
        let status = registration.settled().await.ok_or(RegisterError::Shutdown)?;
        match status.error {
            Some(error) => Err(RegisterError::Failed(error)),
            None if status.is_over() => Err(RegisterError::Shutdown),
            None => Ok(registration),
        }
    }

    /// Withdraws every registration and waits until the registrars have answered (or
    /// the withdrawals timed out).
    pub async fn unregister_all(&self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::UnregisterAll(reply)).is_ok() {
            let _ = done.await;
        }
    }

    /// What the endpoint holds: calls, transactions, dialogs, timers.
    pub async fn stats(&self) -> Stats {
        let (reply, stats) = oneshot::channel();
        if self.commands.send(Command::Stats(reply)).is_err() {
            return Stats::default();
        }
        stats.await.unwrap_or_default()
    }
}

impl Drop for UnifiedCoordinator {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
    }
}
