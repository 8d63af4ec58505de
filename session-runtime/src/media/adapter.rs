//! The plan's `MediaAdapter`: one call's side of SDP offer/answer (RFC 3264) on top of
//! `session-media`, and the RTP port it advertises.

use std::net::{IpAddr, SocketAddr, UdpSocket};

use session_media::sdp::{self, Negotiated, SdpSession};
use session_media::{Codec, MediaDirection, SdpError};

use super::MediaConfig;
use crate::types::{DtmfMode, MediaSessionId};

/// One call's offer/answer state and RTP address. The socket itself belongs to the
/// call's media engine ([`super::engine`]).
#[derive(Debug)]
pub struct MediaAdapter {
    id: MediaSessionId,
    ip: IpAddr,
    codecs: Vec<Codec>,
    port: u16,
    sdp: SdpSession,
    local_sdp: Option<String>,
    negotiated: Option<Negotiated>,
    held: bool,
    awaiting_answer: bool,
}

impl MediaAdapter {
    /// Binds the call's RTP and RTCP sockets; they are returned for the media engine
    /// to own.
    pub fn open(id: MediaSessionId, config: &MediaConfig) -> std::io::Result<(Self, (UdpSocket, UdpSocket))> {
        let sockets = config.bind_pair()?;
        let port = sockets.0.local_addr()?.port();
        let mut sdp = SdpSession::new();
        if config.dtmf == DtmfMode::Info {
            sdp.set_telephone_event_pt(None);
        }
        let adapter = Self {
            id,
            ip: config.ip,
            codecs: config.codecs.clone(),
            port,
            sdp,
            local_sdp: None,
            negotiated: None,
            held: false,
            awaiting_answer: false,
        };
        Ok((adapter, sockets))
    }

    /// The media session's id.
    pub fn id(&self) -> MediaSessionId {
        self.id
    }

    /// The local RTP address.
    pub fn local_rtp(&self) -> SocketAddr {
        SocketAddr::new(self.ip, self.port)
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

    /// The offer of a re-INVITE that puts the peer on hold (a=sendonly).
    pub fn create_hold_sdp(&mut self) -> &str {
        self.offer(true)
    }

    /// Builds a new offer: sendonly while holding, sendrecv otherwise.
    pub fn offer(&mut self, hold: bool) -> &str {
        self.held = hold;
        let direction = if hold { MediaDirection::SendOnly } else { MediaDirection::SendRecv };
        let offer = self.sdp.offer(self.ip, self.port, &self.codecs, direction);
        self.awaiting_answer = true;
        self.local_sdp.insert(offer)
    }

    /// Answers the peer's offer: the first offered codec we support, the reverse of
    /// its direction (limited to sendonly while we hold the peer).
    pub fn answer(&mut self, offer: &str) -> Result<&str, SdpError> {
        let remote = sdp::parse(offer)?;
        let ours = if self.held { MediaDirection::SendOnly } else { MediaDirection::SendRecv };
        let (text, negotiated) = self.sdp.answer(&remote, self.ip, self.port, &self.codecs, ours)?;
        self.negotiated = Some(negotiated);
        Ok(self.local_sdp.insert(text))
    }

    /// Applies the peer's answer to our offer.
    pub fn accept_answer(&mut self, answer: &str) -> Result<(), SdpError> {
        let remote = sdp::parse(answer)?;
        self.negotiated = Some(sdp::accept_answer(&remote, &self.codecs)?);
        self.awaiting_answer = false;
        Ok(())
    }

    /// The peer's SDP: the answer to our outstanding offer, or else a new offer that we
    /// answer (a re-INVITE), leaving the answer in [`MediaAdapter::local_sdp`].
    pub fn apply_remote(&mut self, remote: &str) -> Result<(), SdpError> {
        if self.awaiting_answer { self.accept_answer(remote) } else { self.answer(remote).map(|_| ()) }
    }

    /// Our re-INVITE failed: the hold (or resume) it offered did not happen.
    pub fn offer_failed(&mut self) {
        if self.awaiting_answer {
            self.awaiting_answer = false;
            self.held = !self.held;
        }
    }
}
