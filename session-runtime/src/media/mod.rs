//! Media for one call: the RTP socket and SDP offer/answer (RFC 3264) on top of
//! `session-media`.

use std::net::{IpAddr, SocketAddr, UdpSocket};

use session_media::sdp::{self, Negotiated, SdpSession};
use session_media::{Codec, MediaDirection, SdpError};

use crate::types::MediaSessionId;

/// Media settings shared by every call of a peer.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// Address RTP sockets bind to and SDP advertises.
    pub ip: IpAddr,
    /// Codecs we offer and accept, in preference order.
    pub codecs: Vec<Codec>,
}

/// One call's media: its RTP socket and where offer/answer stands.
#[derive(Debug)]
pub struct CallMedia {
    id: MediaSessionId,
    ip: IpAddr,
    codecs: Vec<Codec>,
    socket: Option<UdpSocket>,
    port: u16,
    sdp: SdpSession,
    local_sdp: Option<String>,
    negotiated: Option<Negotiated>,
    held: bool,
    awaiting_answer: bool,
}

impl CallMedia {
    /// Binds the call's RTP socket on an ephemeral port.
    pub fn open(id: MediaSessionId, config: &MediaConfig) -> std::io::Result<Self> {
        let socket = UdpSocket::bind(SocketAddr::new(config.ip, 0))?;
        let port = socket.local_addr()?.port();
        Ok(Self {
            id,
            ip: config.ip,
            codecs: config.codecs.clone(),
            socket: Some(socket),
            port,
            sdp: SdpSession::new(),
            local_sdp: None,
            negotiated: None,
            held: false,
            awaiting_answer: false,
        })
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
    /// answer (a re-INVITE), leaving the answer in [`CallMedia::local_sdp`].
    pub fn apply_remote(&mut self, remote: &str) -> Result<(), SdpError> {
        if self.awaiting_answer { self.accept_answer(remote) } else { self.answer(remote).map(|_| ()) }
    }

    /// Releases the socket.
    pub fn close(&mut self) {
        self.socket = None;
    }
}
