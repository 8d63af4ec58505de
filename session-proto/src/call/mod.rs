//! The call usage, the plan's `DialogAdapter`: INVITE dialogs, from SIP to the table's
//! events and from the table's actions back to SIP.
//!
//! Each call lives in one [`record::CallRecord`], held by the [`record::SessionManager`].
//! An event is fed through the generated machine ([`crate::machine::step`]);
//! its actions ([`actions`]) do the protocol work at once: write and send requests and
//! responses through the transaction layer, run offer/answer, and queue what the driver
//! or the application must hear about.

mod actions;
mod challenge;
mod incoming;
pub(crate) mod record;
mod responses;
mod send;
pub(crate) mod target;
pub use target::{IpVersionMismatch, check_target, target_host_port};
mod transfer;

use std::net::SocketAddr;
use std::time::Instant;

use rsipstack::rsip::Method;

pub(crate) use self::actions::CallContext;
pub(crate) use self::incoming::is_refer_event;
use self::record::{CallRecord, MediaState, SessionManager};
pub(crate) use self::send::Payload;
use crate::deadlines::Deadline;
use crate::endpoint::core::Core;
use crate::endpoint::{CommandError, EndReason, Event};
use crate::machine::{self, EventSource, State, Step, StepError, Timer};
use crate::media::{MediaAdapter, MediaCommand};
use crate::sip::dialog::Dialog;
use crate::sip::transaction::{Reply, ServerTxId};
use crate::subscription::{self, Subscriptions};
use crate::types::{CallDirection, SessionId};

/// The methods this usage handles.
pub(crate) const METHODS: &[&str] = &["INVITE", "ACK", "BYE", "CANCEL", "INFO", "REFER", "NOTIFY"];

/// Whether an in-dialog request of `method` is this usage's.
pub(crate) fn handles(method: Method) -> bool {
    matches!(
        method,
        Method::Invite
            | Method::Ack
            | Method::Bye
            | Method::Cancel
            | Method::Info
            | Method::Refer
            | Method::Notify
    )
}

/// The call usage of an endpoint, with the subscriptions its dialogs carry.
#[derive(Debug, Default)]
pub(crate) struct DialogAdapter {
    sessions: SessionManager,
    subscriptions: Subscriptions,
}

impl DialogAdapter {
    /// Calls not yet ended.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Subscriptions not yet ended.
    pub fn subscriptions(&self) -> usize {
        self.subscriptions.len()
    }

    /// Places a call: a record, a dialog, and the table's `Dial` once the target's
    /// address is known.
    pub fn dial(&mut self, core: &mut Core, now: Instant, uri: &str) -> Result<SessionId, CommandError> {
        self.dial_with(core, now, uri, |_| {})
    }

    /// [`dial`](DialogAdapter::dial), with `prepare` run on the new record before its
    /// INVITE is written.
    fn dial_with(
        &mut self,
        core: &mut Core,
        now: Instant,
        uri: &str,
        prepare: impl FnOnce(&mut CallRecord),
    ) -> Result<SessionId, CommandError> {
        let invalid = |why: String| CommandError::InvalidTarget { target: uri.to_owned(), why };
        let target = target::parse(uri).map_err(invalid)?;
        let outbound = core.config.outbound_proxy;
        if let (Some(addr), None) = (target.addr, outbound) {
            target::IpVersionMismatch::check(uri, addr, core.config.local)?;
        }
        let id = self.sessions.next_id();
        let (local_tag, call_part) = (core.tag(), core.tag());
        let call_id = format!("{call_part}@{}", core.config.local.ip());
        let dialog = Dialog::uac(call_id, local_tag, core.identity.clone(), uri, core.local_uri.clone());
        let mut record = CallRecord::new(id, CallDirection::Outgoing, dialog, self.media(core));
        // Through an outbound proxy, the proxy finds the target: no name to look up.
        let peer = outbound.or(target.addr);
        record.peer = peer;
        record.outbound = outbound;
        prepare(&mut record);
        self.admit(core, now, record, uri.to_owned());
        match peer {
            Some(_) => self.feed(core, now, id, machine::Event::Dial { target: uri.to_owned() }),
            None => core.emit(Event::Resolve { call: id, host: target.host, port: target.port }),
        }
        Ok(id)
    }

    /// The driver found (or did not find) the address of a dialled host.
    pub fn resolved(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        resolved: Result<SocketAddr, String>,
    ) {
        let Some(call) = self.sessions.get_mut(id).filter(|c| c.peer.is_none() && c.state == State::Idle)
        else {
            return;
        };
        let event = match resolved {
            Ok(addr) => {
                call.peer = Some(addr);
                machine::Event::Dial { target: call.dialog.remote_target.clone() }
            }
            Err(why) => {
                machine::Event::TransportError { reason: format!("cannot find the target's host: {why}") }
            }
        };
        self.feed(core, now, id, event);
    }

    /// The driver opened (or could not open) a call's RTP sockets.
    pub fn media_opened(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        opened: Result<SocketAddr, String>,
    ) {
        if self.sessions.get(id).is_none_or(|c| c.media_state != MediaState::Requested) {
            // The call ended, or stopped its media, while the sockets were opened.
            if opened.is_ok() {
                core.emit(Event::Media { call: id, command: MediaCommand::Stop });
            }
            return;
        }
        let event = match opened {
            Ok(rtp) => machine::Event::MediaOpened { rtp },
            Err(reason) => machine::Event::MediaFailed { reason },
        };
        self.feed(core, now, id, event);
    }

    /// A command from the application.
    pub fn command(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        event: machine::Event,
    ) -> Result<(), CommandError> {
        if event.kind().source() != EventSource::Command || matches!(event, machine::Event::Dial { .. }) {
            return Err(CommandError::NotACommand(event.to_string()));
        }
        if let machine::Event::BlindTransfer { target } = &event {
            target::check_target(target)?;
        }
        let call = self.sessions.get_mut(id).ok_or(CommandError::NoSuchCall(id))?;
        // Set before driving, as the call may end within it; undone when the table
        // refuses the command, so that the call's real end is reported.
        let ends = matches!(event, machine::Event::Hangup | machine::Event::Reject { .. });
        let before = call.local_hangup;
        call.local_hangup |= ends;
        let result = self.drive(core, now, id, event);
        if let (Err(CommandError::InvalidState { .. }), Some(call)) = (&result, self.sessions.get_mut(id)) {
            call.local_hangup = before;
        }
        result
    }

    /// Feeds an event the endpoint produced; a refusal is only logged, as nobody waits
    /// for it.
    pub fn feed(&mut self, core: &mut Core, now: Instant, id: SessionId, event: machine::Event) {
        if let Err(error) = self.drive(core, now, id, event) {
            tracing::debug!(call = %id, %error, "event not taken");
        }
    }

    /// Gives back the room the call store grew to beyond what it holds.
    pub fn shrink_to_fit(&mut self) {
        self.sessions.shrink_to_fit();
    }

    /// A ringing call's no-answer deadline fell due.
    pub fn on_no_answer(&mut self, core: &mut Core, now: Instant, id: SessionId, at: Instant) {
        let Some(call) = self.sessions.get_mut(id).filter(|c| c.no_answer_at == Some(at)) else { return };
        call.no_answer_at = None;
        let event = match call.state {
            State::PreparingAnswer | State::RingingInbound | State::RingingOutbound => {
                machine::Event::Timeout { timer: Timer::NoAnswer }
            }
            // Our INVITE got at most a 100 Trying, which stops Timer B: give up as a
            // hang-up does, with a CANCEL (sent once any provisional has arrived).
            State::PreparingOffer | State::Initiating => machine::Event::Hangup,
            // Timer N: no NOTIFY came for the REFER we sent; the call goes on.
            State::Transferring => {
                return self.feed(core, now, id, machine::Event::Timeout { timer: Timer::NoResponse });
            }
            _ => return,
        };
        call.unanswered = true;
        self.feed(core, now, id, event);
    }

    /// A new call's record joins the store and the routing, and the application hears
    /// of it; its no-answer timer starts.
    fn admit(&mut self, core: &mut Core, now: Instant, mut record: CallRecord, remote_uri: String) {
        let id = record.id;
        core.registry.map_dialog(record.dialog_id(), id);
        if let Some(tx) = record.invite_tx {
            core.registry.map_invite(tx, id);
        }
        // A timeout too large to add to the clock means "never".
        if let Some(at) = now.checked_add(core.config.no_answer) {
            record.no_answer_at = Some(at);
            core.deadlines.schedule(at, Deadline::NoAnswer(id));
        }
        core.emit(Event::CallCreated { call: id, direction: record.direction, remote_uri });
        self.sessions.insert(record);
    }

    fn media(&self, core: &mut Core) -> MediaAdapter {
        let session_id = u64::from(rand::Rng::random::<u32>(&mut core.rng));
        MediaAdapter::new(&core.config.media, session_id)
    }

    /// Feeds one event to a call's machine; its actions do their work as they run.
    fn drive(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        event: machine::Event,
    ) -> Result<(), CommandError> {
        let call = self.sessions.get_mut(id).ok_or(CommandError::NoSuchCall(id))?;
        let from = call.state;
        let stepped = machine::step(from, event, &mut CallContext { now, core, call });
        let stepped = match stepped {
            Ok(stepped) => stepped,
            Err(StepError::InvalidState { state, event }) => {
                return Err(CommandError::InvalidState { action: event, state });
            }
            Err(error) => {
                tracing::error!(call = %id, %error, "the table's actions did not fit its events");
                return Ok(());
            }
        };
        call.state = stepped.state;
        let follow = call.follow.take();
        self.report_referral(core, now, id, &stepped.event, stepped.state);
        let Some(call) = self.sessions.get_mut(id) else { return Ok(()) };
        match stepped.step {
            Step::Respond(code) => {
                if let Some(tx) = request_tx(&stepped.event) {
                    let reply = Reply { to_tag: Some(&call.dialog.local_tag), ..Reply::default() };
                    core.tx.respond(now, tx, code, reply, &mut core.deadlines);
                }
            }
            Step::Moved(t) if stepped.state != from => {
                tracing::debug!(call = %id, %from, to = %stepped.state, event = %stepped.event, line = t.line, "transition");
                core.emit(Event::CallState { call: id, state: stepped.state, at: now });
                if stepped.state.is_terminal() {
                    self.finish(core, now, id, &stepped.event);
                }
            }
            Step::Moved(_) | Step::Ignored => {}
        }
        // After this step's own state is reported, so that the application hears the
        // states of the replacing call in order.
        self.take_over(core, now, id, stepped.state);
        if let Some(referral) = follow {
            self.follow_refer(core, now, id, referral);
        }
        Ok(())
    }

    /// A call reached a terminal state: forget it everywhere, and say why it ended.
    fn finish(&mut self, core: &mut Core, now: Instant, id: SessionId, event: &machine::Event) {
        for subscription in self.subscriptions.of_call(id) {
            self.subscriptions.feed(
                core,
                now,
                &mut self.sessions,
                subscription,
                subscription::machine::Event::Gone,
            );
        }
        let Some(call) = self.sessions.remove(id) else { return };
        core.registry.forget(&call.dialog_id(), &call.client_txs, call.invite_tx);
        if let Some(invite) = call.invite_client {
            // Its provisional may have lifted its timers; nobody waits for it now.
            core.tx.stop_waiting(now, invite, &mut core.deadlines);
        }
        // The table stops media on every way out; this covers a call that ended
        // without such a transition.
        if call.media_state == MediaState::Requested {
            core.emit(Event::Media { call: id, command: MediaCommand::Stop });
        }
        let reason = if call.unanswered {
            EndReason::Timeout
        } else if call.transferred {
            EndReason::Transferred
        } else if let Some(why) = call.unreachable.clone() {
            // Our hang-up's CANCEL or BYE had nowhere to go: the call is over anyway.
            if call.local_hangup { EndReason::LocalHangup } else { EndReason::Unreachable(why) }
        } else {
            end_reason(event, call.state, call.local_hangup)
        };
        tracing::info!(call = %id, %reason, "call ended");
        core.emit(Event::CallEnded { call: id, reason, at: now });
    }
}

/// The server transaction a request event is answered on.
fn request_tx(event: &machine::Event) -> Option<ServerTxId> {
    use machine::Event::*;
    match event {
        IncomingInvite { tx, .. }
        | CancelReceived { tx }
        | ByeReceived { tx }
        | ReinviteReceived { tx, .. }
        | ReferReceived { tx, .. }
        | NotifyReceived { tx, .. }
        | ReinviteRejected { tx, .. } => Some(*tx),
        _ => None,
    }
}

/// Why a call ended, from the event that ended it.
fn end_reason(event: &machine::Event, state: State, local_hangup: bool) -> EndReason {
    use machine::Event::*;
    match event {
        Reject { code } => EndReason::RejectedLocally(*code),
        Declined { code } if !local_hangup => EndReason::Rejected(*code),
        Timeout { .. } if !local_hangup => EndReason::Timeout,
        TransportError { reason } => EndReason::TransportError(reason.clone()),
        OfferRejected { reason } => EndReason::MediaNegotiation(reason.clone()),
        MediaFailed { reason } => EndReason::MediaFailed(reason.clone()),
        ByeReceived { .. } | CancelReceived { .. } => EndReason::RemoteHangup,
        _ if local_hangup => EndReason::LocalHangup,
        _ if state == State::Failed => EndReason::TransportError(format!("failed on {event}")),
        _ => EndReason::RemoteHangup,
    }
}
