//! `SimplePeer`: place or answer a call in a few lines.

use std::net::SocketAddr;
use std::time::Duration;

use session_media::Codec;

use session_proto::RegisterSpec;
use session_proto::auth::Credentials;

use super::coordinator::{PeerConfig, PeerError, PeerServices, UnifiedCoordinator};
use super::registration::{RegisterError, Registration};
use super::{Call, CallError};
use crate::interceptor::SignalingHandler;
use crate::machine::State;

/// A SIP user agent with a call API and nothing to configure.
///
/// Place a call (to `target`, such as `sip:bob@192.0.2.7:5060` or another peer's
/// [`uri`](SimplePeer::uri)):
///
/// ```no_run
/// # async fn demo(target: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let peer = session_core::SimplePeer::new("127.0.0.1:0").await?;
/// let call = peer.call(target).await?;
/// call.hangup().await?;
/// # Ok(()) }
/// ```
///
/// Answer one (port 0 takes a free port; [`uri`](SimplePeer::uri) names it):
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let peer = session_core::SimplePeer::new("127.0.0.1:0").await?;
/// println!("call me at {}", peer.uri());
/// let call = peer.next_call().await.ok_or("peer stopped")?;
/// call.accept().await?;
/// println!("ended: {}", call.ended().await);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SimplePeer {
    coordinator: UnifiedCoordinator,
    user: String,
}

impl SimplePeer {
    /// Starts a peer bound to `bind` (`IP:PORT`; port 0 picks a free port).
    pub async fn new(bind: &str) -> Result<Self, PeerError> {
        Self::builder(bind)?.start().await
    }

    /// A peer with settings: user name, timers, codecs, incoming-call policy.
    pub fn builder(bind: &str) -> Result<PeerBuilder, PeerError> {
        let addr: SocketAddr = bind.parse().map_err(|_| PeerError::BadAddress(bind.to_owned()))?;
        Ok(PeerBuilder { config: PeerConfig::new(addr), services: PeerServices::default() })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.coordinator.local_addr()
    }

    /// Our SIP URI, for others to call.
    pub fn uri(&self) -> String {
        format!("sip:{}@{}", self.user, self.local_addr())
    }

    /// Calls `target` and waits until it is answered; an error says why it was not
    /// (rejected with a status, timed out, …).
    pub async fn call(&self, target: &str) -> Result<Call, CallError> {
        let call = self.dial(target).await?;
        match call.wait_for(State::Active).await {
            State::Active => Ok(call),
            _ => Err(CallError::Ended(call.ended().await)),
        }
    }

    /// Calls `target` and returns at once; follow the call with [`Call::wait_for`] or
    /// [`Call::events`].
    pub async fn dial(&self, target: &str) -> Result<Call, CallError> {
        self.coordinator.calls().make_call(target).await
    }

    /// The next incoming call, ringing until accepted or rejected.
    pub async fn next_call(&self) -> Option<Call> {
        self.coordinator.calls().incoming_call().await
    }

    /// The next MESSAGE that arrived (RFC 3428; each was answered 200).
    pub async fn next_message(&self) -> Option<crate::api::IncomingMessage> {
        self.coordinator.next_message().await
    }

    /// Registers `user` at `registrar` (`sip:HOST[:PORT]`; a name is looked up) with
    /// `password`, and returns once the registrar accepted, or fails with why it did
    /// not ([`RegisterError::Failed`] with `WrongCredentials` for a wrong password). The
    /// binding is refreshed until [`Registration::unregister`] or [`SimplePeer::shutdown`],
    /// and the credentials also answer challenges to our calls. The password is never
    /// logged.
    pub async fn register(
        &self,
        registrar: &str,
        user: &str,
        password: &str,
    ) -> Result<Registration, RegisterError> {
        self.register_spec(RegisterSpec::new(registrar, user, Credentials::new(user, password))).await
    }

    /// [`SimplePeer::register`] with every setting: the expiry to ask for, an
    /// authentication user other than the one registered.
    pub async fn register_spec(&self, spec: RegisterSpec) -> Result<Registration, RegisterError> {
        self.coordinator.register(spec).await
    }

    /// Withdraws every registration, waits for the registrars' answers, and stops the
    /// peer. Dropping the peer also withdraws them, without waiting.
    pub async fn shutdown(self) {
        self.coordinator.unregister_all().await;
    }

    /// The coordinator underneath: the call controller and the endpoint's statistics.
    pub fn coordinator(&self) -> &UnifiedCoordinator {
        &self.coordinator
    }
}

/// Settings for a [`SimplePeer`].
#[derive(Debug)]
pub struct PeerBuilder {
    config: PeerConfig,
    services: PeerServices,
}

impl PeerBuilder {
    /// The user part of our SIP URI.
    #[must_use]
    pub fn user(mut self, user: &str) -> Self {
        self.config.user = user.to_owned();
        self
    }

    /// A name for people, shown to the peers we call before our URI in From (and in
    /// Referred-By when we transfer): `"Alice Liddell" <sip:alice@…>`. A name with a
    /// control character makes [`PeerBuilder::start`] fail.
    #[must_use]
    pub fn display_name(mut self, name: &str) -> Self {
        self.config.display_name = Some(name.to_owned());
        self
    }

    /// RFC 3261 T1 (500 ms by default); a call to a silent address fails after 64·T1.
    #[must_use]
    pub fn t1(mut self, t1: Duration) -> Self {
        self.config.t1 = t1;
        self
    }

    /// How long a call may ring, either way, before it is given up (3 minutes by
    /// default): an unanswered incoming call is answered 480 Temporarily Unavailable,
    /// and a call we placed is CANCELled; both end with [`EndReason::Timeout`].
    ///
    /// [`EndReason::Timeout`]: crate::EndReason::Timeout
    #[must_use]
    pub fn no_answer_timeout(mut self, timeout: Duration) -> Self {
        self.config.no_answer = timeout;
        self
    }

    /// When new calls are refused with `503 Service Unavailable` and `Retry-After`
    /// instead of being taken: at most so many calls at once, live transactions, or new
    /// calls per second (all unlimited by default). Whatever the limits, new calls are
    /// refused while the peer's socket input backs up, so that the calls in progress
    /// keep their share when more arrive than it can serve.
    #[must_use]
    pub fn overload(mut self, limits: session_proto::OverloadLimits) -> Self {
        self.config.overload = limits;
        self
    }

    /// The codecs we offer and accept, in preference order (PCMU then PCMA by default).
    /// An empty list is refused when the peer starts.
    #[must_use]
    pub fn codecs(mut self, codecs: &[Codec]) -> Self {
        self.config.codecs = codecs.to_vec();
        self
    }

    /// Takes RTP ports from this range (even ones; the odd one above is left for RTCP),
    /// as firewalls often require; by default any free port.
    #[must_use]
    pub fn rtp_ports(mut self, ports: std::ops::RangeInclusive<u16>) -> Self {
        self.config.rtp_ports = Some(ports);
        self
    }

    /// How DTMF is sent: RFC 4733 (the default, with SIP INFO for peers without
    /// telephone-event) or SIP INFO always.
    #[must_use]
    pub fn dtmf(mut self, mode: crate::types::DtmfMode) -> Self {
        self.config.dtmf = mode;
        self
    }

    /// Adds a policy for incoming requests (see [`crate::interceptor`]).
    #[must_use]
    pub fn handler(mut self, handler: impl SignalingHandler + 'static) -> Self {
        self.config.interceptor = self.config.interceptor.with(handler);
        self
    }

    /// Sends requests outside a dialog (REGISTER, a new call's INVITE) to this proxy,
    /// with `Route: <sip:PROXY;lr>`.
    #[must_use]
    pub fn outbound_proxy(mut self, proxy: SocketAddr) -> Self {
        self.services.outbound_proxy = Some(proxy);
        self
    }

    /// Answers 401/407 challenges to our calls' requests with these credentials.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.services.credentials = Some(credentials);
        self
    }

    /// Keeps bindings and digest nonce counts in `store` (see [`crate::location`]):
    /// several nodes that share one Redis share their registrations. In this process's
    /// memory by default.
    #[must_use]
    pub fn location_store(mut self, store: std::sync::Arc<dyn crate::location::LocationStore>) -> Self {
        self.config.location = store;
        self
    }

    /// Calls `trace` with every SIP datagram the peer sends and receives: direction,
    /// peer address, time and text, with the values of Authorization and
    /// Proxy-Authorization redacted (see [`SipMessageTrace`]). It runs on the peer's
    /// driver task, so it should be quick and must not block: print, log, or send to a
    /// channel.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let peer = session_runtime::SimplePeer::builder("127.0.0.1:0")?
    ///     .sip_trace(|message| eprintln!("{message}\n"))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// [`SipMessageTrace`]: crate::api::SipMessageTrace
    #[must_use]
    pub fn sip_trace(mut self, trace: impl Fn(&crate::api::SipMessageTrace) + Send + Sync + 'static) -> Self {
        self.config.sip_trace = Some(crate::api::SipTrace::new(trace));
        self
    }

    /// Starts the peer.
    pub async fn start(self) -> Result<SimplePeer, PeerError> {
        let user = self.config.user.clone();
        Ok(SimplePeer {
            coordinator: UnifiedCoordinator::new_with_services(self.config, self.services)?,
            user,
        })
    }
}
