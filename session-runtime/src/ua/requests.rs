//! Requests from the peer: new calls, in-dialog requests, CANCEL and ACK.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Header, Method, Request};

use super::DialogAdapter;
use super::leg::Leg;
use crate::api::{Call, CallShared};
use crate::interceptor::{IncomingRequest, SignalingDecision};
use crate::machine::Event;
use crate::sip::dialog::Dialog;
use crate::sip::headers::{self, Essentials};
use crate::sip::inbound::ALLOWED;
use crate::sip::transaction::ServerTxId;
use crate::sip::write;
use crate::types::{CallDirection, DialogId, SessionId};

impl DialogAdapter {
    pub(super) async fn on_request(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: Request,
        essentials: Essentials,
        source: SocketAddr,
        cancels: Option<ServerTxId>,
    ) {
        if request.method == Method::Cancel {
            return self.on_cancel(now, tx, &request, cancels).await;
        }
        let Some(to_tag) = essentials.to_tag.clone() else {
            return self.out_of_dialog(now, tx, request, essentials, source).await;
        };
        let dialog = DialogId::new(essentials.call_id.clone(), to_tag);
        let Some(session) = self.registry.get_session_by_dialog(&dialog) else {
            return self.reply(now, tx, &request, 481, &[]);
        };
        let Some(leg) = self.legs.get_mut(&session) else {
            return self.reply(now, tx, &request, 481, &[]);
        };
        if !leg.dialog.accept_remote_cseq(essentials.cseq) {
            return self.reply(now, tx, &request, 500, &[]);
        }
        let sdp = || headers::sdp_body(&request.headers, &request.body).map(str::to_owned);
        let event = match request.method {
            Method::Bye => Event::ByeReceived,
            Method::Invite => {
                leg.reinvite_server = Some(tx);
                Event::ReinviteReceived { sdp: sdp() }
            }
            Method::Refer => match refer_target(&request) {
                Some(target) => Event::ReferReceived { target },
                None => {
                    return self.reply(
                        now,
                        tx,
                        &request,
                        400,
                        &[("Warning", "399 - \"REFER without Refer-To\"")],
                    );
                }
            },
            Method::Notify => Event::NotifyReceived { code: sipfrag_status(&request.body).unwrap_or(100) },
            Method::Info => {
                let content_type = headers::content_type(&request.headers).unwrap_or("");
                let body = String::from_utf8_lossy(&request.body);
                let digit = session_media::dtmf::parse_dtmf_info(content_type, &body);
                self.reply(now, tx, &request, 200, &[]);
                match digit {
                    Some(digit) => Event::DtmfReceived { digit },
                    None => return,
                }
            }
            _ => return self.reply(now, tx, &request, 200, &[]), // OPTIONS in a dialog
        };
        if let Some(leg) = self.legs.get_mut(&session) {
            leg.latest = Some((tx, request));
        }
        let _ = self.drive(now, session, event).await;
    }

    /// A request without a To tag: a new call, OPTIONS, or something for no dialog.
    async fn out_of_dialog(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: Request,
        essentials: Essentials,
        source: SocketAddr,
    ) {
        let info = IncomingRequest {
            method: request.method.to_string(),
            uri: request.uri.to_string(),
            from: header(&request, |h| match h {
                Header::From(v) => Some(v.value()),
                _ => None,
            }),
            to: header(&request, |h| match h {
                Header::To(v) => Some(v.value()),
                _ => None,
            }),
            call_id: essentials.call_id.clone(),
            has_body: !request.body.is_empty(),
        };
        let decision = self.interceptor.handle(&info);
        let refused = match &decision {
            SignalingDecision::Reject(code) => Some(*code),
            SignalingDecision::Custom { code, .. } => Some(*code),
            SignalingDecision::Accept | SignalingDecision::Defer => None,
        };
        if let Some(code) = refused {
            let warning = match &decision {
                SignalingDecision::Custom { reason, .. } => {
                    format!("399 {} \"{}\"", write::AGENT, reason.replace('"', "'"))
                }
                _ => String::new(),
            };
            let extra: Vec<(&str, &str)> =
                if warning.is_empty() { vec![] } else { vec![("Warning", &warning)] };
            return self.reply(now, tx, &request, code, &extra);
        }
        match request.method {
            Method::Invite => self.new_call(now, tx, request, essentials, source).await,
            Method::Options => {
                self.reply(now, tx, &request, 200, &[("Allow", ALLOWED), ("Accept", "application/sdp")]);
            }
            _ => self.reply(now, tx, &request, 481, &[]),
        }
    }

    /// An INVITE that starts a call: a session, a dialog, and the table's `IncomingInvite`.
    async fn new_call(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: Request,
        essentials: Essentials,
        source: SocketAddr,
    ) {
        let session = self.manager.create_session();
        let local_tag = new_tag();
        let dialog = Dialog::uas(&request, &essentials, local_tag.clone(), self.local_uri.clone());
        let remote = headers::uri_of(&dialog.remote_uri).to_owned();
        let shared = CallShared::new(session, CallDirection::Incoming, remote);
        let sdp = headers::sdp_body(&request.headers, &request.body).map(str::to_owned);
        let mut leg = Leg::new(dialog, source, shared);
        leg.invite_server = Some(tx);
        leg.invite_request = Some(request);
        self.legs.insert(session, leg);
        self.arm_no_answer(now, session);
        self.by_invite_server.insert(tx, session);
        self.registry.map_dialog(session, DialogId::new(essentials.call_id, local_tag));
        let _ = self.drive(now, session, Event::IncomingInvite { sdp }).await;
    }

    /// CANCEL: answered 200 when it matches an INVITE transaction; a pending INVITE is
    /// then cancelled through the table (section 9.2).
    async fn on_cancel(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: &Request,
        cancels: Option<ServerTxId>,
    ) {
        let Some(invite) = cancels else {
            return self.reply(now, tx, request, 481, &[]);
        };
        let session = self.by_invite_server.get(&invite).copied();
        match session.and_then(|s| self.legs.get_mut(&s).map(|leg| (s, leg))) {
            Some((session, leg)) if !self.tx.is_answered(invite) => {
                leg.latest = Some((tx, request.clone()));
                let _ = self.drive(now, session, Event::CancelReceived).await;
            }
            _ => self.reply(now, tx, request, 200, &[]),
        }
    }

    /// An ACK for a 2xx: completes the INVITE or re-INVITE it acknowledges.
    pub(super) async fn on_ack(&mut self, now: Instant, request: Request, essentials: Essentials) {
        let Some(to_tag) = essentials.to_tag.as_ref() else { return };
        let dialog = DialogId::new(essentials.call_id.clone(), to_tag.clone());
        let Some(session) = self.registry.get_session_by_dialog(&dialog) else { return };
        let Some(leg) = self.legs.get_mut(&session) else { return };
        let acked = if leg.dialog.invite_cseq == essentials.cseq {
            leg.invite_server
        } else {
            leg.reinvite_server.take()
        };
        if let Some(tx) = acked {
            self.tx.ack_received(now, tx);
        }
        let sdp = headers::sdp_body(&request.headers, &request.body).map(str::to_owned);
        let _ = self.drive(now, session, Event::AckReceived { sdp }).await;
    }

    /// A final or provisional answer to a request, outside the table.
    pub(super) fn reply(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: &Request,
        code: u16,
        extra: &[(&str, &str)],
    ) {
        let tag = new_tag();
        let bytes = write::response(request, code, Some(&tag), extra, None);
        self.tx.respond(now, tx, code, Bytes::from(bytes));
    }

    pub(super) fn announce(&mut self, session: SessionId) {
        if let Some(leg) = self.legs.get(&session) {
            let call = Call::new(leg.shared.clone(), self.commands.clone());
            let _ = self.incoming.send(call);
        }
    }
}

/// The URI of the first header `pick` accepts.
fn header<'a>(request: &'a Request, pick: impl Fn(&'a Header) -> Option<&'a str>) -> String {
    headers::first(&request.headers, pick).map(headers::uri_of).unwrap_or_default().to_owned()
}

fn refer_target(request: &Request) -> Option<String> {
    request.headers.iter().find_map(|h| match h {
        Header::ReferTo(v) => Some(headers::uri_of(v.value()).to_owned()),
        _ => None,
    })
}

/// The status code of a `message/sipfrag` body (`SIP/2.0 200 OK`).
fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines().next()?.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}

/// A random tag or Call-ID part.
pub(super) fn new_tag() -> String {
    format!("{:016x}", rand::random::<u64>())
}
