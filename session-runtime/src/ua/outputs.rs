//! Carrying out what the table's actions decided: SIP messages, media changes and
//! call events. Also placing a call, which starts with a dialog of our own.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Instant;

use bytes::Bytes;

use super::DialogAdapter;
use super::leg::{Leg, Purpose};
use super::requests::new_tag;
use crate::api::{Call, CallError, CallEvent, CallShared};
use crate::machine::Event;
use crate::media::MediaAdapter;
use crate::session::output::{Answering, Notice, Output, Request};
use crate::sip::dialog::Dialog;
use crate::sip::transaction::ClientKind;
use crate::sip::write::{self, Body};
use crate::types::{CallDirection, DialogId, SessionId};

const SDP: &str = "application/sdp";
const DTMF_RELAY: &str = "application/dtmf-relay";
/// How long each digit sent by SIP INFO lasts.
const DTMF_TONE: std::time::Duration = std::time::Duration::from_millis(100);

/// The body of an in-dialog request.
enum Payload<'a> {
    /// None.
    Empty,
    /// Our current SDP.
    Sdp,
    /// Anything else.
    Other(Body<'a>),
}

impl DialogAdapter {
    /// Places a call: a session, a dialog, and the table's `Dial`.
    pub(super) async fn dial(&mut self, now: Instant, target: &str) -> Result<Call, CallError> {
        let peer = resolve(target)?;
        let session = self.manager.create_session();
        let local_tag = new_tag();
        let call_id = format!("{}@{}", new_tag(), self.config.local.ip());
        let dialog = Dialog::uac(
            call_id.clone(),
            local_tag.clone(),
            self.local_uri.clone(),
            target,
            self.local_uri.clone(),
        );
        let shared = CallShared::new(session, CallDirection::Outgoing, target.to_owned());
        self.legs.insert(session, Leg::new(dialog, peer, shared.clone()));
        self.arm_no_answer(now, session);
        self.registry.map_dialog(session, DialogId::new(call_id, local_tag));
        let call = Call::new(shared, self.commands.clone());
        self.drive(now, session, Event::Dial { target: target.to_owned() }).await?;
        Ok(call)
    }

    pub(super) fn run_output(&mut self, now: Instant, session: SessionId, output: Output) {
        match output {
            Output::Send(request) => self.send(now, session, request),
            Output::Respond { to: Answering::Invite, code } => self.respond_invite(now, session, code),
            Output::Respond { to: Answering::Latest, code } => self.respond_latest(now, session, code, &[]),
            Output::Media(media) => self.media(now, session, media),
            Output::Notify(Notice::IncomingCall) => self.announce(session),
            Output::Notify(notice) => {
                let event = match notice {
                    Notice::Dtmf(digit) => CallEvent::Dtmf(digit),
                    Notice::Transfer(code) => CallEvent::TransferProgress(code),
                    Notice::Refer(target) => CallEvent::TransferRequested(target),
                    Notice::IncomingCall => return,
                };
                if let Some(leg) = self.legs.get(&session) {
                    let _ = leg.shared.events.send(event);
                }
            }
        }
    }

    fn send(&mut self, now: Instant, session: SessionId, request: Request) {
        match request {
            Request::Invite { .. } => self.send_invite(now, session),
            Request::Ack => {
                let cseq = self.legs.get(&session).map_or(1, |leg| leg.dialog.invite_cseq);
                self.send_ack(now, session, cseq);
            }
            Request::Cancel => match self.legs.get_mut(&session) {
                Some(leg) if !leg.provisional_seen => leg.pending_cancel = true,
                Some(_) => self.send_cancel(now, session),
                None => {}
            },
            Request::Bye => self.send_in_dialog(now, session, "BYE", Purpose::Bye, &[], Payload::Empty),
            Request::Reinvite { hold } => {
                if let Some(media) = self.legs.get_mut(&session).and_then(|leg| leg.media.as_mut()) {
                    media.offer(hold);
                }
                let contact = self.local_uri.clone();
                self.send_in_dialog(
                    now,
                    session,
                    "INVITE",
                    Purpose::Reinvite,
                    &[("Contact", &contact)],
                    Payload::Sdp,
                );
            }
            Request::Refer { target, replaces } => {
                let refer_to = match replaces {
                    Some(replaces) => format!("<{target}?Replaces={}>", escape_header(&replaces)),
                    None => format!("<{target}>"),
                };
                let referred_by = self.local_uri.clone();
                let extra = [("Refer-To", refer_to.as_str()), ("Referred-By", referred_by.as_str())];
                self.send_in_dialog(now, session, "REFER", Purpose::Refer, &extra, Payload::Empty);
            }
        }
    }

    fn send_invite(&mut self, now: Instant, session: SessionId) {
        let (id, branch) = self.tx.new_branch();
        let via = self.via(&branch);
        let Some(leg) = self.legs.get_mut(&session) else { return };
        let body = leg.local_sdp().map(|sdp| Body { content_type: SDP, bytes: sdp.as_bytes() });
        let bytes = leg.dialog.invite(&via, body);
        leg.invite_client = Some((id, via));
        leg.client_txs.push(id);
        let peer = leg.peer;
        self.by_client_tx.insert(id, (session, Purpose::Invite));
        self.tx.start_client(now, id, ClientKind::Invite, peer, Bytes::from(bytes));
    }

    pub(super) fn send_ack(&mut self, _now: Instant, session: SessionId, cseq: u32) {
        let (_, branch) = self.tx.new_branch();
        let via = self.via(&branch);
        let Some(leg) = self.legs.get(&session) else { return };
        let bytes = leg.dialog.ack(&via, cseq);
        let to = target_addr(&leg.dialog.remote_target).unwrap_or(leg.peer);
        self.tx.send_stateless(to, Bytes::from(bytes));
    }

    pub(super) fn send_cancel(&mut self, now: Instant, session: SessionId) {
        let Some(leg) = self.legs.get(&session) else { return };
        let Some((id, via)) = &leg.invite_client else { return };
        let bytes = leg.dialog.cancel(via);
        self.tx.start_client(now, *id, ClientKind::Cancel, leg.peer, Bytes::from(bytes));
    }

    /// Sends DTMF digits as SIP INFO requests, one per digit (`application/dtmf-relay`).
    pub(super) fn send_info_dtmf(&mut self, now: Instant, session: SessionId, digits: &str) {
        for digit in digits.chars() {
            match session_media::dtmf::dtmf_relay_body(digit, DTMF_TONE) {
                Ok(text) => {
                    let body = Body { content_type: DTMF_RELAY, bytes: text.as_bytes() };
                    self.send_in_dialog(now, session, "INFO", Purpose::Info, &[], Payload::Other(body));
                }
                Err(error) => tracing::warn!(%session, %error, "DTMF digit not sent"),
            }
        }
    }

    fn send_in_dialog(
        &mut self,
        now: Instant,
        session: SessionId,
        method: &str,
        purpose: Purpose,
        extra: &[(&str, &str)],
        payload: Payload<'_>,
    ) {
        let (id, branch) = self.tx.new_branch();
        let via = self.via(&branch);
        let Some(leg) = self.legs.get_mut(&session) else { return };
        let body = match payload {
            // `leg.media`, not `leg.local_sdp()`: the dialog is borrowed mutably below.
            Payload::Sdp => leg
                .media
                .as_ref()
                .and_then(MediaAdapter::local_sdp)
                .map(|sdp| Body { content_type: SDP, bytes: sdp.as_bytes() }),
            Payload::Other(body) => Some(body),
            Payload::Empty => None,
        };
        let bytes = leg.dialog.request(method, &via, extra, body);
        let to = target_addr(&leg.dialog.remote_target).unwrap_or(leg.peer);
        leg.client_txs.push(id);
        self.by_client_tx.insert(id, (session, purpose));
        let kind = if method == "INVITE" { ClientKind::Reinvite } else { ClientKind::NonInvite };
        self.tx.start_client(now, id, kind, to, Bytes::from(bytes));
    }

    /// Answers the INVITE that created the session (callee).
    fn respond_invite(&mut self, now: Instant, session: SessionId, code: u16) {
        let Some(leg) = self.legs.get_mut(&session) else { return };
        let (Some(tx), Some(request)) = (leg.invite_server, leg.invite_request.as_ref()) else { return };
        let warning = (code == 488).then(|| {
            let reason = unacceptable_offer(request).replace('"', "'");
            format!("399 {} \"{reason}\"", write::AGENT)
        });
        let bytes = answer(leg, request, code, warning.as_deref(), &self.local_uri);
        if code >= 200 {
            leg.invite_request = None;
        }
        self.tx.respond(now, tx, code, Bytes::from(bytes));
    }

    /// Answers the in-dialog request being processed.
    pub(super) fn respond_latest(
        &mut self,
        now: Instant,
        session: SessionId,
        code: u16,
        _extra: &[(&str, &str)],
    ) {
        let Some(leg) = self.legs.get_mut(&session) else { return };
        let Some((tx, request)) = leg.latest.take() else { return };
        let bytes = answer(leg, &request, code, None, &self.local_uri);
        if code < 200 {
            leg.latest = Some((tx, request));
        }
        self.tx.respond(now, tx, code, Bytes::from(bytes));
    }
}

/// A response to `request` in the leg's dialog: our tag, Contact on 1xx/2xx to INVITE,
/// and the SDP on 2xx to INVITE.
fn answer(
    leg: &Leg,
    request: &rsipstack::rsip::Request,
    code: u16,
    warning: Option<&str>,
    contact: &str,
) -> Vec<u8> {
    let invite = request.method == rsipstack::rsip::Method::Invite;
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if invite && (101..300).contains(&code) {
        extra.push(("Contact", contact));
    }
    if let Some(warning) = warning {
        extra.push(("Warning", warning));
    }
    let sdp = if invite && (200..300).contains(&code) { leg.local_sdp() } else { None };
    let body = sdp.map(|sdp| Body { content_type: SDP, bytes: sdp.as_bytes() });
    write::response(request, code, Some(&leg.dialog.local_tag), &extra, body)
}

/// Why the offer in `request` cannot be answered, for the Warning of a 488.
fn unacceptable_offer(request: &rsipstack::rsip::Request) -> String {
    let Some(sdp) = crate::sip::headers::sdp_body(&request.headers, &request.body) else {
        return "the INVITE has no SDP body we can read".into();
    };
    match session_media::sdp::parse(sdp) {
        Err(error) => format!("the offer is not valid SDP: {error}"),
        Ok(_) => "the offer has no codec we support; we take PCMU/8000 and PCMA/8000".into(),
    }
}

/// The socket address of a `sip:user@host:port` URI; hostnames are looked up.
fn resolve(target: &str) -> Result<SocketAddr, CallError> {
    let invalid = |why: &str| CallError::InvalidTarget { target: target.to_owned(), why: why.to_owned() };
    if !target.starts_with("sip:") {
        return Err(invalid("it does not start with `sip:`"));
    }
    target_addr(target)
        .or_else(|| host_port(target).and_then(|hp| hp.to_socket_addrs().ok()?.next()))
        .ok_or_else(|| invalid("its host is neither an IP address nor a name that resolves"))
}

/// `host:port` of a SIP URI (port 5060 when absent).
fn host_port(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("sip:")?;
    let rest = rest.split([';', '?', '>']).next()?;
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    if host.is_empty() {
        return None;
    }
    // `[::1]` has no port, `[::1]:5060` and `127.0.0.1:5060` do.
    let has_port = if host.starts_with('[') { host.contains("]:") } else { host.contains(':') };
    Some(if has_port { host.to_owned() } else { format!("{host}:5060") })
}

/// The address of a SIP URI whose host is an IP literal.
fn target_addr(uri: &str) -> Option<SocketAddr> {
    host_port(uri)?.parse().ok()
}

/// Escapes a header value for use inside a URI's `?header=value` part.
fn escape_header(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
