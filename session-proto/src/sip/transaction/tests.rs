//! Transaction-layer tests: the timer wheel and retransmission absorption.

use super::*;

const INVITE: &str = "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n\
    From: <sip:a@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

fn inbound(text: &str) -> Inbound {
    crate::sip::inbound::parse(text.as_bytes()).expect("valid")
}

#[test]
fn an_acked_invite_transaction_is_forgotten_after_64_t1() {
    let (start, source) = (Instant::now(), "127.0.0.1:5070".parse().unwrap());
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    layer.handle(start, source, inbound(INVITE));
    let Some(TxEvent::Request { tx, .. }) = layer.poll_event() else { panic!("a request") };
    layer.respond(start, tx, 200, Bytes::from_static(b"SIP/2.0 200 OK\r\n\r\n"));
    layer.ack_received(start, tx);
    let mut now = start;
    while let Some(at) = layer.poll_timeout() {
        now = at;
        layer.handle_timeout(now);
    }
    assert!(layer.is_empty(), "the transaction must end when its timers run out");
    assert_eq!(now - start, layer.timers().transaction_timeout());
    // 100 Trying and the 200; no retransmission after the ACK.
    assert_eq!(std::iter::from_fn(|| layer.poll_transmit()).count(), 2);
}

#[test]
fn a_retransmitted_invite_gets_the_last_response_again() {
    let (now, source) = (Instant::now(), "127.0.0.1:5070".parse().unwrap());
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    layer.handle(now, source, inbound(INVITE));
    layer.handle(now, source, inbound(INVITE));
    assert!(matches!(layer.poll_event(), Some(TxEvent::Request { .. })));
    assert!(layer.poll_event().is_none(), "the repeat is absorbed");
    let sent: Vec<Transmit> = std::iter::from_fn(|| layer.poll_transmit()).collect();
    assert_eq!(sent.len(), 2, "100 Trying, then 100 Trying again");
    assert!(sent.iter().all(|t| t.to == source && t.bytes.starts_with(b"SIP/2.0 100")));
}
