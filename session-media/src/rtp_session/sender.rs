//! The sending half: frames in, marshalled RTP datagrams out.

use bytes::Bytes;
use rtp::header::Header;
use rtp::packet::Packet;
use webrtc_util::marshal::Marshal;

use super::RtpStats;
use crate::codec::Codec;
use crate::dtmf::DtmfPacket;
use crate::frame::{AudioFrame, SAMPLES_PER_FRAME};

/// Packetizes audio (and DTMF) for one RTP stream.
///
/// SSRC, first sequence number and first timestamp are random (RFC 3550
/// section 5.1). Each audio frame advances the timestamp by 160 (20 ms at
/// 8 kHz) and the sequence number by one.
///
/// ```
/// use session_media::{AudioFrame, Codec, rtp_session::RtpSender};
/// let mut tx = RtpSender::with_initial(0x1234, 65535, 1000);
/// let first = tx.packetize(&AudioFrame::silence(), Codec::Pcmu, true);
/// assert_eq!(first.len(), 12 + 160);
/// assert_eq!(tx.next_sequence(), 0); // wrapped
/// assert_eq!(tx.next_timestamp(), 1160);
/// ```
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    sent: u64,
    octets: u64,
}

impl Default for RtpSender {
    fn default() -> Self {
        Self::new()
    }
}

impl RtpSender {
    /// A sender with random SSRC, initial sequence number and timestamp.
    pub fn new() -> Self {
        Self::with_initial(rand::random(), rand::random(), rand::random())
    }

    /// A sender with chosen initial values (for tests and reproducible runs).
    pub fn with_initial(ssrc: u32, sequence: u16, timestamp: u32) -> Self {
        Self { ssrc, sequence, timestamp, sent: 0, octets: 0 }
    }

    /// This stream's SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Sequence number the next packet will carry.
    pub fn next_sequence(&self) -> u16 {
        self.sequence
    }

    /// RTP timestamp the next audio frame will carry.
    pub fn next_timestamp(&self) -> u32 {
        self.timestamp
    }

    /// Payload octets sent so far (the RTCP sender report's octet count).
    pub fn octets(&self) -> u64 {
        self.octets
    }

    /// Counters (only `sent` is set on the sending side).
    pub fn stats(&self) -> RtpStats {
        RtpStats { sent: self.sent, ..RtpStats::default() }
    }

    /// Encodes `frame` with `codec` and returns the RTP datagram. Set
    /// `marker` on the first packet of a talkspurt (e.g. the first packet of
    /// the call or after a pause).
    pub fn packetize(&mut self, frame: &AudioFrame, codec: Codec, marker: bool) -> Bytes {
        let payload = codec.encode(frame);
        let ts = self.timestamp;
        self.timestamp = ts.wrapping_add(SAMPLES_PER_FRAME as u32);
        self.packetize_payload(payload, codec.payload_type(), marker, ts)
    }

    /// Advances the timestamp by `samples` without sending, e.g. for frames
    /// not sent while the stream was on hold or while DTMF was playing.
    pub fn skip(&mut self, samples: u32) {
        self.timestamp = self.timestamp.wrapping_add(samples);
    }

    /// Builds a datagram from a ready payload with an explicit timestamp.
    /// Advances the sequence number only.
    pub fn packetize_payload(
        &mut self,
        payload: Bytes,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
    ) -> Bytes {
        let packet = Packet {
            header: Header {
                version: 2,
                marker,
                payload_type: payload_type & 0x7F,
                sequence_number: self.sequence,
                timestamp,
                ssrc: self.ssrc,
                ..Header::default()
            },
            payload,
        };
        self.sequence = self.sequence.wrapping_add(1);
        self.sent += 1;
        self.octets += packet.payload.len() as u64;
        // `marshal` allocates exactly `marshal_size()` bytes and only fails
        // when the buffer is smaller than that, so this cannot fail.
        #[allow(clippy::expect_used)] // justified above: not reachable
        packet.marshal().expect("RTP marshal into a buffer of marshal_size() bytes")
    }

    /// Builds the datagram for one packet of a DTMF schedule. `start_timestamp`
    /// is the RTP timestamp at the moment the schedule started (take
    /// [`next_timestamp`](Self::next_timestamp) then, and [`skip`](Self::skip)
    /// audio frames while the digits play).
    pub fn packetize_dtmf(&mut self, packet: &DtmfPacket, payload_type: u8, start_timestamp: u32) -> Bytes {
        let ts = start_timestamp.wrapping_add(packet.timestamp_offset);
        self.packetize_payload(packet.payload.clone(), payload_type, packet.marker, ts)
    }
}
