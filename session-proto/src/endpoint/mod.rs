//! The `Endpoint`: one SIP endpoint (one bound address), sans-IO.
//!
//! ```text
//! handle_datagram(now, from, bytes) ─┐                   ┌─ poll_transmit() → Transmit
//! handle_timeout(now)               ─┤                   ├─ poll_timeout()  → Instant
//! dial / handle_command(now, …)     ─┼─ Endpoint ────────┼─ poll_event()    → Event
//! handle_media_opened / _resolved   ─┘                   │  (application events, and
//!   / handle_dtmf / handle_location                      │   work for the driver)
//!   / handle_unreachable                                 │
//!   (the driver's answers and reports)
//! ```
//!
//! Every message is routed the same way: the transaction layer first (retransmissions
//! are absorbed there), then the [`SessionRegistry`] by transaction or dialog id to the
//! usage that owns it, then by method to the usage that creates new ones. Calls are the
//! first usage (the `call` module); OPTIONS and MESSAGE the second; the registrar and
//! the proxy ([`crate::server`]) the third, present when the configuration asks.

pub(crate) mod authorize;
pub mod config;
pub(crate) mod core;
pub mod event;
mod options;
pub mod overload;
pub mod registry;
mod route;
mod unreachable;
mod validate;

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;

pub use self::config::{BadDisplayName, EndpointConfig, check_display_name};
use self::core::Core;
pub use self::event::{CommandError, EndReason, Event, IncomingMessage, Stats};
pub use self::overload::OverloadLimits;
use self::overload::{Admission, Early};
pub use self::registry::SessionRegistry;
pub use self::unreachable::Unreachable;
use crate::call::DialogAdapter;
use crate::deadlines::Deadline;
use crate::location::{JobId, LocationAnswer};
use crate::machine;
use crate::registration::{RegisterSpec, RegistrationAdapter, RegistrationId};
use crate::server::Server;
use crate::sip::inbound;
use crate::sip::transaction::Transmit;
use crate::types::SessionId;

/// A SIP endpoint without I/O. The driver feeds it datagrams, the time and the
/// application's commands, and carries out what it polls from it.
#[derive(Debug)]
pub struct Endpoint {
    core: Core,
    calls: DialogAdapter,
    registrations: RegistrationAdapter,
    server: Option<Server>,
    /// Whether new calls are taken ([`overload`]).
    admission: Admission,
}

impl Endpoint {
    /// An endpoint; `seed` makes its tags, Call-IDs and branches (tests pass a fixed
    /// one, the driver a random one).
    pub fn new(config: EndpointConfig, seed: u64) -> Self {
        let server = config.server.clone().map(Server::new);
        let registrar: &[&str] = if server.is_some() { &["REGISTER"] } else { &[] };
        let allow = [crate::call::METHODS, options::METHODS, registrar].concat().join(", ");
        Self {
            admission: Admission::new(config.overload.clone()),
            core: Core::new(config, seed, allow),
            calls: DialogAdapter::default(),
            registrations: RegistrationAdapter::default(),
            server,
        }
    }

    /// The methods the endpoint handles, as its Allow header lists them.
    pub fn allow(&self) -> &str {
        &self.core.allow
    }

    /// The settings it runs with.
    pub fn config(&self) -> &EndpointConfig {
        &self.core.config
    }

    /// A datagram arrived from `from`.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let checked = match self.early(now, datagram) {
            Early::Refuse(refusal) => return self.core.tx.send_stateless(from, refusal),
            Early::Drop => return,
            Early::Admitted => true,
            Early::Parse => false,
        };
        match inbound::parse(datagram, &self.core.allow) {
            Ok(message) => {
                if let Some(refusal) = (!checked).then(|| self.shed(now, &message)).flatten() {
                    return self.core.tx.send_stateless(from, refusal);
                }
                // A proxy forwards the bytes as they came; a user agent needs no copy.
                let raw = self.server.is_some().then(|| Bytes::copy_from_slice(datagram));
                self.core.tx.handle(now, from, message, raw, &mut self.core.deadlines)
            }
            Err(refused) => {
                tracing::debug!(%from, reason = %refused.reason, "refused a datagram");
                if let Some(response) = refused.response {
                    self.core.tx.send_stateless(from, Bytes::from(response));
                }
            }
        }
        self.route(now);
    }

    /// The driver says whether it keeps up with its input: while it does not (its
    /// socket's receive queue grows), new calls are refused with 503 ([`overload`]).
    pub fn set_overloaded(&mut self, overloaded: bool) {
        self.admission.set_backlogged(overloaded);
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((at, deadline)) = self.core.deadlines.pop_due(now) {
            match deadline {
                Deadline::Client(..) | Deadline::Server(_) => {
                    self.core.tx.on_deadline(now, deadline, &mut self.core.deadlines)
                }
                Deadline::NoAnswer(call) => self.calls.on_no_answer(&mut self.core, now, call, at),
                Deadline::Refresh(id) => self.registrations.on_refresh(&mut self.core, now, id, at),
                Deadline::Forward(tx) => {
                    if let Some(server) = self.server.as_mut() {
                        server.on_forward_timer(&mut self.core, now, tx);
                    }
                }
                Deadline::Reply(tx) => {
                    if let Some(server) = self.server.as_mut() {
                        server.on_held(&mut self.core, now, tx);
                    }
                }
            }
            self.route(now);
        }
    }

    /// Places a call to `target` (`sip:user@host[:port]`). The call exists at once; the
    /// INVITE goes out when the target's address is known and the RTP sockets are open.
    pub fn dial(&mut self, now: Instant, target: &str) -> Result<SessionId, CommandError> {
        let call = self.calls.dial(&mut self.core, now, target);
        self.route(now);
        call
    }

    /// Registers `spec.user` at `spec.registrar` and keeps the binding refreshed until
    /// [`Endpoint::unregister`]. Progress comes as [`Event::Registration`]: `Registering`,
    /// then `Registered` with the granted expiry, or `Failed` with the error. Its
    /// credentials also become the endpoint's [`EndpointConfig::credentials`].
    ///
    /// ```
    /// use std::time::Instant;
    /// use session_proto::auth::Credentials;
    /// use session_proto::{Endpoint, EndpointConfig, Event, RegisterSpec, RegistrationState};
    ///
    /// let mut endpoint = Endpoint::new(EndpointConfig::new("127.0.0.1:5060".parse().unwrap()), 1);
    /// let spec = RegisterSpec::new("sip:127.0.0.1:5070", "alice", Credentials::new("alice", "secret"));
    /// let id = endpoint.register(Instant::now(), spec).unwrap();
    /// let sent = endpoint.poll_transmit().unwrap();
    /// assert!(sent.bytes.starts_with(b"REGISTER sip:127.0.0.1:5070 SIP/2.0"));
    /// assert!(matches!(
    ///     endpoint.poll_event(),
    ///     Some(Event::Registration { id: i, state: RegistrationState::Registering, .. }) if i == id
    /// ));
    /// ```
    pub fn register(&mut self, now: Instant, spec: RegisterSpec) -> Result<RegistrationId, CommandError> {
        let id = self.registrations.register(&mut self.core, now, spec);
        self.route(now);
        id
    }

    /// Withdraws a registration: REGISTER with `Expires: 0` (once the REGISTER in
    /// flight, if any, is answered), then [`Event::Registration`] `Unregistered`.
    pub fn unregister(&mut self, now: Instant, id: RegistrationId) -> Result<(), CommandError> {
        let done = self.registrations.unregister(&mut self.core, now, id);
        self.route(now);
        done
    }

    /// The driver's answer to [`Event::ResolveRegistrar`].
    pub fn handle_registrar_resolved(
        &mut self,
        now: Instant,
        id: RegistrationId,
        resolved: Result<SocketAddr, String>,
    ) {
        self.registrations.resolved(&mut self.core, now, id, resolved);
        self.route(now);
    }

    /// Feeds a command (accept, hangup, hold, DTMF, …) to a call.
    pub fn handle_command(
        &mut self,
        now: Instant,
        call: SessionId,
        command: machine::Event,
    ) -> Result<(), CommandError> {
        let done = self.calls.command(&mut self.core, now, call, command);
        self.route(now);
        done
    }

    /// Attended transfer (RFC 5589 section 7): asks the peer of `call` to call the peer
    /// of `other` with a Replaces header naming `other`'s dialog (REFER with
    /// `Refer-To: <target?Replaces=…>`), so that the new call takes `other`'s place.
    /// Progress comes as [`Event::TransferProgress`] on `call`; on success `call` ends,
    /// and `other` ends when its peer takes the replacing call.
    pub fn transfer_to(
        &mut self,
        now: Instant,
        call: SessionId,
        other: SessionId,
    ) -> Result<(), CommandError> {
        let (target, replaces) = self.calls.replaces_of(other).ok_or(CommandError::NoSuchCall(other))?;
        let target = crate::sip::headers::uri_of(&target).to_owned();
        self.handle_command(now, call, machine::Event::AttendedTransfer { target, replaces })
    }

    /// The driver's answer to [`Event::OpenMedia`]: the RTP address it opened, or why
    /// it could not.
    pub fn handle_media_opened(&mut self, now: Instant, call: SessionId, opened: Result<SocketAddr, String>) {
        self.calls.media_opened(&mut self.core, now, call, opened);
        self.route(now);
    }

    /// The driver's answer to [`Event::Resolve`].
    pub fn handle_resolved(&mut self, now: Instant, call: SessionId, resolved: Result<SocketAddr, String>) {
        self.calls.resolved(&mut self.core, now, call, resolved);
        self.route(now);
    }

    /// A call's media engine received a DTMF digit (RFC 4733).
    pub fn handle_dtmf(&mut self, now: Instant, call: SessionId, digit: char) {
        self.calls.feed(&mut self.core, now, call, machine::Event::DtmfReceived { digit });
        self.route(now);
    }

    /// The driver's answer to [`Event::Location`]: what the location store did with
    /// job `job`. An answer to a job nobody waits for any more (its request was
    /// CANCELled) is ignored.
    pub fn handle_location(&mut self, now: Instant, job: JobId, answer: LocationAnswer) {
        if let Some(server) = self.server.as_mut() {
            server.on_location(&mut self.core, now, job, answer);
        }
        self.route(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.core.tx.poll_transmit()
    }

    /// When [`Endpoint::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.core.deadlines.next()
    }

    /// The next event, for the application or for the driver.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.core.events.pop_front()
    }

    /// What the endpoint holds.
    pub fn stats(&self) -> Stats {
        Stats {
            calls: self.calls.len(),
            subscriptions: self.calls.subscriptions(),
            transactions: self.core.tx.len(),
            dialogs: self.core.registry.dialogs(),
            deadlines: self.core.deadlines.len(),
            refused_overload: self.admission.refused,
            registrations: self.registrations.len(),
            server: self.server.as_ref().map_or(0, Server::held),
        }
    }

    /// Gives back the memory its tables grew to for a peak of calls, keeping what they
    /// hold: a map keeps the room of its largest size otherwise. Cheap when the
    /// endpoint is quiet, which is when the driver calls it.
    pub fn shrink_to_fit(&mut self) {
        self.calls.shrink_to_fit();
        self.core.tx.shrink_to_fit();
        self.core.registry.shrink_to_fit();
        self.core.deadlines.shrink_to_fit();
        self.core.events.shrink_to_fit();
    }

    /// True when no call, transaction, route or timer is left.
    pub fn is_idle(&self) -> bool {
        self.calls.len() == 0
            && self.calls.subscriptions() == 0
            && self.registrations.len() == 0
            && self.core.tx.is_empty()
            && self.core.registry.is_empty()
            && self.core.deadlines.is_empty()
            && self.server.as_ref().is_none_or(Server::is_idle)
    }
}
