//! Requests from the peer: new calls, in-dialog requests, CANCEL and the ACK to a 2xx.

use std::net::SocketAddr;
use std::time::Instant;

use rsipstack::rsip::{Header, Method, Request};

use super::DialogAdapter;
use super::record::CallRecord;
use crate::endpoint::core::Core;
use crate::interceptor::{IncomingRequest, SignalingDecision};
use crate::machine::{Event, State};
use crate::sip::dialog::Dialog;
use crate::sip::headers::{self, Essentials};
use crate::sip::transaction::{Reply, ServerTxId};
use crate::sip::write;
use crate::types::{CallDirection, DialogId, SessionId};

impl DialogAdapter {
    /// An INVITE that starts a call: a record, a dialog, and the table's `IncomingInvite`.
    /// One with a Replaces header that names no confirmed call of ours gets 481.
    pub fn on_invite(
        &mut self,
        core: &mut Core,
        now: Instant,
        tx: ServerTxId,
        request: &Request,
        essentials: &Essentials,
        source: SocketAddr,
    ) {
        let Ok(replacing) = self.replaced_by(core, request) else {
            let warning = write::warning("Replaces names no confirmed call here");
            return core.reply(now, tx, 481, &[("Warning", &warning)]);
        };
        let id = self.sessions.next_id();
        let dialog = Dialog::uas(request, essentials, core.tag(), core.local_uri.clone());
        let remote_uri = headers::uri_of(&dialog.remote_uri).to_owned();
        let mut record = CallRecord::new(id, CallDirection::Incoming, dialog, self.media(core));
        record.peer = Some(source);
        record.invite_tx = Some(tx);
        record.invite_cseq = essentials.cseq;
        record.replacing = replacing;
        self.admit(core, now, record, remote_uri);
        let sdp = headers::sdp_body(&request.headers, &request.body).map(str::to_owned);
        self.feed(core, now, id, Event::IncomingInvite { tx, sdp });
    }

    /// A request in the dialog of call `id`.
    pub fn on_in_dialog(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: SessionId,
        tx: ServerTxId,
        request: &Request,
        essentials: &Essentials,
    ) {
        let Some(call) = self.sessions.get_mut(id) else {
            return core.reply(now, tx, 481, &[]);
        };
        if !call.dialog.accept_remote_cseq(essentials.cseq) {
            return answer(
                core,
                now,
                tx,
                500,
                &[("Warning", &write::warning("CSeq lower than the last one"))],
            );
        }
        let sdp = || headers::sdp_body(&request.headers, &request.body).map(str::to_owned);
        let event = match request.method {
            Method::Bye => Event::ByeReceived { tx },
            Method::Invite => Event::ReinviteReceived { tx, sdp: sdp() },
            Method::Refer => {
                let info = IncomingRequest::of(request, &essentials.call_id);
                let Some(target) = info.refer_to.clone() else {
                    let warning = write::warning("REFER without Refer-To");
                    return answer(core, now, tx, 400, &[("Warning", &warning)]);
                };
                match core.config.interceptor.handle(&info) {
                    SignalingDecision::Reject(code) => return answer(core, now, tx, code, &[]),
                    SignalingDecision::Custom { code, reason } => {
                        return answer(core, now, tx, code, &[("Warning", &write::warning(&reason))]);
                    }
                    SignalingDecision::Accept | SignalingDecision::Defer => {}
                }
                Event::ReferReceived { tx, target, cseq: essentials.cseq }
            }
            // The only subscriptions a call has are its REFERs' (RFC 3515); a NOTIFY of
            // any other event package is not one of them (RFC 6665 section 8.2.1).
            Method::Notify if !is_refer_event(request) => {
                let warning = write::warning("the only event this dialog subscribes to is refer");
                return answer(core, now, tx, 489, &[("Allow-Events", "refer"), ("Warning", &warning)]);
            }
            Method::Notify => {
                // The first NOTIFY of our REFER's subscription stops Timer N (only then:
                // while a call rings, the same field holds its no-answer time).
                if call.state == State::Transferring {
                    call.no_answer_at = None;
                }
                Event::NotifyReceived { tx, code: sipfrag_status(&request.body).unwrap_or(100) }
            }
            Method::Info => {
                let content_type = headers::content_type(&request.headers).unwrap_or("");
                let body = String::from_utf8_lossy(&request.body);
                let digit = session_media::dtmf::parse_dtmf_info(content_type, &body);
                answer(core, now, tx, 200, &[]);
                match digit {
                    Some(digit) => Event::DtmfReceived { digit },
                    None => return,
                }
            }
            _ => {
                let allow = core.allow.clone();
                return answer(core, now, tx, 405, &[("Allow", &allow)]);
            }
        };
        self.feed(core, now, id, event);
    }

    /// CANCEL: answered 200 when it matches an INVITE transaction; a pending INVITE is
    /// then cancelled through the table (RFC 3261 section 9.2).
    pub fn on_cancel(&mut self, core: &mut Core, now: Instant, tx: ServerTxId, cancels: Option<ServerTxId>) {
        let Some(invite) = cancels else {
            return core.reply(now, tx, 481, &[]);
        };
        match core.registry.invite(invite) {
            Some(id) if !core.tx.is_answered(invite) && self.sessions.get(id).is_some() => {
                self.feed(core, now, id, Event::CancelReceived { tx });
            }
            _ => core.reply(now, tx, 200, &[]),
        }
    }

    /// An ACK for a 2xx: completes the INVITE or re-INVITE it acknowledges.
    pub fn on_ack(&mut self, core: &mut Core, now: Instant, request: &Request, essentials: &Essentials) {
        let Some(to_tag) = essentials.to_tag.as_ref() else { return };
        let Some(id) = core.registry.dialog(&DialogId::new(essentials.call_id.clone(), to_tag.clone()))
        else {
            return;
        };
        let Some(call) = self.sessions.get_mut(id) else { return };
        let acked =
            if call.invite_cseq == essentials.cseq { call.invite_tx } else { call.reinvite_tx.take() };
        if let Some(tx) = acked {
            core.tx.ack_received(now, tx);
        }
        let sdp = headers::sdp_body(&request.headers, &request.body).map(str::to_owned);
        self.feed(core, now, id, Event::AckReceived { sdp });
    }
}

/// Answers an in-dialog request outside the table; its To already carries our tag.
fn answer(core: &mut Core, now: Instant, tx: ServerTxId, code: u16, extra: &[(&str, &str)]) {
    let reply = Reply { extra, ..Reply::default() };
    core.tx.respond(now, tx, code, reply, &mut core.deadlines);
}

/// Whether the request's Event header names the `refer` package (`Event: refer;id=7`).
pub(crate) fn is_refer_event(request: &Request) -> bool {
    request.headers.iter().any(|h| match h {
        Header::Event(v) => {
            v.value().split(';').next().is_some_and(|package| package.trim().eq_ignore_ascii_case("refer"))
        }
        _ => false,
    })
}

/// The status code of a `message/sipfrag` body (`SIP/2.0 200 OK`).
fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines().next()?.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}
