//! Malformed and unexpected requests over a real socket: each gets the status RFC 3261
//! asks for (or is dropped when it cannot be answered), and the peer keeps serving calls
//! with no session left behind.

mod raw;

use std::time::Duration;

use proptest::prelude::*;
use raw::{DIALOG, exchange, final_answer, request, setup};
use session_runtime::{SimplePeer, State};
use tokio::time::timeout;

#[tokio::test]
async fn an_unusable_offer_gets_488_with_the_reason() {
    let (_bob, socket, to, from) = setup().await;
    let invite = |call_id: &str, sdp: &str| {
        let headers = format!(
            "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n\
             Contact: <sip:x@{from}>\r\nContent-Type: application/sdp\r\n"
        );
        request("INVITE", to, from, &headers, sdp)
    };
    let broken = final_answer(&socket, to, invite("sdp-1", "v=0\r\nthis is not sdp\r\n").as_bytes()).await;
    assert!(broken.starts_with("SIP/2.0 488"), "{broken}");
    assert!(broken.contains("Warning: 399") && broken.contains("not valid SDP"), "{broken}");
    let g722 = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                m=audio 4000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n";
    let no_codec = final_answer(&socket, to, invite("sdp-2", g722).as_bytes()).await;
    assert!(no_codec.starts_with("SIP/2.0 488"), "{no_codec}");
    assert!(no_codec.contains("no codec we support"), "{no_codec}");
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_peer_keeps_working() {
    let (bob, socket, to, from) = setup().await;
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("garbage", b"\x00\xffhello there\r\n\r\n".to_vec(), None),
        ("truncated headers", format!("INVITE sip:bob@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bKt\r\nFrom: <sip:x@h>").into_bytes(), Some("SIP/2.0 400")),
        ("missing Call-ID", request("OPTIONS", to, from, "From: <sip:x@h>;tag=1\r\nTo: <sip:bob@h>\r\nCSeq: 1 OPTIONS\r\n", "").into_bytes(), Some("SIP/2.0 400")),
        ("missing CSeq", request("OPTIONS", to, from, "From: <sip:x@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: c\r\n", "").into_bytes(), Some("SIP/2.0 400")),
        ("CSeq method mismatch", request("OPTIONS", to, from, &format!("{DIALOG}INVITE\r\n"), "").into_bytes(), Some("SIP/2.0 400")),
        ("Content-Length beyond the body", format!("OPTIONS sip:bob@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bKcl\r\n{DIALOG}OPTIONS\r\nContent-Length: 500\r\n\r\nshort").into_bytes(), Some("SIP/2.0 400")),
        ("huge header section", request("OPTIONS", to, from, &format!("{DIALOG}OPTIONS\r\nX-Junk: {}\r\n", "a".repeat(40_000)), "").into_bytes(), Some("SIP/2.0 513")),
        ("SIP/3.0", request("OPTIONS", to, from, &format!("{DIALOG}OPTIONS\r\n"), "").replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia").into_bytes(), Some("SIP/2.0 505")),
        ("unknown method", request("FROB", to, from, &format!("{DIALOG}FROB\r\n"), "").into_bytes(), Some("SIP/2.0 501")),
        ("unsupported method", request("SUBSCRIBE", to, from, &format!("{DIALOG}SUBSCRIBE\r\n"), "").into_bytes(), Some("SIP/2.0 405")),
        ("bad SDP", request("INVITE", to, from, &format!("{DIALOG}INVITE\r\nContact: <sip:x@{from}>\r\nContent-Type: application/sdp\r\n"), "v=0\r\nthis is not sdp\r\n").into_bytes(), Some("SIP/2.0 488")),
        ("BYE for no dialog", request("BYE", to, from, "From: <sip:x@h>;tag=1\r\nTo: <sip:bob@h>;tag=nope\r\nCall-ID: gone\r\nCSeq: 2 BYE\r\n", "").into_bytes(), Some("SIP/2.0 481")),
        ("OPTIONS", request("OPTIONS", to, from, &format!("{DIALOG}OPTIONS\r\n"), "").into_bytes(), Some("SIP/2.0 200")),
    ];
    for (name, datagram, expected) in cases {
        let mut answer = exchange(&socket, to, &datagram).await;
        // A 100 Trying may precede the final answer to an INVITE.
        if answer.as_deref() == Some("SIP/2.0 100 Trying") {
            let mut buf = vec![0u8; 65_535];
            let next = timeout(Duration::from_millis(500), socket.recv_from(&mut buf)).await;
            answer = next
                .ok()
                .and_then(Result::ok)
                .map(|(len, _)| String::from_utf8_lossy(&buf[..len]).lines().next().unwrap_or("").to_owned());
        }
        match expected {
            Some(prefix) => {
                let line = answer.unwrap_or_else(|| panic!("{name}: no answer"));
                assert!(line.starts_with(prefix), "{name}: got `{line}`, want `{prefix}`");
            }
            None => assert_eq!(answer, None, "{name}: expected to be dropped"),
        }
    }
    assert!(bob.coordinator().stats().await.calls == 0, "no session left behind");
    assert!(bob.coordinator().stats().await.dialogs == 0);
    still_answers_calls(bob).await;
}

async fn still_answers_calls(bob: SimplePeer) {
    let alice = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let target = format!("sip:bob@{}", bob.local_addr());
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("call");
        call.accept().await.expect("accept");
        call.ended().await;
        bob
    });
    let call =
        timeout(Duration::from_secs(5), alice.call(&target)).await.expect("in time").expect("answered");
    assert_eq!(call.state(), State::Active);
    call.hangup().await.expect("hangup");
    let bob = timeout(Duration::from_secs(5), answering).await.expect("in time").expect("task");
    assert!(bob.coordinator().stats().await.calls == 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random bytes, and random mutations of a valid INVITE, never panic the parser.
    #[test]
    fn the_receive_path_never_panics(
        noise in prop::collection::vec(any::<u8>(), 0..600),
        cut in 0usize..400,
        flip in any::<(usize, u8)>(),
    ) {
        let _ = session_proto::sip::inbound::parse(&noise, "INVITE");
        let mut invite = request("INVITE", "127.0.0.1:5060".parse().unwrap(), "127.0.0.1:5070".parse().unwrap(),
            &format!("{DIALOG}INVITE\r\nContact: <sip:x@127.0.0.1>\r\nContent-Type: application/sdp\r\n"),
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n").into_bytes();
        let _ = session_proto::sip::inbound::parse(&invite[..cut.min(invite.len())], "INVITE");
        let at = flip.0 % invite.len();
        invite[at] = flip.1;
        let _ = session_proto::sip::inbound::parse(&invite, "INVITE");
    }
}

#[tokio::test]
async fn random_datagrams_into_a_live_peer_leave_it_serving() {
    let (bob, socket, to, _) = setup().await;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(any::<u8>(), 0..1500);
    for _ in 0..300 {
        let datagram = strategy.new_tree(&mut runner).expect("value").current();
        socket.send_to(&datagram, to).await.expect("send");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(bob.coordinator().stats().await.calls == 0);
    still_answers_calls(bob).await;
}

use proptest::strategy::ValueTree;
