//! RFC 4733 DTMF end to end: every digit exactly once, in order.

use std::time::Instant;

use session_media::dtmf::{DtmfConfig, DtmfReceiver, DtmfSender};
use session_media::rtp_session::Received;
use session_media::{RtpReceiver, RtpSender};

const DIGITS: &str = "123#*0";

#[test]
fn digits_round_trip_once_each_despite_duplicates() {
    let schedule = DtmfSender::default().schedule(DIGITS).unwrap();
    let mut rx = DtmfReceiver::new();
    let mut got = String::new();
    let base = 0xFFFF_F000u32; // timestamps wrap during the string
    for p in schedule.packets() {
        // Every packet twice; the schedule already repeats the end packet 3×.
        for _ in 0..2 {
            if let Some(d) = rx.receive(base.wrapping_add(p.timestamp_offset), p.marker, &p.payload).unwrap()
            {
                got.push(d);
            }
        }
    }
    // A late retransmission of the whole first digit changes nothing.
    for p in schedule.packets().iter().filter(|p| p.digit_index == 0) {
        assert_eq!(rx.receive(base.wrapping_add(p.timestamp_offset), p.marker, &p.payload), Ok(None));
    }
    assert_eq!(got, DIGITS);
}

#[test]
fn digits_round_trip_over_rtp() {
    let cfg = DtmfConfig { payload_type: 96, ..DtmfConfig::default() };
    let schedule = DtmfSender::new(cfg).unwrap().schedule(DIGITS).unwrap();
    assert_eq!(schedule.payload_type(), 96);
    let mut tx = RtpSender::with_initial(77, 65530, 123);
    let mut rx = RtpReceiver::new();
    rx.set_telephone_event_pt(Some(96));
    let start_ts = tx.next_timestamp();
    let t0 = Instant::now();
    let mut got = String::new();
    for p in schedule.packets() {
        let dgram = tx.packetize_dtmf(p, schedule.payload_type(), start_ts);
        for _ in 0..3 {
            if let Received::Digit(d) = rx.receive(&dgram, t0 + p.at) {
                got.push(d);
            }
        }
    }
    assert_eq!(got, DIGITS);
    // Audio resumes after the digits with a timestamp past them.
    tx.skip((schedule.duration().as_millis() * 8) as u32);
    assert_eq!(tx.next_timestamp(), 123 + 6 * 1200);
    assert_eq!(rx.stats().malformed, 0);
}

#[test]
fn end_packets_share_the_final_duration_and_timestamp() {
    let schedule = DtmfSender::default().schedule("#").unwrap();
    let p = schedule.packets();
    assert_eq!(p.len(), 8);
    assert!(p.iter().all(|x| x.timestamp_offset == 0 && x.event.volume == 10));
    assert_eq!(p.iter().filter(|x| x.marker).count(), 1);
    let ends: Vec<_> = p.iter().filter(|x| x.event.end).collect();
    assert_eq!(ends.len(), 3);
    assert!(ends.iter().all(|x| x.event.duration == 800 && x.payload[..] == [11, 0x8A, 0x03, 0x20]));
}
