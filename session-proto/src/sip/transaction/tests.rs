//! Transaction-layer tests: timers through the endpoint's deadline queue, and
//! retransmission absorption.

use super::*;

const INVITE: &str = "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n\
    From: <sip:a@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

fn inbound(text: &str) -> Inbound {
    crate::sip::inbound::parse(text.as_bytes(), "INVITE").expect("valid")
}

#[test]
fn an_acked_invite_transaction_is_forgotten_after_64_t1() {
    let (start, source) = (Instant::now(), "127.0.0.1:5070".parse().unwrap());
    let mut deadlines = Deadlines::default();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    layer.handle(start, source, inbound(INVITE), None, &mut deadlines);
    let Some(TxEvent::Request { tx, .. }) = layer.poll_event() else { panic!("a request") };
    assert!(layer.respond(start, tx, 200, Reply { to_tag: Some("b"), ..Reply::default() }, &mut deadlines));
    layer.ack_received(start, tx);
    let mut now = start;
    while let Some(at) = deadlines.next() {
        now = at;
        while let Some((_, deadline)) = deadlines.pop_due(now) {
            layer.on_deadline(now, deadline, &mut deadlines);
        }
    }
    assert!(layer.is_empty(), "the transaction must end when its timers run out");
    assert_eq!(now - start, layer.timers().transaction_timeout());
    // 100 Trying and the 200; no retransmission after the ACK.
    let sent: Vec<Transmit> = std::iter::from_fn(|| layer.poll_transmit()).collect();
    assert_eq!(sent.len(), 2);
    let ok = String::from_utf8_lossy(&sent[1].bytes).into_owned();
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n") && ok.contains("To: <sip:bob@h>;tag=b\r\n"), "{ok}");
    assert!(ok.contains("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n"), "{ok}");
}

#[test]
fn a_retransmitted_invite_gets_the_last_response_again() {
    let (now, source) = (Instant::now(), "127.0.0.1:5070".parse().unwrap());
    let mut deadlines = Deadlines::default();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    layer.handle(now, source, inbound(INVITE), None, &mut deadlines);
    layer.handle(now, source, inbound(INVITE), None, &mut deadlines);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Request { .. })));
    assert!(layer.poll_event().is_none(), "the repeat is absorbed");
    let sent: Vec<Transmit> = std::iter::from_fn(|| layer.poll_transmit()).collect();
    assert_eq!(sent.len(), 2, "100 Trying, then 100 Trying again");
    assert!(sent.iter().all(|t| t.to == source && t.bytes.starts_with(b"SIP/2.0 100")));
}

#[test]
fn a_second_final_response_is_not_sent() {
    let (now, source) = (Instant::now(), "127.0.0.1:5070".parse().unwrap());
    let mut deadlines = Deadlines::default();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    layer.handle(now, source, inbound(INVITE), None, &mut deadlines);
    let Some(TxEvent::Request { tx, .. }) = layer.poll_event() else { panic!("a request") };
    assert!(layer.respond(now, tx, 486, Reply::default(), &mut deadlines));
    assert!(!layer.respond(now, tx, 200, Reply::default(), &mut deadlines));
}
