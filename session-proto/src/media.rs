//! The plan's `MediaAdapter`: one call's side of SDP offer/answer (RFC 3264) on top of
//! `session-media`, and what the call asks of its media engine. The sockets and the
//! engine belong to the driver; the adapter knows only the RTP address it was given.

use std::net::SocketAddr;

use session_media::sdp::{self, Negotiated, RemoteMedia, SdpSession};
use session_media::{Codec, MediaDirection, SdpError};

use crate::types::{DtmfMode, RecordMode};

/// What a call asks of its media engine, in order; the driver forwards each.
#[derive(Clone, Debug, PartialEq)]
pub enum MediaCommand {
    /// Offer/answer agreed on (again): codec, payload types, peer address, directions.
    Configure(Box<Negotiated>),
    /// The call was answered: start sending and receiving.
    Start,
    /// Send these digits as RFC 4733 telephone-events.
    Dtmf(String),
    /// Record to a WAV file.
    Record {
        /// The file.
        path: String,
        /// Which audio.
        mode: RecordMode,
    },
    /// Finish every recording.
    StopRecording,
    /// The call is over: finish the recordings, close the sockets, end the engine.
    Stop,
}

/// Media settings shared by every call of an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaSettings {
    /// Codecs we offer and accept, in preference order.
    pub codecs: Vec<Codec>,
    /// How DTMF is sent.
    pub dtmf: DtmfMode,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self { codecs: Codec::ALL.to_vec(), dtmf: DtmfMode::default() }
    }
}

/// One call's offer/answer state.
#[derive(Debug)]
pub struct MediaAdapter {
    codecs: Vec<Codec>,
    rtp: Option<SocketAddr>,
    sdp: SdpSession,
    /// The peer's offer, checked and waiting for our RTP address to be answered.
    offer: Option<RemoteMedia>,
    local_sdp: Option<String>,
    negotiated: Option<Negotiated>,
    held: bool,
    awaiting_answer: bool,
}

impl MediaAdapter {
    /// A call's media before its sockets are open; `session_id` is the SDP `o=` id.
    pub fn new(settings: &MediaSettings, session_id: u64) -> Self {
        let mut sdp = SdpSession::with_id(session_id, 1);
        if settings.dtmf == DtmfMode::Info {
            sdp.set_telephone_event_pt(None);
        }
        Self {
            codecs: settings.codecs.clone(),
            rtp: None,
            sdp,
            offer: None,
            local_sdp: None,
            negotiated: None,
            held: false,
            awaiting_answer: false,
        }
    }

    /// The RTP address the driver opened for the call.
    pub fn opened(&mut self, rtp: SocketAddr) {
        self.rtp = Some(rtp);
    }

    /// Our RTP address, once open.
    pub fn local_rtp(&self) -> Option<SocketAddr> {
        self.rtp
    }

    /// The SDP to send with the next INVITE or 2xx, if one was built.
    pub fn local_sdp(&self) -> Option<&str> {
        self.local_sdp.as_deref()
    }

    /// What offer/answer agreed on, once it has.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// Whether we hold the peer.
    pub fn is_held(&self) -> bool {
        self.held
    }

    /// Whether RFC 4733 telephone-events were agreed on.
    pub fn has_telephone_events(&self) -> bool {
        self.negotiated.as_ref().is_some_and(|n| n.telephone_event_pt.is_some())
    }

    /// Checks an initial offer before the sockets exist: it must be SDP with an audio
    /// stream and a codec of ours. Kept to be answered by [`MediaAdapter::answer_offer`];
    /// the error says why not, for the Warning of a 488.
    pub fn check_offer(&mut self, offer: &str) -> Result<(), String> {
        let remote = sdp::parse(offer).map_err(|error| self.why(&error, None))?;
        if !remote.codecs().iter().any(|(_, codec)| self.codecs.contains(codec)) {
            return Err(self.why(&SdpError::NoCommonCodec, Some(&remote)));
        }
        self.offer = Some(remote);
        Ok(())
    }

    /// Our SDP for the 200 OK: the answer to the checked offer, or an offer of ours when
    /// the INVITE had none (its answer comes in the ACK). Needs the RTP address.
    pub fn answer_offer(&mut self) -> Option<&str> {
        let rtp = self.rtp?;
        match self.offer.take() {
            // The offer was checked to share a codec with ours, so this cannot fail.
            Some(offer) => {
                match self.sdp.answer(&offer, rtp.ip(), rtp.port(), &self.codecs, MediaDirection::SendRecv) {
                    Ok((text, negotiated)) => {
                        self.negotiated = Some(negotiated);
                        self.local_sdp = Some(text);
                    }
                    Err(error) => tracing::error!(%error, "a checked offer could not be answered"),
                }
            }
            None => {
                self.offer(false);
            }
        }
        self.local_sdp()
    }

    /// Builds a new offer: sendonly while holding, sendrecv otherwise. `None` before the
    /// sockets are open.
    pub fn offer(&mut self, hold: bool) -> Option<&str> {
        let rtp = self.rtp?;
        self.held = hold;
        let direction = if hold { MediaDirection::SendOnly } else { MediaDirection::SendRecv };
        let offer = self.sdp.offer(rtp.ip(), rtp.port(), &self.codecs, direction);
        self.awaiting_answer = true;
        Some(self.local_sdp.insert(offer))
    }

    /// The peer's SDP: the answer to our outstanding offer, or else a new offer (a
    /// re-INVITE, or the late offer of a 2xx) that we answer, leaving the answer in
    /// [`MediaAdapter::local_sdp`]. The error says why it cannot be used.
    pub fn apply_remote(&mut self, remote: &str) -> Result<(), String> {
        let parsed = sdp::parse(remote).map_err(|error| self.why(&error, None))?;
        if self.awaiting_answer {
            let negotiated =
                sdp::accept_answer(&parsed, &self.codecs).map_err(|e| self.why(&e, Some(&parsed)))?;
            self.negotiated = Some(negotiated);
            self.awaiting_answer = false;
            return Ok(());
        }
        let rtp = self.rtp.ok_or("the call's RTP sockets are not open")?;
        let ours = if self.held { MediaDirection::SendOnly } else { MediaDirection::SendRecv };
        let (text, negotiated) = self
            .sdp
            .answer(&parsed, rtp.ip(), rtp.port(), &self.codecs, ours)
            .map_err(|e| self.why(&e, Some(&parsed)))?;
        self.negotiated = Some(negotiated);
        self.local_sdp = Some(text);
        Ok(())
    }

    /// Our re-INVITE failed: the hold (or resume) it offered did not happen.
    pub fn offer_failed(&mut self) {
        if self.awaiting_answer {
            self.awaiting_answer = false;
            self.held = !self.held;
        }
    }

    /// Why an SDP cannot be used, in words for a Warning header.
    fn why(&self, error: &SdpError, remote: Option<&RemoteMedia>) -> String {
        match error {
            SdpError::Malformed(_) => format!("the offer is not valid SDP: {error}"),
            SdpError::NoCommonCodec => {
                let name = |c: &Codec| format!("{}/{}", c.rtpmap_name(), c.clock_rate());
                let ours: Vec<String> = self.codecs.iter().map(name).collect();
                let theirs: Vec<String> = remote.map_or_else(Vec::new, |r| {
                    let named = r.payload_types.iter().map(|&pt| {
                        match r.rtpmaps.iter().find(|m| m.payload_type == pt) {
                            Some(map) => format!("{}/{}", map.encoding, map.clock_rate),
                            None => Codec::from_payload_type(pt)
                                .map_or_else(|| format!("payload type {pt}"), |c| name(&c)),
                        }
                    });
                    named.collect()
                });
                let offered = if theirs.is_empty() {
                    String::new()
                } else {
                    format!("; it offers {}", theirs.join(", "))
                };
                format!("the offer has no codec we support; we take {}{offered}", ours.join(", "))
            }
            SdpError::NoAudio(_) => format!("{error}"),
        }
    }
}
