//! The user agent's [`DialogAdapter`]: the transaction layer, dialogs and the compiled
//! state machine put together, turning SIP traffic into table events and table actions
//! into SIP traffic. It owns no socket and reads no clock: the driver feeds it datagrams,
//! commands and the time, and sends what [`DialogAdapter::poll_transmit`] returns.
//!
//! Every session event flows the same way: datagram → [`crate::sip::inbound`] →
//! transaction layer → dialog match (`requests`, `responses`) → interceptor →
//! [`SessionManager::process_event`] → the table's actions → outputs (`outputs`) →
//! datagrams, media changes and call events.

pub mod command;
pub mod driver;
mod leg;
mod media;
mod outputs;
mod requests;
mod responses;
mod ringing;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::mpsc;

use self::command::Command;
use self::leg::{Leg, Purpose};
use crate::api::{Call, CallError, EndReason, SessionError, SessionManager};
use crate::interceptor::SignalingInterceptor;
use crate::machine::executor::{Step, StepError};
use crate::machine::{Event, State};
use crate::media::MediaConfig;
use crate::registry::SessionRegistry;
use crate::sip::inbound;
use crate::sip::transaction::{ClientTxId, ServerTxId, Timers, TransactionLayer, Transmit, TxEvent};
use crate::types::SessionId;

/// How a user agent presents itself.
#[derive(Clone, Debug)]
pub struct UaConfig {
    /// The address our socket is bound to (Via, Contact, From).
    pub local: SocketAddr,
    /// The user part of our URI.
    pub user: String,
    /// RFC 3261 timers.
    pub timers: Timers,
    /// Media settings.
    pub media: MediaConfig,
    /// How long a call may ring, either way, before it is given up.
    pub no_answer: std::time::Duration,
}

/// The sans-IO dialog adapter (the plan's `DialogAdapter`): one per SIP endpoint.
pub struct DialogAdapter {
    config: UaConfig,
    local_uri: String,
    tx: TransactionLayer,
    manager: Arc<SessionManager>,
    registry: Arc<SessionRegistry>,
    interceptor: SignalingInterceptor,
    legs: HashMap<SessionId, Leg>,
    by_invite_server: HashMap<ServerTxId, SessionId>,
    by_client_tx: HashMap<ClientTxId, (SessionId, Purpose)>,
    commands: mpsc::UnboundedSender<Command>,
    incoming: mpsc::UnboundedSender<Call>,
    ringing: ringing::RingTimers,
    next_media: u64,
}

impl DialogAdapter {
    /// A user agent; new calls go to `incoming`, and call handles send their commands
    /// to `commands` (which the driver feeds back to [`DialogAdapter::handle_command`]).
    pub fn new(
        config: UaConfig,
        interceptor: SignalingInterceptor,
        manager: Arc<SessionManager>,
        registry: Arc<SessionRegistry>,
        commands: mpsc::UnboundedSender<Command>,
        incoming: mpsc::UnboundedSender<Call>,
    ) -> Self {
        let local_uri = format!("<sip:{}@{}>", config.user, config.local);
        Self {
            tx: TransactionLayer::new(config.timers, rand::random()),
            config,
            local_uri,
            manager,
            registry,
            interceptor,
            legs: HashMap::new(),
            by_invite_server: HashMap::new(),
            by_client_tx: HashMap::new(),
            commands,
            incoming,
            ringing: ringing::RingTimers::default(),
            next_media: 1,
        }
    }

    /// Live calls.
    pub fn calls(&self) -> usize {
        self.legs.len()
    }

    /// Live transactions.
    pub fn transactions(&self) -> usize {
        self.tx.len()
    }

    /// A datagram arrived.
    pub async fn handle_datagram(&mut self, now: Instant, source: SocketAddr, datagram: &[u8]) {
        match inbound::parse(datagram) {
            Ok(message) => self.tx.handle(now, source, message),
            Err(refused) => {
                tracing::debug!(%source, reason = %refused.reason, "refused a datagram");
                if let Some(response) = refused.response {
                    self.tx.send_stateless(source, Bytes::from(response));
                }
            }
        }
        self.dispatch(now).await;
    }

    /// Timers may be due.
    pub async fn handle_timeout(&mut self, now: Instant) {
        self.tx.handle_timeout(now);
        self.dispatch(now).await;
        self.no_answer_due(now).await;
        self.dispatch(now).await;
    }

    /// The API asked for something.
    pub async fn handle_command(&mut self, now: Instant, command: Command) {
        match command {
            Command::Dial { target, reply } => {
                let _ = reply.send(self.dial(now, &target).await);
            }
            Command::Event { session, event, reply } => {
                let _ = reply.send(self.command(now, session, event).await);
            }
            Command::Media { session, event } => {
                if let Err(error) = self.drive(now, session, event).await {
                    tracing::debug!(%session, %error, "media event not taken");
                }
            }
            Command::Shutdown => {}
        }
        self.dispatch(now).await;
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.tx.poll_transmit()
    }

    /// When [`DialogAdapter::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.tx.poll_timeout(), self.ringing.next()].into_iter().flatten().min()
    }

    async fn dispatch(&mut self, now: Instant) {
        while let Some(event) = self.tx.poll_event() {
            match event {
                TxEvent::Request { tx, request, essentials, source, cancels } => {
                    self.on_request(now, tx, request, essentials, source, cancels).await;
                }
                TxEvent::Ack { request, essentials } => self.on_ack(now, request, essentials).await,
                TxEvent::Response { tx, response, essentials } => {
                    self.on_response(now, tx, response, essentials).await
                }
                TxEvent::Timeout { tx } => self.on_client_timeout(now, tx).await,
                TxEvent::AckTimeout { tx } => self.on_ack_timeout(now, tx).await,
            }
        }
    }

    async fn command(&mut self, now: Instant, session: SessionId, event: Event) -> Result<(), CallError> {
        // Set before driving, as the call may end within it; undone when the table
        // refuses the command, so that the call's real end is reported.
        let before = match event {
            Event::Hangup | Event::Reject { .. } => {
                self.legs.get_mut(&session).map(|leg| std::mem::replace(&mut leg.local_hangup, true))
            }
            _ => None,
        };
        let result = self.drive(now, session, event).await;
        if let Some(before) = before
            && let Err(CallError::InvalidState { .. }) = result
            && let Some(leg) = self.legs.get_mut(&session)
        {
            leg.local_hangup = before;
        }
        result
    }

    /// Feeds one event to a session's machine and carries out what it decided.
    async fn drive(&mut self, now: Instant, session: SessionId, event: Event) -> Result<(), CallError> {
        let processed = match self.manager.process_event(session, event.clone()).await {
            Ok(processed) => processed,
            Err(SessionError::NotFound(_)) => return Err(CallError::Ended(EndReason::LocalHangup)),
            Err(SessionError::Step(StepError::InvalidState { state, event })) => {
                return Err(CallError::InvalidState { action: event, state });
            }
            Err(SessionError::Step(StepError::Action(error))) => {
                tracing::warn!(%session, %error, "action failed");
                return Ok(());
            }
        };
        for output in processed.outputs {
            self.run_output(now, session, output);
        }
        match processed.step {
            Step::Respond(code) => self.respond_latest(now, session, code, &[]),
            Step::Moved(t) if t.from != t.to => {
                if t.to.is_terminal() {
                    self.finish(session, &event, t.to);
                } else if let Some(leg) = self.legs.get(&session) {
                    leg.shared.set_state(t.to, None);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A session reached a terminal state: forget it everywhere.
    fn finish(&mut self, session: SessionId, event: &Event, state: State) {
        self.manager.terminate_session(session);
        self.registry.remove_session(session);
        let Some(leg) = self.legs.remove(&session) else { return };
        if let Some(at) = leg.no_answer_at {
            self.ringing.disarm(at, session);
        }
        // The table stops media on every way out; this covers a session that never
        // reached such a transition. The engine releases its socket either way.
        let _ = leg.shared.media.send(crate::media::MediaControl::Stop);
        if let Some(tx) = leg.invite_server {
            self.by_invite_server.remove(&tx);
        }
        for tx in &leg.client_txs {
            self.by_client_tx.remove(tx);
        }
        let reason =
            if leg.unanswered { EndReason::Timeout } else { end_reason(event, state, leg.local_hangup) };
        tracing::info!(%session, %reason, "call ended");
        leg.shared.set_state(state, Some(reason));
    }

    fn via(&self, branch: &str) -> String {
        format!("SIP/2.0/UDP {};branch={branch};rport", self.config.local)
    }

    fn new_media_id(&mut self) -> crate::types::MediaSessionId {
        let id = crate::types::MediaSessionId(self.next_media);
        self.next_media += 1;
        id
    }
}

/// Why a call ended, from the event that ended it.
fn end_reason(event: &Event, state: State, local_hangup: bool) -> EndReason {
    match event {
        Event::Reject { code } => EndReason::RejectedLocally(*code),
        Event::Declined { code } if !local_hangup => EndReason::Rejected(*code),
        Event::Timeout { .. } if !local_hangup => EndReason::Timeout,
        Event::TransportError { reason } => EndReason::TransportError(reason.clone()),
        Event::IncomingInvite { .. } => EndReason::MediaNegotiation("no common codec (488)".into()),
        Event::ByeReceived | Event::CancelReceived => EndReason::RemoteHangup,
        _ if local_hangup => EndReason::LocalHangup,
        _ if state == State::Failed => EndReason::TransportError(format!("failed on {event}")),
        _ => EndReason::RemoteHangup,
    }
}
