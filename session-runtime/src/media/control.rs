//! Messages to a call's media engine, and what it reports back.

use std::net::SocketAddr;
use std::time::Duration;

use session_media::rtcp_report::RtcpStats;
use session_media::sdp::Negotiated;
use session_media::{AudioFrame, Codec, MediaDirection, RtpStats};
use tokio::sync::{mpsc, oneshot};

use session_proto::media::MediaCommand;

use super::source::AudioSource;
use crate::types::RecordMode;

/// One request to a call's media engine. The endpoint sends the protocol ones
/// (configure, start, DTMF, recording, stop: its [`MediaCommand`]s); [`crate::Call`]
/// sends the audio ones.
#[derive(Debug)]
pub enum MediaControl {
    /// Offer/answer agreed on (again): codec, payload types, peer address, directions.
    Configure(Negotiated),
    /// The call was answered: start the 20 ms clock.
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
    /// Send this instead of what was sent before.
    Source(AudioSource),
    /// One frame from the application, ahead of the source.
    Frame(Box<AudioFrame>),
    /// Send silence (`true`) or the audio again (`false`).
    Mute(bool),
    /// Deliver each received frame here from now on (frames are dropped while the
    /// receiver lags more than its channel holds).
    Subscribe(mpsc::Sender<AudioFrame>),
    /// Report the stream's state.
    Info(oneshot::Sender<MediaInfo>),
    /// The call is over: finish the recordings and release the socket.
    Stop,
}

impl From<MediaCommand> for MediaControl {
    fn from(command: MediaCommand) -> Self {
        match command {
            MediaCommand::Configure(negotiated) => MediaControl::Configure(negotiated),
            MediaCommand::Start => MediaControl::Start,
            MediaCommand::Dtmf(digits) => MediaControl::Dtmf(digits),
            MediaCommand::Record { path, mode } => MediaControl::Record { path, mode },
            MediaCommand::StopRecording => MediaControl::StopRecording,
            MediaCommand::Stop => MediaControl::Stop,
        }
    }
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
