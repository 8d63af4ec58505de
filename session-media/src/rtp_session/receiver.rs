//! The receiving half: datagrams in, playout frames and DTMF digits out.

use std::time::{Duration, Instant};

use rtp::packet::Packet;
use webrtc_util::marshal::Unmarshal;

use super::{RtpError, RtpStats, check_rtp};
use crate::codec::Codec;
use crate::dtmf::DtmfReceiver;
use crate::frame::{AudioFrame, SAMPLE_RATE};
use crate::jitter::{DEFAULT_DEPTH, JitterBuffer, Playout, PushOutcome};

/// What became of one received datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// An audio packet, offered to the jitter buffer with this outcome.
    Audio(PushOutcome),
    /// A telephone-event packet that starts a new DTMF digit.
    Digit(char),
    /// A telephone-event packet for a digit already reported (or not a digit).
    DtmfRepeat,
    /// Valid RTP with a payload type we do not play (e.g. comfort noise).
    Ignored {
        /// The packet's payload type.
        payload_type: u8,
    },
    /// Not valid RTP; counted in [`RtpStats::malformed`] and dropped.
    Malformed(RtpError),
}

/// Where one received stream stands, for an RTCP reception report (RFC 3550 6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reception {
    /// The stream's SSRC.
    pub ssrc: u32,
    /// Its first sequence number.
    pub base: u16,
    /// Its extended highest sequence number (cycles in the upper 16 bits).
    pub highest: u32,
    /// Packets received from it.
    pub received: u64,
    /// Interarrival jitter in RTP timestamp units.
    pub jitter: u32,
}

impl Reception {
    /// Packets expected: highest − base + 1.
    pub fn expected(&self) -> u64 {
        u64::from(self.highest.wrapping_sub(u32::from(self.base))) + 1
    }
}

/// Receives one RTP stream: validates and parses datagrams, decodes G.711
/// into a jitter buffer, and turns RFC 4733 events into digits.
///
/// The receiver follows the latest SSRC: a packet from a new SSRC resets the
/// jitter buffer and DTMF state (the peer restarted its stream, e.g. after a
/// re-INVITE). Each audio packet becomes one frame: payloads of other than
/// 160 bytes (ptime other than 20 ms) are padded or truncated.
#[derive(Debug)]
pub struct RtpReceiver {
    jitter: JitterBuffer<AudioFrame>,
    dtmf: DtmfReceiver,
    telephone_event_pt: Option<u8>,
    ssrc: Option<u32>,
    /// First and extended highest sequence number of the followed SSRC (RFC 3550 A.1).
    sequence: Option<(u16, u32)>,
    /// Packets counted towards `sequence` (this SSRC, not duplicates of the first).
    in_sequence: u64,
    received: u64,
    malformed: u64,
    ignored: u64,
    last_arrival: Option<Instant>,
    /// (arrival in timestamp units since `epoch`, RTP timestamp) of the last audio packet.
    last_transit: Option<(f64, u32)>,
    epoch: Option<Instant>,
    jitter_estimate: f64,
}

impl Default for RtpReceiver {
    fn default() -> Self {
        Self::new()
    }
}

impl RtpReceiver {
    /// A receiver with the default jitter depth (3 frames) and telephone-events
    /// on payload type 101.
    pub fn new() -> Self {
        Self::with_depth(DEFAULT_DEPTH)
    }

    /// A receiver whose jitter buffer holds `depth` frames before playing.
    pub fn with_depth(depth: usize) -> Self {
        Self {
            jitter: JitterBuffer::new(depth),
            dtmf: DtmfReceiver::new(),
            telephone_event_pt: Some(crate::dtmf::DEFAULT_PAYLOAD_TYPE),
            ssrc: None,
            sequence: None,
            in_sequence: 0,
            received: 0,
            malformed: 0,
            ignored: 0,
            last_arrival: None,
            last_transit: None,
            epoch: None,
            jitter_estimate: 0.0,
        }
    }

    /// Sets the negotiated telephone-event payload type (`None`: DTMF packets
    /// are ignored).
    pub fn set_telephone_event_pt(&mut self, pt: Option<u8>) {
        self.telephone_event_pt = pt;
    }

    /// The SSRC currently followed, once a packet has arrived.
    pub fn remote_ssrc(&self) -> Option<u32> {
        self.ssrc
    }

    /// What an RTCP reception report needs: the SSRC followed, its first and extended
    /// highest sequence numbers, the packets received from it and the jitter in RTP
    /// timestamp units. `None` before the first packet.
    pub fn reception(&self) -> Option<Reception> {
        let ((base, highest), ssrc) = (self.sequence?, self.ssrc?);
        let jitter = self.jitter_estimate.round() as u32;
        Some(Reception { ssrc, base, highest, received: self.in_sequence, jitter })
    }

    /// When the last well-formed packet arrived.
    pub fn last_received(&self) -> Option<Instant> {
        self.last_arrival
    }

    /// How long since the last well-formed packet (`None` before the first),
    /// for media-timeout detection.
    pub fn idle_for(&self, now: Instant) -> Option<Duration> {
        self.last_arrival.map(|t| now.saturating_duration_since(t))
    }

    /// RFC 3550 interarrival jitter estimate.
    pub fn jitter(&self) -> Duration {
        Duration::from_secs_f64(self.jitter_estimate / f64::from(SAMPLE_RATE))
    }

    /// Counters so far (`sent` is always 0 here).
    pub fn stats(&self) -> RtpStats {
        let j = self.jitter.stats();
        RtpStats {
            sent: 0,
            received: self.received,
            lost: j.lost,
            late: j.late,
            duplicate: j.duplicate,
            malformed: self.malformed,
            ignored: self.ignored,
        }
    }

    /// Handles one datagram that arrived at `now`. Never panics: anything that
    /// is not valid RTP is counted as malformed and dropped.
    pub fn receive(&mut self, datagram: &[u8], now: Instant) -> Received {
        let packet = match parse(datagram) {
            Ok(p) => p,
            Err(e) => {
                self.malformed += 1;
                return Received::Malformed(e);
            }
        };
        self.received += 1;
        self.last_arrival = Some(now);
        let h = &packet.header;
        if self.ssrc != Some(h.ssrc) {
            if self.ssrc.is_some() {
                self.restart_stream();
            }
            self.ssrc = Some(h.ssrc);
        }
        self.track_sequence(h.sequence_number);
        let codec = Codec::from_payload_type(h.payload_type);
        if codec.is_none() {
            // Same stream, same sequence space: keep the audio playout from
            // counting this packet's sequence number as a lost frame.
            self.jitter.skip(h.sequence_number);
        }
        if Some(h.payload_type) == self.telephone_event_pt {
            return match self.dtmf.receive(h.timestamp, h.marker, &packet.payload) {
                Ok(Some(d)) => Received::Digit(d),
                Ok(None) | Err(_) => Received::DtmfRepeat,
            };
        }
        let Some(codec) = codec else {
            self.ignored += 1;
            return Received::Ignored { payload_type: h.payload_type };
        };
        let frame = codec.decode(&packet.payload);
        let outcome = self.jitter.push(h.sequence_number, frame);
        if outcome == PushOutcome::Queued || outcome == PushOutcome::Resynced {
            self.update_jitter(now, h.timestamp);
        }
        Received::Audio(outcome)
    }

    /// The frame due at this 20 ms tick (see [`JitterBuffer::pop_frame`]).
    pub fn pop_frame(&mut self) -> Playout<AudioFrame> {
        self.jitter.pop_frame()
    }

    /// The frame due at this tick, with silence standing in for a lost frame
    /// or an empty buffer.
    pub fn pop_frame_or_silence(&mut self) -> AudioFrame {
        self.pop_frame().into_item().unwrap_or_default()
    }

    /// Extends the highest sequence number across wrap-arounds; packets more than half
    /// the space behind are old or reordered and do not move it.
    fn track_sequence(&mut self, seq: u16) {
        self.in_sequence += 1;
        let Some((base, highest)) = self.sequence else {
            self.sequence = Some((seq, u32::from(seq)));
            return;
        };
        let ahead = seq.wrapping_sub(highest as u16);
        if ahead != 0 && ahead < 0x8000 {
            let wrapped = seq < highest as u16;
            let cycles = (highest & 0xFFFF_0000).wrapping_add(if wrapped { 0x1_0000 } else { 0 });
            self.sequence = Some((base, cycles | u32::from(seq)));
        }
    }

    fn restart_stream(&mut self) {
        // JitterBuffer::reset keeps its counters.
        self.jitter.reset();
        self.sequence = None;
        self.in_sequence = 0;
        self.dtmf = DtmfReceiver::new();
        self.last_transit = None;
    }

    fn update_jitter(&mut self, now: Instant, timestamp: u32) {
        let epoch = *self.epoch.get_or_insert(now);
        let arrival = now.saturating_duration_since(epoch).as_secs_f64() * f64::from(SAMPLE_RATE);
        if let Some((last_arrival, last_ts)) = self.last_transit {
            let sent_delta = f64::from(timestamp.wrapping_sub(last_ts) as i32);
            let d = (arrival - last_arrival) - sent_delta;
            self.jitter_estimate += (d.abs() - self.jitter_estimate) / 16.0;
        }
        self.last_transit = Some((arrival, timestamp));
    }
}

/// Validates then unmarshals one datagram with the `rtp` crate.
fn parse(datagram: &[u8]) -> Result<Packet, RtpError> {
    check_rtp(datagram)?;
    let mut buf = datagram;
    Packet::unmarshal(&mut buf).map_err(|e| RtpError::Unmarshal(e.to_string()))
}
