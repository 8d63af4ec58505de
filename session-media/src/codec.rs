//! The audio codecs this crate speaks: G.711 µ-law (PCMU) and A-law (PCMA).

use bytes::Bytes;

use crate::frame::{AudioFrame, SAMPLE_RATE, SAMPLES_PER_FRAME};
use crate::g711;

/// A G.711 codec with its RFC 3551 static payload type.
///
/// ```
/// use session_media::{AudioFrame, Codec};
/// let frame = AudioFrame::from_samples(&[1000; 160]);
/// let payload = Codec::Pcmu.encode(&frame);
/// assert_eq!(payload.len(), 160);
/// let back = Codec::Pcmu.decode(&payload);
/// assert!((back.samples()[0] - 1000).abs() < 64);
/// assert_eq!(Codec::from_payload_type(8), Some(Codec::Pcma));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 µ-law, payload type 0, `PCMU/8000`.
    Pcmu,
    /// G.711 A-law, payload type 8, `PCMA/8000`.
    Pcma,
}

impl Codec {
    /// Every supported codec, in our order of preference.
    pub const ALL: [Codec; 2] = [Codec::Pcmu, Codec::Pcma];

    /// The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA.
    pub const fn payload_type(self) -> u8 {
        match self {
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// The encoding name used in `a=rtpmap` (`PCMU` or `PCMA`).
    pub const fn rtpmap_name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// RTP clock rate in Hz (8000 for both).
    pub const fn clock_rate(self) -> u32 {
        SAMPLE_RATE
    }

    /// The codec for a static payload type, if it is one of ours.
    pub const fn from_payload_type(pt: u8) -> Option<Codec> {
        match pt {
            0 => Some(Codec::Pcmu),
            8 => Some(Codec::Pcma),
            _ => None,
        }
    }

    /// The codec for an `a=rtpmap` encoding name and clock rate
    /// (the name is case-insensitive, as RFC 4855 says).
    pub fn from_rtpmap(name: &str, clock_rate: u32) -> Option<Codec> {
        if clock_rate != SAMPLE_RATE {
            return None;
        }
        Codec::ALL.into_iter().find(|c| c.rtpmap_name().eq_ignore_ascii_case(name))
    }

    /// Encodes one sample.
    pub const fn encode_sample(self, sample: i16) -> u8 {
        match self {
            Codec::Pcmu => g711::ulaw_encode(sample),
            Codec::Pcma => g711::alaw_encode(sample),
        }
    }

    /// Decodes one code.
    pub const fn decode_sample(self, code: u8) -> i16 {
        match self {
            Codec::Pcmu => g711::ulaw_decode(code),
            Codec::Pcma => g711::alaw_decode(code),
        }
    }

    /// Encodes one 20 ms frame into a 160-byte RTP payload.
    pub fn encode(self, frame: &AudioFrame) -> Bytes {
        let mut out = Vec::with_capacity(SAMPLES_PER_FRAME);
        out.extend(frame.samples().iter().map(|&s| self.encode_sample(s)));
        Bytes::from(out)
    }

    /// Decodes an RTP payload into one frame. A payload of other than 160
    /// bytes (a ptime other than 20 ms) is padded with silence or truncated.
    pub fn decode(self, payload: &[u8]) -> AudioFrame {
        let mut frame = AudioFrame::silence();
        for (dst, &code) in frame.samples_mut().iter_mut().zip(payload) {
            *dst = self.decode_sample(code);
        }
        frame
    }
}

impl std::fmt::Display for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.rtpmap_name(), self.clock_rate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata() {
        assert_eq!(Codec::Pcmu.payload_type(), 0);
        assert_eq!(Codec::Pcma.payload_type(), 8);
        assert_eq!(Codec::Pcma.to_string(), "PCMA/8000");
        assert_eq!(Codec::from_rtpmap("pcmu", 8000), Some(Codec::Pcmu));
        assert_eq!(Codec::from_rtpmap("PCMU", 16000), None);
        assert_eq!(Codec::from_payload_type(3), None);
    }

    #[test]
    fn silence_encodes_to_idle_codes() {
        let s = AudioFrame::silence();
        assert!(Codec::Pcmu.encode(&s).iter().all(|&b| b == 0xFF));
        assert!(Codec::Pcma.encode(&s).iter().all(|&b| b == 0xD5));
        assert!(Codec::Pcmu.decode(&[]).is_silent());
    }
}
