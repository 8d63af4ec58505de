//! Messages to a call's media engine, and what it reports back.

use std::net::SocketAddr;
use std::time::Duration;

use session_media::rtcp_report::RtcpStats;
use session_media::{AudioFrame, Codec, MediaDirection, RtpStats};
use session_proto::media::MediaCommand;
use tokio::sync::{mpsc, oneshot};

use super::source::AudioSource;

/// One request to a call's media engine: the endpoint's, or the application's (from
/// [`crate::Call`]). Large payloads are boxed: every call's channel allocates room for
/// 32 of these up front.
#[derive(Debug)]
pub enum MediaControl {
    /// What the endpoint asks: configure, start, DTMF, recording, stop.
    Protocol(MediaCommand),
    /// Send this instead of what was sent before.
    Source(Box<AudioSource>),
    /// One frame from the application, ahead of the source.
    Frame(Box<AudioFrame>),
    /// Send silence (`true`) or the audio again (`false`).
    Mute(bool),
    /// Deliver each received frame here from now on (frames are dropped while the
    /// receiver lags more than its channel holds).
    Subscribe(mpsc::Sender<AudioFrame>),
    /// Report the stream's state.
    Info(oneshot::Sender<MediaInfo>),
}

/// A call's media as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaInfo {
    /// The codec offer/answer chose, once it has.
    pub codec: Option<Codec>,
    /// The telephone-event payload type both sides agreed on (RFC 4733 DTMF), if any.
    pub telephone_event: Option<u8>,
    /// Our RTP address.
    pub local: SocketAddr,
    /// Where our RTP goes (the SDP address, or where the peer's packets come from).
    pub remote: Option<SocketAddr>,
    /// Whether we send and/or receive, as negotiated (hold changes it).
    pub direction: Option<MediaDirection>,
    /// Whether we send silence.
    pub muted: bool,
    /// Packet counters of both directions.
    pub stats: RtpStats,
    /// RTCP counters, and the loss the peer last reported for our stream.
    pub rtcp: RtcpStats,
    /// How long the media has been flowing.
    pub flowing_for: Duration,
    /// Interarrival jitter of the peer's packets (RFC 3550 6.4.1).
    pub jitter: Duration,
}
