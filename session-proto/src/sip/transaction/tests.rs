//! Transaction-layer tests: timers through the endpoint's deadline queue,
//! retransmission absorption, and matching requests to transactions (RFC 3261 17.2.3).

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

/// A request with `via` as its top Via, `first_line` and `cseq` ("1 INVITE"), To `to`.
fn request(first_line: &str, via: &str, to: &str, cseq: &str) -> String {
    format!(
        "{first_line}\r\nVia: {via}\r\nFrom: <sip:a@h>;tag=1\r\nTo: {to}\r\nCall-ID: c1\r\n\
         CSeq: {cseq}\r\nContent-Length: 0\r\n\r\n"
    )
}

const VIA_A: &str = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsame";
const VIA_B: &str = "SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKsame";

fn invite_from(via: &str) -> String {
    request("INVITE sip:bob@127.0.0.1 SIP/2.0", via, "<sip:bob@h>", "1 INVITE")
}

/// Feeds `text` from `source`; returns the events and the transmits it made.
fn feed(
    layer: &mut TransactionLayer,
    source: &str,
    text: &str,
    now: Instant,
) -> (Vec<TxEvent>, Vec<Transmit>) {
    let mut deadlines = Deadlines::default();
    layer.handle(now, source.parse().unwrap(), inbound(text), None, &mut deadlines);
    (
        std::iter::from_fn(|| layer.poll_event()).collect(),
        std::iter::from_fn(|| layer.poll_transmit()).collect(),
    )
}

fn request_tx(events: &[TxEvent]) -> (ServerTxId, Option<ServerTxId>) {
    match events {
        [TxEvent::Request { tx, cancels, .. }] => (*tx, *cancels),
        other => panic!("one new request expected: {other:?}"),
    }
}

#[test]
fn the_same_branch_from_two_sent_bys_is_two_transactions_each_answered_to_its_source() {
    let now = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    let mut deadlines = Deadlines::default();
    let (a_events, _) = feed(&mut layer, "192.0.2.1:5060", &invite_from(VIA_A), now);
    let (b_events, _) = feed(&mut layer, "192.0.2.2:5060", &invite_from(VIA_B), now);
    let ((a, _), (b, _)) = (request_tx(&a_events), request_tx(&b_events));
    assert_ne!(a, b);
    layer.respond(now, a, 486, Reply { to_tag: Some("ta"), ..Reply::default() }, &mut deadlines);
    layer.respond(now, b, 603, Reply { to_tag: Some("tb"), ..Reply::default() }, &mut deadlines);
    let sent: Vec<Transmit> = std::iter::from_fn(|| layer.poll_transmit()).collect();
    let to =
        |code: &str| sent.iter().find(|t| t.bytes.starts_with(code.as_bytes())).map(|t| t.to.to_string());
    assert_eq!(to("SIP/2.0 486").as_deref(), Some("192.0.2.1:5060"));
    assert_eq!(to("SIP/2.0 603").as_deref(), Some("192.0.2.2:5060"));
    // Each retransmission gets its own transaction's answer, at its own source.
    for (source, via, code) in [("192.0.2.1:5060", VIA_A, "486"), ("192.0.2.2:5060", VIA_B, "603")] {
        let (events, sent) = feed(&mut layer, source, &invite_from(via), now);
        assert!(events.is_empty(), "a retransmission is absorbed: {events:?}");
        assert_eq!(sent.len(), 1);
        assert!(sent[0].bytes.starts_with(format!("SIP/2.0 {code}").as_bytes()), "{:?}", sent[0]);
        assert_eq!(sent[0].to.to_string(), source);
    }
}

#[test]
fn sent_by_compares_without_case_and_the_spaces_around_its_colon() {
    let now = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    let (first, _) = feed(
        &mut layer,
        "192.0.2.1:5060",
        &invite_from("SIP/2.0/UDP pc.Example.com:5060;branch=z9hG4bKx"),
        now,
    );
    request_tx(&first);
    let again = invite_from("SIP/2.0/UDP PC.example.COM : 5060;branch=z9hG4bKx");
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &again, now);
    assert!(events.is_empty(), "the same transaction: {events:?}");
}

#[test]
fn an_ack_for_a_non_2xx_matches_its_invite_only_from_the_same_sent_by() {
    let now = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    let mut deadlines = Deadlines::default();
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &invite_from(VIA_A), now);
    let (invite, _) = request_tx(&events);
    layer.respond(now, invite, 486, Reply { to_tag: Some("ta"), ..Reply::default() }, &mut deadlines);
    let ack = |via| request("ACK sip:bob@127.0.0.1 SIP/2.0", via, "<sip:bob@h>;tag=ta", "1 ACK");
    // Another sent-by on the same branch: not this transaction's ACK, so the dialog's.
    let (events, _) = feed(&mut layer, "192.0.2.2:5060", &ack(VIA_B), now);
    assert!(matches!(events.as_slice(), [TxEvent::Ack { .. }]), "{events:?}");
    assert_eq!(layer.servers.get(invite).expect("live").tx.state(), ServerState::Completed);
    let (events, sent) = feed(&mut layer, "192.0.2.1:5060", &ack(VIA_A), now);
    assert!(events.is_empty() && sent.is_empty(), "{events:?} {sent:?}");
    assert_eq!(layer.servers.get(invite).expect("live").tx.state(), ServerState::Confirmed);
}

#[test]
fn a_cancel_is_its_own_transaction_and_finds_the_invite_of_its_sent_by() {
    let now = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    let mut deadlines = Deadlines::default();
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &invite_from(VIA_A), now);
    let (invite, _) = request_tx(&events);
    let cancel = |via| request("CANCEL sip:bob@127.0.0.1 SIP/2.0", via, "<sip:bob@h>", "1 CANCEL");
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &cancel(VIA_A), now);
    let (cancel_tx, cancels) = request_tx(&events);
    assert_ne!(cancel_tx, invite);
    assert_eq!(cancels, Some(invite));
    // The same branch from elsewhere cancels nothing.
    let (events, _) = feed(&mut layer, "192.0.2.2:5060", &cancel(VIA_B), now);
    let (other, cancels) = request_tx(&events);
    assert!(other != cancel_tx && cancels.is_none());
    // The CANCEL's answer is the CANCEL's; the INVITE's repeats get the INVITE's.
    layer.respond(now, cancel_tx, 200, Reply { to_tag: Some("ta"), ..Reply::default() }, &mut deadlines);
    std::iter::from_fn(|| layer.poll_transmit()).for_each(drop);
    let (events, sent) = feed(&mut layer, "192.0.2.1:5060", &cancel(VIA_A), now);
    assert!(events.is_empty());
    assert!(sent.len() == 1 && sent[0].bytes.starts_with(b"SIP/2.0 200"), "{sent:?}");
    let (events, sent) = feed(&mut layer, "192.0.2.1:5060", &invite_from(VIA_A), now);
    assert!(events.is_empty());
    assert!(sent.len() == 1 && sent[0].bytes.starts_with(b"SIP/2.0 100"), "{sent:?}");
}

#[test]
fn a_branch_without_the_magic_cookie_matches_by_the_rfc_2543_fallback() {
    let now = Instant::now();
    let mut layer = TransactionLayer::new(Timers::default(), 1);
    let mut deadlines = Deadlines::default();
    let via = "SIP/2.0/UDP 192.0.2.1:5060;branch=1";
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &invite_from(via), now);
    let (invite, _) = request_tx(&events);
    // Another request on the same (non-unique) branch: another transaction.
    let other = invite_from(via).replace("Call-ID: c1", "Call-ID: c2");
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &other, now);
    assert_ne!(request_tx(&events).0, invite);
    // A retransmission is absorbed, and the ACK for a non-2xx matches.
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &invite_from(via), now);
    assert!(events.is_empty(), "{events:?}");
    layer.respond(now, invite, 486, Reply { to_tag: Some("ta"), ..Reply::default() }, &mut deadlines);
    let ack = request("ACK sip:bob@127.0.0.1 SIP/2.0", via, "<sip:bob@h>;tag=ta", "1 ACK");
    let (events, _) = feed(&mut layer, "192.0.2.1:5060", &ack, now);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(layer.servers.get(invite).expect("live").tx.state(), ServerState::Confirmed);
}
