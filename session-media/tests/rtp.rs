//! RTP sender → receiver through real datagrams, and hostile input.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use session_media::jitter::{Playout, PushOutcome};
use session_media::rtp_session::{Received, RtpError};
use session_media::tone::ToneGenerator;
use session_media::{AudioFrame, Codec, RtpReceiver, RtpSender};

fn header_fields(d: &[u8]) -> (u8, bool, u8, u16, u32, u32) {
    (
        d[0] >> 6,
        d[1] & 0x80 != 0,
        d[1] & 0x7F,
        u16::from_be_bytes([d[2], d[3]]),
        u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
        u32::from_be_bytes([d[8], d[9], d[10], d[11]]),
    )
}

#[test]
fn sender_header_fields_and_timestamp_cadence() {
    let mut tx = RtpSender::with_initial(0xDEADBEEF, 65535, u32::MAX - 100);
    let a = tx.packetize(&AudioFrame::silence(), Codec::Pcma, true);
    let b = tx.packetize(&AudioFrame::silence(), Codec::Pcma, false);
    assert_eq!(header_fields(&a), (2, true, 8, 65535, u32::MAX - 100, 0xDEADBEEF));
    assert_eq!(header_fields(&b), (2, false, 8, 0, 59, 0xDEADBEEF));
    assert_eq!(a.len(), 172);
    assert_eq!(tx.stats().sent, 2);
    tx.skip(160);
    assert_eq!(tx.next_timestamp(), 59 + 320);
}

#[test]
fn random_initial_values_differ() {
    let (a, b) = (RtpSender::new(), RtpSender::new());
    assert!(
        a.ssrc() != b.ssrc() || a.next_sequence() != b.next_sequence(),
        "two random senders collided on SSRC and sequence"
    );
}

#[test]
fn frames_survive_the_round_trip_across_sequence_wrap() {
    let mut tx = RtpSender::with_initial(1, 65530, 0);
    let mut rx = RtpReceiver::with_depth(2);
    let t0 = Instant::now();
    let frames: Vec<AudioFrame> = ToneGenerator::new(700.0, 12_000).take(12).collect();
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let dgram = tx.packetize(f, Codec::Pcmu, i == 0);
        let now = t0 + Duration::from_millis(20 * i as u64);
        assert_eq!(rx.receive(&dgram, now), Received::Audio(PushOutcome::Queued));
        out.push(rx.pop_frame());
    }
    for _ in 0..3 {
        out.push(rx.pop_frame());
    }
    let played: Vec<AudioFrame> = out.into_iter().filter_map(Playout::into_item).collect();
    let expected: Vec<AudioFrame> =
        frames.iter().map(|f| Codec::Pcmu.decode(&Codec::Pcmu.encode(f))).collect();
    assert_eq!(played, expected);
    let s = rx.stats();
    assert_eq!((s.received, s.lost, s.late, s.duplicate, s.malformed), (12, 0, 0, 0, 0));
    assert_eq!(rx.remote_ssrc(), Some(1));
    assert!(rx.jitter() < Duration::from_millis(1), "even pacing: {:?}", rx.jitter());
    assert_eq!(rx.idle_for(t0 + Duration::from_secs(1)), Some(Duration::from_millis(780)));
}

#[test]
fn reordering_duplicates_and_loss_are_counted() {
    let mut tx = RtpSender::with_initial(9, 100, 0);
    let d: Vec<_> = (0..6).map(|_| tx.packetize(&AudioFrame::silence(), Codec::Pcmu, false)).collect();
    let now = Instant::now();
    let mut rx = RtpReceiver::with_depth(3);
    for i in [1usize, 0, 0, 3, 2, 5] {
        rx.receive(&d[i], now);
    }
    let seqs: Vec<Playout<()>> = (0..8)
        .map(|_| match rx.pop_frame() {
            Playout::Frame { seq, .. } => Playout::Frame { seq, item: () },
            Playout::Lost { seq } => Playout::Lost { seq },
            Playout::Buffering => Playout::Buffering,
        })
        .collect();
    let frame = |seq| Playout::Frame { seq, item: () };
    assert_eq!(
        &seqs[..6],
        &[frame(100), frame(101), frame(102), frame(103), Playout::Lost { seq: 104 }, frame(105)]
    );
    assert_eq!(rx.receive(&d[4], now), Received::Audio(PushOutcome::Late));
    assert_eq!(rx.receive(&d[5], now), Received::Audio(PushOutcome::Duplicate));
    let s = rx.stats();
    assert_eq!((s.received, s.lost, s.late, s.duplicate), (8, 1, 1, 2));
}

#[test]
fn malformed_datagrams_are_counted_and_dropped() {
    let mut rx = RtpReceiver::new();
    let now = Instant::now();
    assert_eq!(rx.receive(&[], now), Received::Malformed(RtpError::TooShort(0)));
    let mut rtcp_like = vec![0x81, 200, 0, 6];
    rtcp_like.extend([0; 24]);
    assert!(matches!(rx.receive(&rtcp_like, now), Received::Audio(_) | Received::Ignored { .. }));
    let mut v1 = vec![0x40; 12];
    v1[1] = 0;
    assert_eq!(rx.receive(&v1, now), Received::Malformed(RtpError::BadVersion(1)));
    // Extension element claiming more bytes than exist (would panic in rtp 0.17).
    let mut ext = vec![0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x2F, 0, 0, 0];
    assert!(matches!(rx.receive(&ext, now), Received::Malformed(RtpError::Truncated(_))));
    ext.truncate(14);
    assert!(matches!(rx.receive(&ext, now), Received::Malformed(_)));
    assert_eq!(rx.stats().malformed, 4);
    assert_eq!(rx.last_received(), Some(now), "the RTCP-shaped packet parsed as RTP");
}

#[test]
fn unknown_payload_type_is_ignored_and_dtmf_is_reported() {
    let mut tx = RtpSender::with_initial(5, 0, 0);
    let mut rx = RtpReceiver::new();
    let now = Instant::now();
    let cn = tx.packetize_payload(bytes::Bytes::from_static(&[40]), 13, false, 0);
    assert_eq!(rx.receive(&cn, now), Received::Ignored { payload_type: 13 });
    let schedule = session_media::dtmf::DtmfSender::default().schedule("9").unwrap();
    let start = tx.next_timestamp();
    let mut got = Vec::new();
    for p in schedule.packets() {
        got.push(rx.receive(&tx.packetize_dtmf(p, 101, start), now));
    }
    assert_eq!(got[0], Received::Digit('9'));
    assert!(got[1..].iter().all(|r| *r == Received::DtmfRepeat));
    rx.set_telephone_event_pt(None);
    let p = &schedule.packets()[0];
    assert_eq!(rx.receive(&tx.packetize_dtmf(p, 101, start), now), Received::Ignored { payload_type: 101 });
    assert_eq!(rx.stats().ignored, 2);
}

#[test]
fn new_ssrc_restarts_the_stream() {
    let now = Instant::now();
    let mut rx = RtpReceiver::with_depth(1);
    let mut a = RtpSender::with_initial(1, 1000, 0);
    let mut b = RtpSender::with_initial(2, 50_000, 0);
    rx.receive(&a.packetize(&AudioFrame::silence(), Codec::Pcmu, true), now);
    assert!(matches!(rx.pop_frame(), Playout::Frame { seq: 1000, .. }));
    rx.receive(&b.packetize(&AudioFrame::silence(), Codec::Pcmu, true), now);
    assert_eq!(rx.remote_ssrc(), Some(2));
    assert!(matches!(rx.pop_frame(), Playout::Frame { seq: 50_000, .. }));
    assert_eq!(rx.stats().lost, 0);
}

proptest! {
    #[test]
    fn random_datagrams_never_panic(data in prop::collection::vec(any::<u8>(), 0..120)) {
        let mut rx = RtpReceiver::new();
        let _ = rx.receive(&data, Instant::now());
        let _ = rx.pop_frame();
        let s = rx.stats();
        prop_assert_eq!(s.received + s.malformed, 1);
    }

    #[test]
    fn random_extensions_never_panic(
        b0 in 0x80u8..=0xBF,
        profile in prop_oneof![Just(0xBEDEu16), Just(0x1000u16), any::<u16>()],
        words in 0u16..4,
        body in prop::collection::vec(any::<u8>(), 0..24),
    ) {
        let mut d = vec![b0 | 0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
        d.extend(vec![0u8; 4 * usize::from(b0 & 0x0F)]);
        d.extend(profile.to_be_bytes());
        d.extend(words.to_be_bytes());
        d.extend(body);
        let mut rx = RtpReceiver::new();
        let _ = rx.receive(&d, Instant::now());
    }
}

#[test]
fn dtmf_between_audio_is_not_counted_as_audio_loss() {
    let mut tx = RtpSender::with_initial(3, 10, 0);
    let mut rx = RtpReceiver::with_depth(1);
    let now = Instant::now();
    let schedule = session_media::dtmf::DtmfSender::default().schedule("5").unwrap();
    let mut digits = Vec::new();
    let mut outs = Vec::new();
    for round in 0..3 {
        let dg = tx.packetize(&AudioFrame::silence(), Codec::Pcmu, round == 0);
        rx.receive(&dg, now);
        outs.push(rx.pop_frame());
        if round == 1 {
            let start = tx.next_timestamp();
            for p in schedule.packets() {
                if let Received::Digit(d) = rx.receive(&tx.packetize_dtmf(p, 101, start), now) {
                    digits.push(d);
                }
                outs.push(rx.pop_frame());
            }
            tx.skip((schedule.duration().as_millis() * 8) as u32);
        }
    }
    outs.extend((0..3).map(|_| rx.pop_frame()));
    assert_eq!(digits, vec!['5']);
    assert_eq!(outs.iter().filter(|p| matches!(p, Playout::Frame { .. })).count(), 3);
    assert!(!outs.iter().any(Playout::is_lost));
    assert_eq!(rx.stats().lost, 0);
}
