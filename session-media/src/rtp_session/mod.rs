//! Sans-IO RTP: a sender that packetizes frames and a receiver that takes raw
//! datagrams, both built on the `rtp` crate's packet type.
//!
//! Neither touches a socket or a clock: the caller sends the bytes that
//! [`RtpSender`] returns and passes each received datagram, with the time it
//! arrived, to [`RtpReceiver::receive`]; then it pulls one frame per 20 ms
//! with [`RtpReceiver::pop_frame`].

// Handles network input: no indexing that could panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod receiver;
mod sender;
mod validate;

pub use receiver::{Received, Reception, RtpReceiver};
pub use sender::RtpSender;
pub use validate::check_rtp;

/// Counters for one RTP stream (sender side, receiver side, or both merged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RtpStats {
    /// Packets produced by the sender.
    pub sent: u64,
    /// Well-formed RTP packets received (any payload type, including
    /// duplicates and late ones).
    pub received: u64,
    /// Audio frames that were due for playout but never arrived.
    pub lost: u64,
    /// Audio packets that arrived behind the playout point (dropped).
    pub late: u64,
    /// Audio packets received more than once (dropped).
    pub duplicate: u64,
    /// Datagrams that were not valid RTP (dropped).
    pub malformed: u64,
    /// Well-formed packets with a payload type we do not play (dropped).
    pub ignored: u64,
}

impl RtpStats {
    /// Adds two sets of counters, e.g. a sender's and a receiver's.
    pub fn merged(self, other: RtpStats) -> RtpStats {
        RtpStats {
            sent: self.sent + other.sent,
            received: self.received + other.received,
            lost: self.lost + other.lost,
            late: self.late + other.late,
            duplicate: self.duplicate + other.duplicate,
            malformed: self.malformed + other.malformed,
            ignored: self.ignored + other.ignored,
        }
    }
}

/// Why a datagram was not accepted as RTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Shorter than the 12-byte fixed header.
    #[error("RTP datagram is {0} bytes; the fixed header needs at least 12")]
    TooShort(usize),
    /// The version field is not 2.
    #[error("RTP version field is {0}; only version 2 is valid (is this RTCP, STUN or garbage?)")]
    BadVersion(u8),
    /// A header field points past the end of the datagram.
    #[error("RTP header is truncated: {0}")]
    Truncated(&'static str),
    /// The `rtp` crate rejected the packet.
    #[error("RTP packet could not be parsed: {0}")]
    Unmarshal(String),
}
