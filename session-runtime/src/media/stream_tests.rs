//! The sans-IO stream, tick by tick: pacing, markers, DTMF timing, directions, mute and
//! symmetric RTP. No socket and no clock.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rtp::packet::Packet;
use session_media::sdp::Negotiated;
use session_media::{AudioFrame, Codec, MediaDirection, RtpSender};
use webrtc_util::marshal::Unmarshal;

use super::source::AudioSource;
use super::stream::MediaStream;

const PEER: &str = "127.0.0.1:40000";

fn params(direction: MediaDirection, telephone_event_pt: Option<u8>) -> Negotiated {
    Negotiated {
        codec: Codec::Pcma,
        payload_type: 8,
        telephone_event_pt,
        remote_rtp: PEER.parse().expect("address"),
        direction,
        remote_hold: false,
        ptime: 20,
    }
}

fn running(direction: MediaDirection) -> MediaStream {
    let mut stream = MediaStream::new("test@127.0.0.1");
    stream.configure(params(direction, Some(101)));
    stream.start();
    stream
}

/// Runs `ticks` ticks; returns the packets sent, parsed.
fn tick(stream: &mut MediaStream, ticks: usize) -> Vec<Packet> {
    let mut out = Vec::new();
    for _ in 0..ticks {
        stream.on_tick(&mut out);
    }
    out.iter().map(|bytes| Packet::unmarshal(&mut bytes.clone()).expect("valid RTP")).collect()
}

#[test]
fn nothing_is_sent_before_the_answer() {
    let mut stream = MediaStream::new("test@127.0.0.1");
    stream.configure(params(MediaDirection::SendRecv, None));
    assert!(tick(&mut stream, 5).is_empty());
    assert!(!stream.is_running());
}

#[test]
fn one_packet_per_tick_with_the_marker_on_the_first_only() {
    let mut stream = running(MediaDirection::SendRecv);
    let packets = tick(&mut stream, 3);
    assert_eq!(packets.len(), 3);
    assert_eq!(packets.iter().map(|p| p.header.marker).collect::<Vec<_>>(), [true, false, false]);
    assert!(packets.iter().all(|p| p.header.payload_type == 8 && p.payload.len() == 160));
    let ts: Vec<u32> =
        packets.iter().map(|p| p.header.timestamp.wrapping_sub(packets[0].header.timestamp)).collect();
    assert_eq!(ts, [0, 160, 320]);
}

#[test]
fn a_digit_goes_out_as_telephone_events_then_audio_resumes_in_time() {
    let mut stream = running(MediaDirection::SendRecv);
    let first = tick(&mut stream, 1).remove(0);
    stream.send_dtmf("5").expect("telephone-event was negotiated");
    // 100 ms tone and 50 ms gap: 8 ticks, then audio again.
    let packets = tick(&mut stream, 9);
    let (events, audio): (Vec<_>, Vec<_>) = packets.iter().partition(|p| p.header.payload_type == 101);
    assert_eq!(events.len(), 8, "5 updates and the end packet three times");
    assert!(events[0].header.marker && events.iter().skip(1).all(|p| !p.header.marker));
    assert_eq!(events.iter().filter(|p| p.payload[1] & 0x80 != 0).count(), 3, "E bit on three");
    assert!(events.iter().all(|p| p.payload[0] == 5 && p.header.timestamp == first.header.timestamp + 160));
    assert_eq!(audio.len(), 1, "audio only after the digit and its gap");
    assert!(audio[0].header.marker, "a new talkspurt");
    assert_eq!(audio[0].header.timestamp, first.header.timestamp + 9 * 160, "timestamps kept time");
}

#[test]
fn dtmf_needs_a_negotiated_telephone_event() {
    let mut stream = MediaStream::new("test@127.0.0.1");
    stream.configure(params(MediaDirection::SendRecv, None));
    assert!(stream.send_dtmf("1").unwrap_err().contains("telephone-event"));
    let mut stream = running(MediaDirection::SendRecv);
    assert!(stream.send_dtmf("1x").is_err(), "x is not a digit");
}

#[test]
fn held_directions_stop_what_they_say() {
    let mut held = running(MediaDirection::RecvOnly);
    assert!(tick(&mut held, 5).is_empty(), "recvonly sends nothing");
    let mut holding = running(MediaDirection::SendOnly);
    holding.set_source(AudioSource::tone(440.0));
    let peer: SocketAddr = PEER.parse().expect("address");
    let mut tx = RtpSender::new();
    let tone = AudioFrame::from_samples(&[8000; 160]);
    for _ in 0..4 {
        holding.on_datagram(peer, &tx.packetize(&tone, Codec::Pcma, false), Instant::now());
    }
    let mut out = Vec::new();
    let audio = holding.on_tick(&mut out);
    assert_eq!(out.len(), 1, "sendonly sends");
    assert!(audio.received.is_silent(), "and plays out nothing it receives");
    assert!(!audio.sent.is_silent());
}

#[test]
fn muted_sends_silence_and_keeps_sending() {
    let mut stream = running(MediaDirection::SendRecv);
    stream.set_source(AudioSource::tone(440.0));
    stream.set_muted(true);
    let mut out: Vec<Bytes> = Vec::new();
    let audio = stream.on_tick(&mut out);
    assert_eq!(out.len(), 1);
    assert!(audio.sent.is_silent());
    stream.set_muted(false);
    assert!(!stream.on_tick(&mut out).sent.is_silent());
}

#[test]
fn rtp_from_a_new_address_moves_our_sending_there_but_garbage_does_not() {
    let mut stream = running(MediaDirection::SendRecv);
    let (nat, stranger): (SocketAddr, SocketAddr) =
        ("127.0.0.1:41000".parse().expect("address"), "127.0.0.1:42000".parse().expect("address"));
    stream.on_datagram(stranger, b"\x00junk that is not RTP", Instant::now());
    assert_eq!(stream.remote(), Some(PEER.parse().expect("address")));
    assert_eq!(stream.stats().malformed, 1);
    let packet = RtpSender::new().packetize(&AudioFrame::silence(), Codec::Pcma, true);
    stream.on_datagram(nat, &packet, Instant::now());
    assert_eq!(stream.remote(), Some(nat));
}

#[test]
fn application_frames_go_first_and_the_queue_is_bounded() {
    let mut stream = running(MediaDirection::SendRecv);
    let loud = AudioFrame::from_samples(&[1000; 160]);
    assert!((0..50).all(|_| stream.push_frame(loud.clone())));
    assert!(!stream.push_frame(loud.clone()), "a second ahead is the limit");
    let mut out = Vec::new();
    assert_eq!(stream.on_tick(&mut out).sent, loud);
}

proptest::proptest! {
    /// Whatever arrives on the RTP port, the stream neither panics nor stops pacing.
    #[test]
    fn any_datagram_is_taken_without_panic(datagrams in proptest::collection::vec(
        proptest::collection::vec(proptest::num::u8::ANY, 0..300), 1..20)
    ) {
        let mut stream = running(MediaDirection::SendRecv);
        let peer: SocketAddr = PEER.parse().expect("address");
        for datagram in &datagrams {
            // Half of them get a valid RTP version so they reach the deeper parsing.
            let mut bytes = datagram.clone();
            if bytes.len() > 12 && bytes[0] % 2 == 0 {
                bytes[0] = 0x80 | (bytes[0] & 0x3f);
            }
            stream.on_datagram(peer, &bytes, Instant::now());
            let mut out = Vec::new();
            stream.on_tick(&mut out);
            proptest::prop_assert_eq!(out.len(), 1);
        }
    }
}

#[test]
fn rtcp_reports_start_after_half_an_interval_then_come_every_few_seconds() {
    let mut stream = running(MediaDirection::SendRecv);
    let (now, wallclock) = (Instant::now(), std::time::SystemTime::now());
    let mut due_at = Vec::new();
    for tick in 1..=1000 {
        stream.on_tick(&mut Vec::new());
        if stream.poll_rtcp(|| (now, wallclock)).is_some() {
            due_at.push(tick);
        }
    }
    assert_eq!(due_at[0], 125, "the first report after 2.5 s");
    let gaps: Vec<u64> = due_at.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|gap| (125..=375).contains(gap)), "2.5 to 7.5 s apart: {gaps:?}");
    assert_eq!(stream.rtcp_stats().sent, due_at.len() as u64);
    assert_eq!(stream.rtcp_remote(), Some("127.0.0.1:40001".parse().expect("address")), "RTP port + 1");
}
