//! Responses to our requests, and the timeouts of our transactions.

use std::time::Instant;

use rsipstack::rsip::{Method, Response};

use super::DialogAdapter;
use super::actions::CallContext;
use crate::deadlines::Deadline;
use crate::endpoint::core::Core;
use crate::endpoint::registry::Purpose;
use crate::machine::{Event, State, Timer};
use crate::sip::headers::{self, Essentials};
use crate::sip::transaction::ClientTxId;
use crate::subscription;
use crate::types::SessionId;

impl DialogAdapter {
    /// A response on one of call `id`'s client transactions.
    #[allow(clippy::too_many_arguments)] // what routing found, and the response itself
    pub fn on_response(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        purpose: Purpose,
        tx: ClientTxId,
        response: &Response,
        essentials: &Essentials,
    ) {
        // A CANCEL shares its INVITE's branch, so its answer comes on the INVITE's id;
        // it says nothing of the call, which the INVITE's own final response ends
        // (487 Request Terminated, or a 2xx that crossed the CANCEL; section 9.1).
        if essentials.cseq_method == Method::Cancel {
            return;
        }
        let code = response.status_code.code();
        if code >= 200 && purpose != Purpose::Invite {
            self.forget_client(core, id, tx);
        }
        let Some(call) = self.sessions.get_mut(id) else { return };
        // A challenge to the INVITE of a call we are cancelling is its final answer:
        // sent again with credentials, the INVITE would ring anew with nothing left to
        // CANCEL it (found by tests/fuzz_endpoint.rs: the call waited in Cancelling for
        // ever).
        let hung_up = purpose == Purpose::Invite && call.state == State::Cancelling;
        if matches!(code, 401 | 407)
            && !hung_up
            && (CallContext { now, core, call }).retry_challenged(tx, purpose, response)
        {
            return;
        }
        let sdp = || headers::sdp_body(&response.headers, &response.body).map(str::to_owned);
        let event = match purpose {
            Purpose::Invite => {
                // 100 Trying is hop-by-hop: it says nothing of the callee, so neither the
                // dialog nor the table sees it.
                if (101..300).contains(&code) {
                    call.dialog.on_response(response, essentials);
                }
                if code < 200 {
                    core.emit(crate::endpoint::Event::CallProgress { call: id, code });
                    // Any provisional, 100 included, allows a CANCEL (section 9.1).
                    call.provisional_seen = true;
                    if std::mem::take(&mut call.pending_cancel) {
                        CallContext { now, core, call }.cancel_now();
                    }
                    if code == 100 {
                        return;
                    }
                    Event::Provisional { code, sdp: sdp() }
                } else if code < 300 {
                    Event::Answered { sdp: sdp() }
                } else {
                    Event::Declined { code }
                }
            }
            Purpose::Reinvite if code < 200 => return,
            Purpose::Reinvite if code < 300 => {
                CallContext { now, core, call }.ack(essentials.cseq);
                Event::ReinviteAnswered { sdp: sdp() }
            }
            Purpose::Reinvite => {
                call.media.offer_failed();
                Event::ReinviteFailed { code }
            }
            Purpose::Notify(sub) if code >= 200 => {
                let event = if code < 300 {
                    subscription::machine::Event::NotifyAnswered { more: self.subscriptions.has_news(sub) }
                } else {
                    subscription::machine::Event::NotifyRefused { code }
                };
                return self.subscriptions.feed(core, now, &mut self.sessions, sub, event);
            }
            Purpose::Bye if code >= 200 => Event::ByeAnswered,
            Purpose::Refer if (200..300).contains(&code) => {
                // Timer N (RFC 6665 section 4.1.2.4, which applies to REFER): without a
                // NOTIFY within 64·T1 of the 2xx the subscription, and the transfer, is
                // given up (found by tests/fuzz_endpoint.rs: a call waited in
                // Transferring for ever).
                let at = now + core.tx.timers().transaction_timeout();
                call.no_answer_at = Some(at);
                core.deadlines.schedule(at, Deadline::NoAnswer(id));
                Event::ReferAccepted
            }
            Purpose::Refer if code >= 300 => Event::ReferFailed { code },
            Purpose::Bye | Purpose::Refer | Purpose::Info | Purpose::Notify(_) => return,
        };
        self.feed(core, now, id, event);
    }

    /// One of call `id`'s requests got no final response in time (Timer B or F).
    pub fn on_client_timeout(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        purpose: Purpose,
        tx: ClientTxId,
    ) {
        self.forget_client(core, id, tx);
        tracing::debug!(call = %id, ?purpose, "request timed out");
        if let Purpose::Notify(sub) = purpose {
            let event = subscription::machine::Event::NoResponse;
            return self.subscriptions.feed(core, now, &mut self.sessions, sub, event);
        }
        self.feed(core, now, id, Event::Timeout { timer: Timer::NoResponse });
        // Our INVITE is over: a CANCEL the timeout asked for (a call ringing from an
        // earlier INVITE's provisional, then challenged and sent again) has nothing
        // left to cancel and nothing will answer it, so the call ends now.
        let cancelling = self.sessions.get(id).is_some_and(|call| call.state == State::Cancelling);
        if purpose == Purpose::Invite && cancelling {
            self.feed(core, now, id, Event::Timeout { timer: Timer::NoResponse });
        }
    }

    /// One of call `id`'s requests went to an address the network reported
    /// unreachable: the call cannot go on, and ends saying why (a NOTIFY's
    /// subscription ends as if it had timed out).
    #[allow(clippy::too_many_arguments)] // what routing found, and why it failed
    pub fn on_client_unreachable(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        purpose: Purpose,
        tx: ClientTxId,
        reason: String,
    ) {
        self.forget_client(core, id, tx);
        tracing::debug!(call = %id, ?purpose, %reason, "request unreachable");
        if let Purpose::Notify(sub) = purpose {
            let event = subscription::machine::Event::NoResponse;
            return self.subscriptions.feed(core, now, &mut self.sessions, sub, event);
        }
        let Some(call) = self.sessions.get_mut(id) else { return };
        call.unreachable = Some(reason.clone());
        self.feed(core, now, id, Event::TransportError { reason });
        if let Some(call) = self.sessions.get_mut(id) {
            // The table did not end the call on it: it must not end as unreachable later.
            call.unreachable = None;
        }
    }

    /// Call `id`'s INVITE had no response yet and was sent again: the application
    /// hears of it the first time.
    pub fn on_no_response_yet(&mut self, core: &mut Core, id: SessionId, waited: std::time::Duration) {
        let Some(call) = self.sessions.get_mut(id).filter(|c| !c.no_response_reported) else { return };
        call.no_response_reported = true;
        tracing::debug!(call = %id, waited_ms = waited.as_millis(), "no response to the INVITE yet");
        core.emit(crate::endpoint::Event::NoResponseYet { call: id, waited });
    }

    /// No ACK came for our 2xx to call `id`'s INVITE (Timer H).
    pub fn on_ack_timeout(&mut self, core: &mut Core, now: Instant, id: SessionId) {
        self.feed(core, now, id, Event::Timeout { timer: Timer::NoAck });
    }

    fn forget_client(&mut self, core: &mut Core, id: SessionId, tx: ClientTxId) {
        core.registry.forget_client(tx);
        if let Some(call) = self.sessions.get_mut(id) {
            call.client_txs.retain(|&t| t != tx);
        }
    }
}
