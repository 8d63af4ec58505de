//! RFC 4733 telephone-events (DTMF over RTP) and SIP INFO DTMF bodies.
//!
//! - [`DtmfEvent`]: the 4-byte telephone-event payload.
//! - [`DtmfSender`]: turns a digit string into a timed packet schedule.
//! - [`DtmfReceiver`]: turns received payloads into digits, each exactly once.
//! - [`parse_dtmf_relay`] / [`parse_dtmf_info`]: SIP INFO bodies.
//!
//! ```
//! use session_media::dtmf::{DtmfReceiver, DtmfSender};
//! let schedule = DtmfSender::default().schedule("1#").unwrap();
//! let mut rx = DtmfReceiver::new();
//! let mut digits = String::new();
//! for p in schedule.packets() {
//!     if let Ok(Some(d)) = rx.receive(1000 + p.timestamp_offset, p.marker, &p.payload) {
//!         digits.push(d);
//!     }
//! }
//! assert_eq!(digits, "1#");
//! ```

// Handles network input: no indexing that could panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod info;
mod receiver;
mod sender;

pub use info::{dtmf_relay_body, parse_dtmf_info, parse_dtmf_relay};
pub use receiver::DtmfReceiver;
pub use sender::{DtmfConfig, DtmfPacket, DtmfSchedule, DtmfSender};

/// Default payload type for `telephone-event/8000`.
pub const DEFAULT_PAYLOAD_TYPE: u8 = 101;
/// Default volume field: 10, meaning -10 dBm0.
pub const DEFAULT_VOLUME: u8 = 10;

/// Errors from DTMF encoding and parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    /// A character that is not a DTMF digit.
    #[error("'{0}' is not a DTMF digit: use 0-9, *, #, A, B, C or D")]
    InvalidDigit(char),
    /// A telephone-event payload shorter than 4 bytes.
    #[error("telephone-event payload is {0} bytes; RFC 4733 needs at least 4")]
    ShortPayload(usize),
    /// An event code that is not a DTMF digit (16 is flash; others are tones).
    #[error("telephone-event code {0} is not a DTMF digit (0-15)")]
    UnsupportedEvent(u8),
    /// A configuration value that cannot be sent.
    #[error("invalid DTMF configuration: {0}")]
    InvalidConfig(&'static str),
}

/// The RFC 4733 event code of a DTMF digit (`0`-`9`, `*`=10, `#`=11, `A`-`D`=12-15).
/// Lower-case `a`-`d` are accepted.
///
/// ```
/// use session_media::dtmf::{digit_to_event, event_to_digit};
/// assert_eq!(digit_to_event('#'), Ok(11));
/// assert_eq!(event_to_digit(14), Some('C'));
/// assert!(digit_to_event('x').is_err());
/// ```
pub fn digit_to_event(digit: char) -> Result<u8, DtmfError> {
    match digit {
        '0'..='9' => Ok(digit as u8 - b'0'),
        '*' => Ok(10),
        '#' => Ok(11),
        'A'..='D' => Ok(digit as u8 - b'A' + 12),
        'a'..='d' => Ok(digit as u8 - b'a' + 12),
        other => Err(DtmfError::InvalidDigit(other)),
    }
}

/// The DTMF digit of an RFC 4733 event code, if it is one (0-15).
pub fn event_to_digit(event: u8) -> Option<char> {
    match event {
        0..=9 => Some(char::from(b'0' + event)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + event - 12)),
        _ => None,
    }
}

/// One RFC 4733 telephone-event payload (section 2.3):
/// event (8 bits), E (end) bit, R bit, volume (6 bits), duration (16 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfEvent {
    /// Event code (0-15 for DTMF).
    pub event: u8,
    /// The E bit: this packet ends the event.
    pub end: bool,
    /// Volume in -dBm0 (0-63).
    pub volume: u8,
    /// Duration so far, in RTP timestamp units (8 kHz samples).
    pub duration: u16,
}

impl DtmfEvent {
    /// Serialises to the 4-byte wire format (the volume is masked to 6 bits).
    pub fn to_bytes(&self) -> [u8; 4] {
        let flags = if self.end { 0x80 } else { 0 } | (self.volume & 0x3F);
        let [hi, lo] = self.duration.to_be_bytes();
        [self.event, flags, hi, lo]
    }

    /// Parses the first 4 bytes of a telephone-event payload.
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        match payload {
            [event, flags, hi, lo, ..] => Ok(Self {
                event: *event,
                end: flags & 0x80 != 0,
                volume: flags & 0x3F,
                duration: u16::from_be_bytes([*hi, *lo]),
            }),
            _ => Err(DtmfError::ShortPayload(payload.len())),
        }
    }

    /// The digit this event carries, if it is a DTMF digit.
    pub fn digit(&self) -> Option<char> {
        event_to_digit(self.event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_mapping_round_trips() {
        for d in "0123456789*#ABCD".chars() {
            let e = digit_to_event(d).unwrap();
            assert_eq!(event_to_digit(e), Some(d));
        }
        assert_eq!(digit_to_event('b'), Ok(13));
        assert_eq!(event_to_digit(16), None);
        assert_eq!(
            digit_to_event('E').unwrap_err().to_string(),
            "'E' is not a DTMF digit: use 0-9, *, #, A, B, C or D"
        );
    }

    #[test]
    fn event_wire_format() {
        let e = DtmfEvent { event: 11, end: true, volume: 10, duration: 800 };
        assert_eq!(e.to_bytes(), [11, 0x8A, 0x03, 0x20]);
        assert_eq!(DtmfEvent::parse(&e.to_bytes()), Ok(e));
        assert_eq!(DtmfEvent::parse(&[1, 2]), Err(DtmfError::ShortPayload(2)));
    }
}
