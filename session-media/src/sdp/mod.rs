//! SDP offer/answer for one audio stream (RFC 3264, RFC 4566), built on the
//! `sdp` crate for parsing and marshalling.
//!
//! - [`offer`] / [`SdpSession::offer`]: our offer, PCMU/PCMA plus
//!   `telephone-event/8000` and `a=ptime:20`.
//! - [`parse`]: a remote offer or answer into [`RemoteMedia`].
//! - [`answer`] / [`SdpSession::answer`]: our answer to a remote offer.
//! - [`accept_answer`]: what a remote answer to our offer settled.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use session_media::Codec;
//! use session_media::sdp::{self, MediaDirection, SdpSession};
//!
//! let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
//! let mut alice = SdpSession::with_id(42, 1);
//! let offer_text = alice.offer(ip, 4000, &Codec::ALL, MediaDirection::SendRecv);
//! let offer = sdp::parse(&offer_text).unwrap();
//! let (answer_text, bob_side) = sdp::answer(&offer, ip, 5000, &[Codec::Pcma]).unwrap();
//! assert_eq!(bob_side.codec, Codec::Pcma);
//! assert_eq!(bob_side.telephone_event_pt, Some(101));
//! let alice_side = sdp::accept_answer(&sdp::parse(&answer_text).unwrap(), &Codec::ALL).unwrap();
//! assert_eq!(alice_side.remote_rtp.port(), 5000);
//! ```

// Handles network input: no indexing that could panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod build;
mod parse;
mod session;

use std::net::{IpAddr, SocketAddr};

pub use build::{accept_answer, answer, offer};
pub use parse::parse;
pub use session::SdpSession;

use crate::codec::Codec;

/// Errors from SDP handling, each with the SIP status a UAS should answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// The text is not valid SDP, or lacks something an audio session needs.
    #[error("malformed SDP: {0}")]
    Malformed(String),
    /// No offered audio codec is one we support.
    #[error("no common codec: the offer has none of the supported codecs (PCMU/8000, PCMA/8000)")]
    NoCommonCodec,
    /// No audio stream we can use (none, all disabled with port 0, or not RTP/AVP).
    #[error("no usable audio stream: {0}")]
    NoAudio(String),
}

impl SdpError {
    /// The SIP response status for this error: 400 for malformed SDP, 488
    /// (Not Acceptable Here) when the session cannot be accepted.
    pub fn sip_status(&self) -> u16 {
        match self {
            SdpError::Malformed(_) => 400,
            SdpError::NoCommonCodec | SdpError::NoAudio(_) => 488,
        }
    }
}

/// Direction of a media stream, from the point of view of the side that wrote
/// the SDP (RFC 3264 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MediaDirection {
    /// `a=sendrecv` (the default when no direction is given).
    #[default]
    SendRecv,
    /// `a=sendonly` (e.g. putting the other side on hold).
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl MediaDirection {
    /// The direction an answer takes for this offered direction:
    /// sendonly ↔ recvonly, the others unchanged.
    pub fn reverse(self) -> Self {
        match self {
            MediaDirection::SendOnly => MediaDirection::RecvOnly,
            MediaDirection::RecvOnly => MediaDirection::SendOnly,
            other => other,
        }
    }

    /// The direction from two flags.
    pub fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => MediaDirection::SendRecv,
            (true, false) => MediaDirection::SendOnly,
            (false, true) => MediaDirection::RecvOnly,
            (false, false) => MediaDirection::Inactive,
        }
    }

    /// Whether this side sends media.
    pub fn sends(self) -> bool {
        matches!(self, MediaDirection::SendRecv | MediaDirection::SendOnly)
    }

    /// Whether this side receives media.
    pub fn receives(self) -> bool {
        matches!(self, MediaDirection::SendRecv | MediaDirection::RecvOnly)
    }

    /// Both restrictions at once (e.g. what the offer allows and what we want).
    pub fn intersect(self, other: Self) -> Self {
        Self::from_flags(self.sends() && other.sends(), self.receives() && other.receives())
    }

    /// The SDP attribute name: `sendrecv`, `sendonly`, `recvonly` or `inactive`.
    pub fn as_attribute(self) -> &'static str {
        match self {
            MediaDirection::SendRecv => "sendrecv",
            MediaDirection::SendOnly => "sendonly",
            MediaDirection::RecvOnly => "recvonly",
            MediaDirection::Inactive => "inactive",
        }
    }

    /// Parses a direction attribute name.
    pub fn from_attribute(name: &str) -> Option<Self> {
        [
            MediaDirection::SendRecv,
            MediaDirection::SendOnly,
            MediaDirection::RecvOnly,
            MediaDirection::Inactive,
        ]
        .into_iter()
        .find(|d| d.as_attribute() == name)
    }
}

impl std::fmt::Display for MediaDirection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_attribute())
    }
}

/// One `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name as written (e.g. `PCMU`, `opus`, `telephone-event`).
    pub encoding: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channel count, if given.
    pub channels: Option<u16>,
}

/// One `m=` line of a remote SDP, kept so an answer can mirror every line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLine {
    /// Media type (`audio`, `video`, …).
    pub media: String,
    /// Port (0: disabled).
    pub port: u16,
    /// Transport protocol, e.g. `RTP/AVP`.
    pub proto: String,
    /// Formats as written.
    pub formats: Vec<String>,
}

/// What a remote SDP says about its audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMedia {
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` session version.
    pub session_version: u64,
    /// Where to send RTP: the media-level `c=` address, else the session-level one.
    pub address: IpAddr,
    /// Audio RTP port.
    pub port: u16,
    /// Audio payload types in the order offered (preference order).
    pub payload_types: Vec<u8>,
    /// The audio `a=rtpmap` lines.
    pub rtpmaps: Vec<RtpMap>,
    /// Payload type of `telephone-event/8000`, if offered.
    pub telephone_event_pt: Option<u8>,
    /// `a=fmtp` value for the telephone-event payload type, if any (e.g. `0-16`).
    pub telephone_event_fmtp: Option<String>,
    /// Direction as written (media level overrides session level; default sendrecv).
    pub direction: MediaDirection,
    /// `c=` was `0.0.0.0` (RFC 2543 hold: "do not send to me").
    pub null_address: bool,
    /// `a=ptime`, if given.
    pub ptime: Option<u32>,
    /// Every `m=` line, in order.
    pub media_lines: Vec<MediaLine>,
    /// Index of the audio line in `media_lines`.
    pub audio_index: usize,
}

impl RemoteMedia {
    /// The direction in effect: the written one, less receiving when the
    /// connection address is `0.0.0.0`.
    pub fn effective_direction(&self) -> MediaDirection {
        if self.null_address { self.direction.intersect(MediaDirection::SendOnly) } else { self.direction }
    }

    /// `true` when the remote side puts the stream on hold: it does not want
    /// to receive (`sendonly`, `inactive`, or `c=0.0.0.0`).
    pub fn is_hold(&self) -> bool {
        !self.effective_direction().receives()
    }

    /// The codec of an offered payload type, by the RFC 3551 static assignment
    /// (0 = PCMU, 8 = PCMA), which an rtpmap may confirm but not change. A
    /// dynamic payload type mapped to PCMU/PCMA is not recognised, so the
    /// negotiated payload type is always [`Codec::payload_type`].
    pub fn codec_of(&self, pt: u8) -> Option<Codec> {
        let codec = Codec::from_payload_type(pt)?;
        match self.rtpmaps.iter().find(|m| m.payload_type == pt) {
            Some(m) if Codec::from_rtpmap(&m.encoding, m.clock_rate) != Some(codec) => None,
            _ => Some(codec),
        }
    }

    /// The offered payload types we can decode, with their codec, in offer order.
    pub fn codecs(&self) -> Vec<(u8, Codec)> {
        self.payload_types.iter().filter_map(|&pt| self.codec_of(pt).map(|c| (pt, c))).collect()
    }

    /// The remote RTP address.
    pub fn rtp_addr(&self) -> SocketAddr {
        SocketAddr::new(self.address, self.port)
    }
}

/// The outcome of offer/answer, from our side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The audio codec to send and expect.
    pub codec: Codec,
    /// Its payload type in this session.
    pub payload_type: u8,
    /// Telephone-event payload type, when both sides do RFC 4733.
    pub telephone_event_pt: Option<u8>,
    /// Where to send RTP.
    pub remote_rtp: SocketAddr,
    /// Our direction: whether we send and/or receive.
    pub direction: MediaDirection,
    /// The remote side has put the stream on hold.
    pub remote_hold: bool,
    /// Packet time in ms (the remote `a=ptime`, else 20).
    pub ptime: u32,
}
