//! `UnifiedCoordinator`: starts a user agent and hands out its parts. A thin facade; the
//! work is done by [`SessionManager`], [`CallController`] and the user agent.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use session_media::Codec;
use tokio::sync::mpsc;

use super::{Call, CallController, CallError, SessionManager};
use crate::interceptor::SignalingInterceptor;
use crate::media::MediaConfig;
use crate::registry::SessionRegistry;
use crate::sip::transaction::Timers;
use crate::ua::{DialogAdapter, UaConfig, driver};

/// How to start a peer.
#[derive(Clone, Debug)]
pub struct PeerConfig {
    /// Address to bind the SIP socket to; port 0 picks a free one.
    pub bind: SocketAddr,
    /// The user part of our SIP URI.
    pub user: String,
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
}

impl PeerConfig {
    /// Defaults for a peer bound to `bind`.
    pub fn new(bind: SocketAddr) -> Self {
        Self {
            bind,
            user: "simplepeer".into(),
            t1: Timers::default().t1,
            codecs: Codec::ALL.to_vec(),
            rtp_ports: None,
            dtmf: crate::types::DtmfMode::default(),
            no_answer: Duration::from_secs(180),
            interceptor: SignalingInterceptor::new(),
        }
    }
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
}

/// A running user agent: its sessions, registry and call controller.
pub struct UnifiedCoordinator {
    local: SocketAddr,
    manager: Arc<SessionManager>,
    registry: Arc<SessionRegistry>,
    calls: CallController,
}

impl std::fmt::Debug for UnifiedCoordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnifiedCoordinator").field("local", &self.local).finish_non_exhaustive()
    }
}

impl UnifiedCoordinator {
    /// Binds the socket and starts the driver task on the current tokio runtime.
    pub fn start(config: PeerConfig) -> Result<Self, PeerError> {
        if config.codecs.is_empty() {
            return Err(PeerError::NoCodecs);
        }
        let socket =
            driver::bind(config.bind).map_err(|source| PeerError::Bind { addr: config.bind, source })?;
        let local = socket.local_addr().map_err(|source| PeerError::Bind { addr: config.bind, source })?;
        let media_ip = if local.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { local.ip() };
        let ua_config = UaConfig {
            local,
            user: config.user,
            timers: Timers::with_t1(config.t1),
            media: MediaConfig {
                ip: media_ip,
                codecs: config.codecs,
                ports: config.rtp_ports,
                dtmf: config.dtmf,
            },
            no_answer: config.no_answer,
        };
        let manager = Arc::new(SessionManager::new());
        let registry = Arc::new(SessionRegistry::new());
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (incoming, incoming_rx) = mpsc::unbounded_channel();
        let ua = DialogAdapter::new(
            ua_config,
            config.interceptor,
            manager.clone(),
            registry.clone(),
            commands.clone(),
            incoming,
        );
        tokio::spawn(driver::run(socket, ua, command_rx));
        Ok(Self { local, manager, registry, calls: CallController::new(commands, incoming_rx) })
    }

    /// The address the SIP socket is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The sessions.
    pub fn sessions(&self) -> &SessionManager {
        &self.manager
    }

    /// Which dialog and media belong to which session.
    pub fn registry(&self) -> &SessionRegistry {
        &self.registry
    }

    /// Placing and receiving calls.
    pub fn calls(&self) -> &CallController {
        &self.calls
    }

    /// Places a call (see [`CallController::make_call`]).
    pub async fn make_call(&self, target: &str) -> Result<Call, CallError> {
        self.calls.make_call(target).await
    }

    /// The next incoming call (see [`CallController::incoming_call`]).
    pub async fn incoming_call(&self) -> Option<Call> {
        self.calls.incoming_call().await
    }
}

impl Drop for UnifiedCoordinator {
    fn drop(&mut self) {
        self.calls.shutdown();
    }
}
