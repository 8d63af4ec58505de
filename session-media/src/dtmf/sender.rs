//! Turning a digit string into an RFC 4733 packet schedule.

use std::time::Duration;

use bytes::Bytes;

use super::{DEFAULT_PAYLOAD_TYPE, DEFAULT_VOLUME, DtmfError, DtmfEvent, digit_to_event};
use crate::frame::SAMPLE_RATE;

/// Interval between telephone-event packets of one event.
const PACKET_INTERVAL: Duration = Duration::from_millis(20);
/// Samples per packet interval at 8 kHz.
const SAMPLES_PER_PACKET: u32 = 160;
/// How many times the end packet is sent (RFC 4733 section 2.5.1.4).
const END_REPEATS: usize = 3;

/// Settings of a [`DtmfSender`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfConfig {
    /// Negotiated `telephone-event/8000` payload type (default 101).
    pub payload_type: u8,
    /// How long each tone lasts (default 100 ms; at most about 8 s).
    pub tone: Duration,
    /// Silence between two digits (default 50 ms).
    pub gap: Duration,
    /// Volume field, in -dBm0 (default 10).
    pub volume: u8,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        Self {
            payload_type: DEFAULT_PAYLOAD_TYPE,
            tone: Duration::from_millis(100),
            gap: Duration::from_millis(50),
            volume: DEFAULT_VOLUME,
        }
    }
}

/// One telephone-event RTP packet to send at a given offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtmfPacket {
    /// When to send it, from the start of the schedule.
    pub at: Duration,
    /// Which digit of the string this packet belongs to (0-based).
    pub digit_index: usize,
    /// The digit.
    pub digit: char,
    /// Add this to the RTP timestamp at the schedule's start to get the
    /// packet's RTP timestamp (the same for every packet of one event).
    pub timestamp_offset: u32,
    /// RTP marker bit: set on the first packet of each event.
    pub marker: bool,
    /// The decoded payload fields.
    pub event: DtmfEvent,
    /// The 4-byte telephone-event payload.
    pub payload: Bytes,
}

/// A digit string laid out as packets in send order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtmfSchedule {
    payload_type: u8,
    packets: Vec<DtmfPacket>,
    duration: Duration,
}

impl DtmfSchedule {
    /// The packets, sorted by [`DtmfPacket::at`].
    pub fn packets(&self) -> &[DtmfPacket] {
        &self.packets
    }

    /// The RTP payload type to send them with.
    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }

    /// Total time the schedule covers, including the gap after the last digit.
    /// Audio for the same stream should pause (or its timestamps skip) for this long.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Packets due in `(after, up_to]`, for a caller that polls on a timer.
    pub fn due(&self, after: Option<Duration>, up_to: Duration) -> impl Iterator<Item = &DtmfPacket> {
        self.packets.iter().filter(move |p| after.is_none_or(|a| p.at > a) && p.at <= up_to)
    }
}

impl IntoIterator for DtmfSchedule {
    type Item = DtmfPacket;
    type IntoIter = std::vec::IntoIter<DtmfPacket>;
    fn into_iter(self) -> Self::IntoIter {
        self.packets.into_iter()
    }
}

/// Builds RFC 4733 packet schedules for digit strings.
///
/// For each digit: one packet every 20 ms, all with the event's RTP timestamp,
/// the first with the marker bit, durations 160, 320, … up to the tone length;
/// then, at the tone's end, the end packet (E bit, final duration) three
/// times; then the inter-digit gap.
///
/// ```
/// use session_media::dtmf::DtmfSender;
/// let s = DtmfSender::default().schedule("5").unwrap();
/// let d: Vec<u16> = s.packets().iter().map(|p| p.event.duration).collect();
/// assert_eq!(d, [160, 320, 480, 640, 800, 800, 800, 800]);
/// assert!(s.packets()[0].marker);
/// assert_eq!(s.packets().iter().filter(|p| p.event.end).count(), 3);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DtmfSender {
    config: DtmfConfig,
}

impl DtmfSender {
    /// A sender with the given settings.
    pub fn new(config: DtmfConfig) -> Result<Self, DtmfError> {
        if config.payload_type > 127 {
            return Err(DtmfError::InvalidConfig("payload type must be 0-127"));
        }
        if config.volume > 63 {
            return Err(DtmfError::InvalidConfig("volume must be 0-63 (-dBm0)"));
        }
        let samples = duration_to_samples(config.tone);
        if samples == 0 || samples > u64::from(u16::MAX) {
            return Err(DtmfError::InvalidConfig(
                "tone must be between 1 ms and 8.19 s (16-bit duration field)",
            ));
        }
        Ok(Self { config })
    }

    /// The settings in use.
    pub fn config(&self) -> DtmfConfig {
        self.config
    }

    /// Lays out `digits` as packets. Fails on the first character that is not
    /// a DTMF digit, naming it; an empty string gives an empty schedule.
    pub fn schedule(&self, digits: &str) -> Result<DtmfSchedule, DtmfError> {
        let events =
            digits.chars().map(|d| digit_to_event(d).map(|e| (d, e))).collect::<Result<Vec<_>, _>>()?;
        let tone_samples = u16::try_from(duration_to_samples(self.config.tone))
            .map_err(|_| DtmfError::InvalidConfig("tone too long for the duration field"))?;
        let step = self.config.tone + self.config.gap;
        let mut packets = Vec::new();
        let mut start = Duration::ZERO;
        for (index, (digit, code)) in events.into_iter().enumerate() {
            let ts = duration_to_samples(start) as u32;
            let mut push = |at: Duration, duration: u16, end: bool, marker: bool| {
                let event = DtmfEvent { event: code, end, volume: self.config.volume, duration };
                packets.push(DtmfPacket {
                    at,
                    digit_index: index,
                    digit,
                    timestamp_offset: ts,
                    marker,
                    payload: Bytes::copy_from_slice(&event.to_bytes()),
                    event,
                });
            };
            let mut k: u32 = 0;
            loop {
                let covered = SAMPLES_PER_PACKET * (k + 1);
                let duration = covered.min(u32::from(tone_samples)) as u16;
                push(start + PACKET_INTERVAL * k, duration, false, k == 0);
                if covered >= u32::from(tone_samples) {
                    break;
                }
                k += 1;
            }
            for _ in 0..END_REPEATS {
                push(start + self.config.tone, tone_samples, true, false);
            }
            start += step;
        }
        Ok(DtmfSchedule { payload_type: self.config.payload_type, packets, duration: start })
    }
}

/// Whole 8 kHz samples in `d`.
fn duration_to_samples(d: Duration) -> u64 {
    (d.as_micros() * u128::from(SAMPLE_RATE) / 1_000_000).min(u128::from(u64::MAX)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_timing_and_timestamps() {
        let s = DtmfSender::default().schedule("12").unwrap();
        assert_eq!(s.packets().len(), 16);
        assert_eq!(s.duration(), Duration::from_millis(300));
        let second: Vec<_> = s.packets().iter().filter(|p| p.digit_index == 1).collect();
        assert!(second.iter().all(|p| p.timestamp_offset == 1200));
        assert_eq!(second[0].at, Duration::from_millis(150));
        assert!(second[0].marker && second[1..].iter().all(|p| !p.marker));
        let end = second.iter().filter(|p| p.event.end);
        assert!(end.clone().all(|p| p.at == Duration::from_millis(250)));
        assert!(s.packets().windows(2).all(|w| w[0].at <= w[1].at));
        assert_eq!(s.due(None, Duration::from_millis(20)).count(), 2);
        assert_eq!(s.due(Some(Duration::from_millis(20)), Duration::from_millis(100)).count(), 6);
    }

    #[test]
    fn odd_tone_length_clips_last_duration() {
        let cfg = DtmfConfig { tone: Duration::from_millis(50), ..DtmfConfig::default() };
        let s = DtmfSender::new(cfg).unwrap().schedule("9").unwrap();
        let d: Vec<u16> = s.packets().iter().map(|p| p.event.duration).collect();
        assert_eq!(d, [160, 320, 400, 400, 400, 400]);
    }

    #[test]
    fn rejects_bad_input() {
        let err = DtmfSender::default().schedule("12x3").unwrap_err();
        assert_eq!(err, DtmfError::InvalidDigit('x'));
        let cfg = DtmfConfig { volume: 64, ..DtmfConfig::default() };
        assert!(DtmfSender::new(cfg).is_err());
        let cfg = DtmfConfig { tone: Duration::from_secs(10), ..DtmfConfig::default() };
        assert!(DtmfSender::new(cfg).is_err());
        assert!(DtmfSender::default().schedule("").unwrap().packets().is_empty());
    }
}
