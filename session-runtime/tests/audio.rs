//! Audio between two SimplePeers over loopback: tones both ways in each codec, RFC 4733
//! DTMF, hold and resume by the packet counters, mute, and a bad RTP packet.

mod common;

use std::time::Duration;

use session_runtime::api::PeerBuilder;
use session_runtime::{Call, CallEvent, Codec, DtmfMode, MediaDirection, MediaInfo, SimplePeer, State};
use tokio::time::{sleep, timeout};

const LIMIT: Duration = Duration::from_secs(10);

async fn peer(codecs: &[Codec]) -> SimplePeer {
    let builder: PeerBuilder = SimplePeer::builder("127.0.0.1:0").expect("address");
    builder.codecs(codecs).start().await.expect("binds")
}

/// Alice calls Bob, who answers; both calls once active.
async fn connected(codecs: &[Codec]) -> (Call, Call, SimplePeer, SimplePeer) {
    connect(peer(codecs).await, peer(codecs).await).await
}

/// `alice` calls `bob`, who answers; both calls once active.
async fn connect(alice: SimplePeer, bob: SimplePeer) -> (Call, Call, SimplePeer, SimplePeer) {
    let target = format!("sip:bob@{}", bob.local_addr());
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call arrives");
        call.accept().await.expect("accept");
        (call, bob)
    });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    let (bobs, bob) = answering.await.expect("bob's task");
    assert_eq!(timeout(LIMIT, bobs.wait_for(State::Active)).await.expect("in time"), State::Active);
    (call, bobs, alice, bob)
}

async fn info(call: &Call) -> MediaInfo {
    call.media_info().await.expect("media is running")
}

async fn each_hears_the_others_tone(codec: Codec) {
    let (alice, bob, _a, _b) = connected(&[codec]).await;
    assert_eq!(info(&alice).await.codec, Some(codec));
    assert_eq!(info(&bob).await.codec, Some(codec));
    common::tones::each_hears_the_other(&alice, &bob, &format!("{codec:?}")).await;
}

#[tokio::test]
async fn tones_cross_in_pcmu() {
    each_hears_the_others_tone(Codec::Pcmu).await;
}

#[tokio::test]
async fn tones_cross_in_pcma() {
    each_hears_the_others_tone(Codec::Pcma).await;
}

#[tokio::test]
async fn dtmf_digits_arrive_once_each_in_order() {
    let (alice, bob, _a, _b) = connected(&Codec::ALL).await;
    let mut events = bob.events().expect("bob's events");
    assert_eq!(info(&alice).await.telephone_event, Some(101), "RFC 4733 was agreed");
    alice.send_dtmf("123#*0").await.expect("send");
    let mut digits = String::new();
    let collect = async {
        while let Some(event) = events.recv().await {
            if let CallEvent::Dtmf(digit) = event {
                digits.push(digit);
            }
        }
    };
    // Six digits take 6 × 150 ms; anything after two seconds would be a repeat.
    let _ = timeout(Duration::from_secs(2), collect).await;
    assert_eq!(digits, "123#*0");
    alice.hangup().await.expect("hangup");
    let mut last = None;
    timeout(LIMIT, async {
        while let Some(event) = events.recv().await {
            last = Some(event);
        }
    })
    .await
    .expect("the event stream ends with the call");
    assert!(matches!(last, Some(CallEvent::Ended(_))), "the last event is the end: {last:?}");
}

#[tokio::test]
async fn hold_stops_the_held_direction_and_resume_restarts_it() {
    let (alice, bob, _a, _b) = connected(&Codec::ALL).await;
    sleep(Duration::from_millis(300)).await;
    alice.hold().await.expect("hold");
    assert_eq!(timeout(LIMIT, alice.wait_for(State::OnHold)).await.expect("in time"), State::OnHold);
    assert_eq!(info(&alice).await.direction, Some(MediaDirection::SendOnly));
    assert_eq!(info(&bob).await.direction, Some(MediaDirection::RecvOnly));
    sleep(Duration::from_millis(100)).await; // packets already on the way land
    let (a1, b1) = (info(&alice).await.stats, info(&bob).await.stats);
    sleep(Duration::from_millis(400)).await;
    let (a2, b2) = (info(&alice).await.stats, info(&bob).await.stats);
    assert_eq!(b2.sent, b1.sent, "Bob stops sending while held");
    assert_eq!(a2.received, a1.received, "so Alice receives nothing");
    assert!(a2.sent >= a1.sent + 15, "Alice (sendonly) keeps sending: {} then {}", a1.sent, a2.sent);
    assert!(b2.received >= b1.received + 15, "and Bob receives it");

    alice.resume().await.expect("resume");
    assert_eq!(timeout(LIMIT, alice.wait_for(State::Active)).await.expect("in time"), State::Active);
    assert_eq!(info(&bob).await.direction, Some(MediaDirection::SendRecv));
    sleep(Duration::from_millis(400)).await;
    let (a3, b3) = (info(&alice).await.stats, info(&bob).await.stats);
    assert!(b3.sent >= b2.sent + 15, "Bob sends again after resume");
    assert!(a3.received >= a2.received + 15, "and Alice receives again");
    alice.hangup().await.expect("hangup");
}

#[tokio::test]
async fn a_muted_peer_sends_silence_and_the_call_stays_up() {
    let (alice, bob, _a, _b) = connected(&Codec::ALL).await;
    bob.play_tone(1000.0).expect("tone");
    let mut heard = alice.audio().expect("alice listens");
    let loud = |frame: &session_runtime::AudioFrame| frame.peak() > 1000;
    let mut got_tone = false;
    for _ in 0..50 {
        got_tone |= loud(&heard.recv().await.expect("a frame"));
    }
    assert!(got_tone, "Alice hears the tone before the mute");
    bob.mute().expect("mute");
    sleep(Duration::from_millis(200)).await;
    let sent_before = info(&bob).await.stats.sent;
    let mut heard = alice.audio().expect("a fresh listener");
    for _ in 0..25 {
        assert!(!loud(&heard.recv().await.expect("a frame")), "silence while muted");
    }
    assert!(info(&bob).await.stats.sent > sent_before, "packets keep flowing");
    assert_eq!(bob.state(), State::Active);
    alice.hangup().await.expect("hangup");
}

#[tokio::test]
async fn a_bad_rtp_packet_is_counted_and_dropped() {
    let (alice, bob, _a, _b) = connected(&Codec::ALL).await;
    let target = info(&bob).await.local;
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    socket.send_to(b"\x00\x01 not RTP at all", target).await.expect("send");
    sleep(Duration::from_millis(100)).await;
    let stats = info(&bob).await.stats;
    assert_eq!(stats.malformed, 1);
    let received = stats.received;
    sleep(Duration::from_millis(200)).await;
    assert!(info(&bob).await.stats.received > received, "Alice's audio still arrives");
    assert_eq!(info(&alice).await.remote, Some(target), "and Alice still sends to Bob");
    alice.hangup().await.expect("hangup");
}

#[tokio::test]
async fn rtp_takes_an_even_port_from_the_configured_range() {
    let start = 20_000 + 2 * (std::process::id() % 10_000) as u16;
    let builder = SimplePeer::builder("127.0.0.1:0").expect("address").rtp_ports(start..=start + 199);
    let (call, _bobs, _a, _b) = connect(builder.start().await.expect("binds"), peer(&Codec::ALL).await).await;
    let port = info(&call).await.local.port();
    assert!((start..=start + 199).contains(&port) && port % 2 == 0, "port {port}");
    assert!(std::net::UdpSocket::bind(("127.0.0.1", port + 1)).is_err(), "RTCP holds the port above");
    call.hangup().await.expect("hangup");
}

#[tokio::test]
async fn rtcp_reports_cross_and_carry_the_loss() {
    let (alice, bob, _a, _b) = connected(&Codec::ALL).await;
    // The first report goes out 2.5 s into the call; allow for a busy machine.
    for call in [&alice, &bob] {
        let mut rtcp = info(call).await.rtcp;
        for _ in 0..40 {
            if rtcp.received >= 1 {
                break;
            }
            sleep(Duration::from_millis(100)).await;
            rtcp = info(call).await.rtcp;
        }
        assert!(rtcp.sent >= 1 && rtcp.received >= 1, "{rtcp:?}");
        assert_eq!(rtcp.malformed, 0);
        assert_eq!(rtcp.peer_fraction_lost, Some(0), "nothing is lost on loopback");
    }
    alice.hangup().await.expect("hangup");
}

#[tokio::test]
async fn dtmf_goes_by_sip_info_in_info_mode() {
    let builder = SimplePeer::builder("127.0.0.1:0").expect("address").dtmf(DtmfMode::Info);
    let (call, bobs, _a, _b) = connect(builder.start().await.expect("binds"), peer(&Codec::ALL).await).await;
    let mut events = bobs.events().expect("bob's events, from the start of the call");
    assert_eq!(info(&call).await.telephone_event, None, "so digits can only go by INFO");
    call.send_dtmf("19#").await.expect("send");
    let mut digits = String::new();
    while digits.len() < 3 {
        match timeout(LIMIT, events.recv()).await.expect("digits in time") {
            Some(CallEvent::Dtmf(digit)) => digits.push(digit),
            Some(_) => {}
            None => panic!("the call ended"),
        }
    }
    assert_eq!(digits, "19#");
    call.hangup().await.expect("hangup");
    timeout(LIMIT, bobs.ended()).await.expect("ends");
}
