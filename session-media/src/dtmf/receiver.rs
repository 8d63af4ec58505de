//! Turning received telephone-event payloads into digits, each exactly once.

use std::collections::VecDeque;

use super::{DtmfError, DtmfEvent};

/// How many recent event timestamps are remembered for de-duplication.
const RECENT_EVENTS: usize = 16;
/// Largest timestamp step that can still be a long-event continuation
/// (RFC 4733 section 2.5.1.3: a new segment starts after 65535 samples).
const MAX_CONTINUATION_STEP: u32 = 70_000;

/// Receives RFC 4733 telephone-events and reports each digit once.
///
/// A digit is emitted on the **first packet seen** of an event, i.e. the first
/// packet carrying a new RTP timestamp, so the application learns of it with
/// the least delay. Every later packet with the same timestamp (updates, the
/// three end packets, retransmissions, duplicates) is absorbed; the last 16
/// event timestamps are remembered, so a straggler from an earlier digit that
/// arrives late is absorbed too.
///
/// A new timestamp without the marker bit, for the same event as a previous
/// one that has not ended, is taken as the continuation of a long event
/// (longer than 8.19 s) and not reported again. The cost: if a sender sends
/// the same digit twice and every end packet of the first *and* the marked
/// first packet of the second are lost, the second is missed.
///
/// ```
/// use session_media::dtmf::{DtmfEvent, DtmfReceiver};
/// let mut rx = DtmfReceiver::new();
/// let first = DtmfEvent { event: 5, end: false, volume: 10, duration: 160 }.to_bytes();
/// let end = DtmfEvent { event: 5, end: true, volume: 10, duration: 800 }.to_bytes();
/// assert_eq!(rx.receive(8000, true, &first), Ok(Some('5')));
/// assert_eq!(rx.receive(8000, false, &end), Ok(None));
/// assert_eq!(rx.receive(8000, false, &end), Ok(None));
/// ```
#[derive(Debug, Clone, Default)]
pub struct DtmfReceiver {
    recent: VecDeque<u32>,
    last: Option<LastEvent>,
}

#[derive(Debug, Clone, Copy)]
struct LastEvent {
    timestamp: u32,
    event: u8,
    ended: bool,
}

impl DtmfReceiver {
    /// A receiver that has seen no event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one telephone-event packet: its RTP timestamp, marker bit and
    /// payload. Returns the digit when this packet starts a new event.
    ///
    /// Errors (short payload, non-DTMF event such as flash) leave the state
    /// unchanged; the caller can count and ignore them.
    pub fn receive(
        &mut self,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<Option<char>, DtmfError> {
        let ev = DtmfEvent::parse(payload)?;
        let digit = ev.digit().ok_or(DtmfError::UnsupportedEvent(ev.event))?;
        if self.recent.contains(&timestamp) {
            if let Some(last) = self.last.as_mut()
                && last.timestamp == timestamp
            {
                last.ended |= ev.end;
            }
            return Ok(None);
        }
        let continuation = self.last.is_some_and(|last| {
            let step = timestamp.wrapping_sub(last.timestamp);
            !marker && !last.ended && last.event == ev.event && (1..=MAX_CONTINUATION_STEP).contains(&step)
        });
        self.remember(timestamp);
        self.last = Some(LastEvent { timestamp, event: ev.event, ended: ev.end });
        Ok((!continuation).then_some(digit))
    }

    fn remember(&mut self, timestamp: u32) {
        if self.recent.len() == RECENT_EVENTS {
            self.recent.pop_front();
        }
        self.recent.push_back(timestamp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(event: u8, end: bool, duration: u16) -> [u8; 4] {
        DtmfEvent { event, end, volume: 10, duration }.to_bytes()
    }

    #[test]
    fn emits_on_end_packet_when_start_was_lost() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.receive(500, false, &payload(3, true, 800)), Ok(Some('3')));
        assert_eq!(rx.receive(500, false, &payload(3, true, 800)), Ok(None));
    }

    #[test]
    fn late_straggler_from_previous_digit_is_absorbed() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.receive(0, true, &payload(1, false, 160)), Ok(Some('1')));
        assert_eq!(rx.receive(1200, true, &payload(2, false, 160)), Ok(Some('2')));
        assert_eq!(rx.receive(0, false, &payload(1, true, 800)), Ok(None));
    }

    #[test]
    fn same_digit_twice_is_reported_twice() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.receive(0, true, &payload(7, false, 160)), Ok(Some('7')));
        assert_eq!(rx.receive(0, false, &payload(7, true, 800)), Ok(None));
        assert_eq!(rx.receive(1200, true, &payload(7, false, 160)), Ok(Some('7')));
    }

    #[test]
    fn long_event_continuation_is_not_a_new_digit() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.receive(0, true, &payload(4, false, 65535)), Ok(Some('4')));
        assert_eq!(rx.receive(65535, false, &payload(4, false, 160)), Ok(None));
    }

    #[test]
    fn errors_do_not_panic() {
        let mut rx = DtmfReceiver::new();
        assert_eq!(rx.receive(0, true, &[]), Err(DtmfError::ShortPayload(0)));
        assert_eq!(rx.receive(0, true, &payload(16, false, 160)), Err(DtmfError::UnsupportedEvent(16)));
        assert_eq!(rx.receive(0, true, &payload(0, false, 160)), Ok(Some('0')));
    }
}
