//! The table's actions, done at once: each writes and sends SIP, runs offer/answer, or
//! queues work for the driver and news for the application. Two can fail, and then
//! return the failure event the table names for them.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::record::{CallRecord, MediaState, Referral};
use super::send::Payload;
use crate::endpoint::Event;
use crate::endpoint::core::Core;
use crate::endpoint::registry::Purpose;
use crate::machine::{RecordMode, ServerTx, SessionActions, Timer, failure};
use crate::media::MediaCommand;
use crate::sip::write::Body;
use crate::types::DtmfMode;

const DTMF_RELAY: &str = "application/dtmf-relay";
/// How long each digit sent by SIP INFO lasts.
const DTMF_TONE: Duration = Duration::from_millis(100);

/// One call's record and the endpoint's shared parts, for the length of one event.
pub(crate) struct CallContext<'a> {
    pub now: Instant,
    pub core: &'a mut Core,
    pub call: &'a mut CallRecord,
}

impl CallContext<'_> {
    fn reinvite(&mut self, hold: bool) {
        self.call.media.offer(hold);
        let contact = self.core.local_uri.clone();
        self.request("INVITE", Purpose::Reinvite, &[("Contact", &contact)], Payload::Sdp);
    }

    /// REFER with exactly one Contact: it creates the refer subscription's dialog usage
    /// (RFC 3515 section 2.4.1).
    fn refer(&mut self, refer_to: String) {
        let (referred_by, contact) = (self.core.identity.clone(), self.core.local_uri.clone());
        let extra = [
            ("Refer-To", refer_to.as_str()),
            ("Referred-By", referred_by.as_str()),
            ("Contact", contact.as_str()),
        ];
        self.request("REFER", Purpose::Refer, &extra, Payload::Empty);
    }

    /// The negotiated parameters, to the media engine.
    fn configure(&mut self) {
        if let Some(negotiated) = self.call.media.negotiated().cloned() {
            self.media(MediaCommand::Configure(Box::new(negotiated)));
        }
    }
}

impl SessionActions for CallContext<'_> {
    fn open_media(&mut self) {
        self.call.media_state = MediaState::Requested;
        self.emit(Event::OpenMedia { call: self.call.id });
    }
    fn create_offer(&mut self, rtp: &SocketAddr) {
        self.call.media.opened(*rtp);
        self.call.media.offer(false);
    }
    fn send_invite(&mut self, _rtp: &SocketAddr) {
        let contact = self.core.local_uri.clone();
        let allow = self.core.allow.clone();
        let mut extra = vec![
            ("Contact", contact.as_str()),
            ("Allow", allow.as_str()),
            ("Supported", crate::sip::SUPPORTED),
        ];
        let replaces = self.call.replaces.clone();
        if let Some(replaces) = &replaces {
            extra.push(("Replaces", replaces));
        }
        self.request("INVITE", Purpose::Invite, &extra, Payload::Sdp);
    }
    fn send_cancel(&mut self) {
        if self.call.provisional_seen {
            self.cancel_now();
        } else {
            // A CANCEL may only follow a provisional response (section 9.1).
            self.call.pending_cancel = true;
        }
    }
    fn send_ack(&mut self, _sdp: Option<&str>) {
        self.ack(self.call.invite_cseq);
    }
    fn send_bye(&mut self) {
        self.request("BYE", Purpose::Bye, &[], Payload::Empty);
    }
    fn negotiate_answer(&mut self, _tx: &ServerTx, sdp: Option<&str>) -> Result<(), failure::OfferRejected> {
        match sdp {
            Some(offer) => {
                self.call.media.check_offer(offer).map_err(|reason| failure::OfferRejected { reason })
            }
            // A late offer: ours goes in the 200 and the answer comes in the ACK.
            None => Ok(()),
        }
    }
    fn build_answer(&mut self, rtp: &SocketAddr) {
        self.call.media.opened(*rtp);
        self.call.media.answer_offer();
        self.configure();
    }
    fn reject_offer(&mut self, reason: &str) {
        self.respond_invite(488, Some(reason));
    }
    fn send_server_error(&mut self, reason: &str) {
        self.respond_invite(500, Some(reason));
    }
    fn send_ringing(&mut self, _rtp: &SocketAddr) {
        self.respond_invite(180, None);
    }
    fn notify_incoming_call(&mut self, _rtp: &SocketAddr) {
        self.emit(Event::IncomingCall { call: self.call.id });
    }
    fn send_ok(&mut self) {
        self.respond_invite(200, None);
    }
    fn send_reject(&mut self, code: u16) {
        self.respond_invite(code, None);
    }
    fn send_decline(&mut self) {
        self.respond_invite(603, None);
    }
    fn send_unavailable(&mut self, _timer: &Timer) {
        self.respond_invite(480, None);
    }
    fn answer_cancel(&mut self, tx: &ServerTx) {
        self.respond(*tx, 200, &[], false);
    }
    fn send_request_terminated(&mut self, _tx: &ServerTx) {
        self.respond_invite(487, None);
    }
    fn answer_bye(&mut self, tx: &ServerTx) {
        self.respond(*tx, 200, &[], false);
    }
    fn apply_remote_sdp(&mut self, sdp: Option<&str>) {
        let Some(sdp) = sdp else { return };
        match self.call.media.apply_remote(sdp) {
            Ok(()) => self.configure(),
            Err(why) => tracing::warn!(call = %self.call.id, "the peer's SDP is unusable: {why}"),
        }
    }
    fn start_media(&mut self) {
        self.media(MediaCommand::Start);
    }
    fn stop_media(&mut self) {
        if self.call.media_state == MediaState::Requested {
            self.call.media_state = MediaState::Stopped;
            self.media(MediaCommand::Stop);
        }
    }
    fn send_hold_reinvite(&mut self) {
        self.reinvite(true);
    }
    fn send_resume_reinvite(&mut self) {
        self.reinvite(false);
    }
    fn answer_reinvite(&mut self, tx: &ServerTx, sdp: Option<&str>) -> Result<(), failure::ReinviteRejected> {
        if let Some(offer) = sdp {
            self.call
                .media
                .apply_remote(offer)
                .map_err(|reason| failure::ReinviteRejected { tx: *tx, reason })?;
            self.configure();
            let held = self.call.media.negotiated().is_some_and(|n| n.remote_hold);
            if held != self.call.held_by_peer {
                self.call.held_by_peer = held;
                self.emit(Event::HeldByPeer { call: self.call.id, held });
            }
        }
        self.call.reinvite_tx = Some(*tx);
        let contact = self.core.local_uri.clone();
        self.respond(*tx, 200, &[("Contact", &contact)], true);
        Ok(())
    }
    fn refuse_reinvite(&mut self, tx: &ServerTx, reason: &str) {
        let warning = crate::sip::write::warning(reason);
        self.respond(*tx, 488, &[("Warning", &warning)], false);
    }
    fn send_refer(&mut self, target: &str) {
        self.refer(format!("<{target}>"));
    }
    fn send_refer_with_replaces(&mut self, target: &str, replaces: &str) {
        self.refer(format!("<{target}?Replaces={}>", escape_header(replaces)));
    }
    fn accept_refer(&mut self, tx: &ServerTx, _target: &str, _cseq: u32) {
        // The 202 creates the subscription's usage of the dialog, so it names our Contact
        // as a 2xx to a SUBSCRIBE does (RFC 6665 section 4.2.1.1).
        let contact = self.core.local_uri.clone();
        self.respond(*tx, 202, &[("Contact", &contact)], false);
        self.call.refers += 1;
    }
    fn follow_refer(&mut self, _tx: &ServerTx, target: &str, cseq: u32) {
        self.call.follow = Some(Referral { target: target.to_owned(), cseq });
    }
    fn answer_notify(&mut self, tx: &ServerTx, _code: u16) {
        self.respond(*tx, 200, &[], false);
    }
    fn report_transfer(&mut self, code: u16) {
        // The table hangs up on a success; the call then ends as transferred.
        self.call.transferred |=
            (200..300).contains(&code) && self.call.state == crate::machine::State::Transferring;
        self.emit(Event::TransferProgress { call: self.call.id, code });
    }
    fn send_dtmf(&mut self, digits: &str) {
        if self.core.config.media.dtmf == DtmfMode::Rfc4733 && self.call.media.has_telephone_events() {
            return self.media(MediaCommand::Dtmf(digits.to_owned()));
        }
        // SIP INFO, one request per digit, for peers without telephone-event.
        for digit in digits.chars() {
            match session_media::dtmf::dtmf_relay_body(digit, DTMF_TONE) {
                Ok(text) => {
                    let body = Body { content_type: DTMF_RELAY, bytes: text.as_bytes() };
                    self.request("INFO", Purpose::Info, &[], Payload::Other(body));
                }
                Err(error) => tracing::warn!(call = %self.call.id, %error, "DTMF digit not sent"),
            }
        }
    }
    fn report_dtmf(&mut self, digit: char) {
        self.emit(Event::Dtmf { call: self.call.id, digit });
    }
    fn start_recording(&mut self, path: &str, mode: &RecordMode) {
        self.media(MediaCommand::Record { path: path.to_owned(), mode: *mode });
    }
    fn stop_recording(&mut self) {
        self.media(MediaCommand::StopRecording);
    }
    fn join_mixer(&mut self, conference: &str) {
        tracing::debug!(call = %self.call.id, conference, "conference mixing is not built yet");
    }
    fn leave_mixer(&mut self) {
        tracing::debug!(call = %self.call.id, "conference mixing is not built yet");
    }
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
