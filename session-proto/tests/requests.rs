//! Requests an endpoint answers on the in-memory network: in-dialog requests that
//! overlap our own transactions, OPTIONS, MESSAGE, and methods no usage handles.

mod net;

use std::net::SocketAddr;
use std::time::Duration;

use net::{Conditions, Net};
use session_proto::machine::{Event as Cmd, State};
use session_proto::{Event, IncomingMessage};

const PEER: &str = "127.0.0.1:5999";

fn peer() -> SocketAddr {
    PEER.parse().unwrap()
}

/// A request from [`PEER`] outside any dialog, with `headers` and `body` added.
fn request(method: &str, branch: &str, headers: &str, body: &str) -> String {
    format!(
        "{method} sip:alice@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP {PEER};branch=z9hG4bK{branch}\r\n\
         From: <sip:peer@{PEER}>;tag=p1\r\nTo: <sip:alice@127.0.0.1>\r\nCall-ID: {branch}@peer\r\n\
         CSeq: 1 {method}\r\nMax-Forwards: 70\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The response node `index` sent on `branch`, whole.
fn answer_on(net: &Net, index: usize, branch: &str) -> Vec<String> {
    let via = format!("branch={branch}");
    net.nodes[index].sent.iter().filter(|m| m.starts_with("SIP/2.0 ") && m.contains(&via)).cloned().collect()
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
}

#[test]
fn options_is_answered_with_what_the_endpoint_handles() {
    let mut net = Net::new(1, Conditions::CLEAN);
    net.add("alice", |_| {});
    net.inject(0, peer(), &request("OPTIONS", "opt1", "Accept: application/sdp\r\n", ""));
    let answers = answer_on(&net, 0, "z9hG4bKopt1");
    assert_eq!(answers.len(), 1);
    assert!(answers[0].starts_with("SIP/2.0 200 OK\r\n"), "{}", answers[0]);
    let allow = header(&answers[0], "Allow").expect("an Allow header");
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    assert_eq!(methods, ["INVITE", "ACK", "BYE", "CANCEL", "INFO", "REFER", "NOTIFY", "OPTIONS", "MESSAGE"]);
    // What Allow claims is true: each method is taken, and one it leaves out is not.
    net.inject(0, peer(), &request("REGISTER", "reg1", "", ""));
    let refused = &answer_on(&net, 0, "z9hG4bKreg1")[0];
    assert!(refused.starts_with("SIP/2.0 405 "), "{refused}");
    assert_eq!(header(refused, "Allow"), Some(allow));
    net.inject(0, peer(), &request("SUBSCRIBE", "sub1", "Event: presence\r\n", ""));
    assert!(answer_on(&net, 0, "z9hG4bKsub1")[0].starts_with("SIP/2.0 405 "));
}

#[test]
fn a_message_in_text_is_handed_to_the_application_and_others_get_415() {
    let mut net = Net::new(2, Conditions::CLEAN);
    net.add("alice", |_| {});
    let text = "Content-Type: text/plain; charset=UTF-8\r\n";
    net.inject(0, peer(), &request("MESSAGE", "m1", text, "hello, Alice"));
    assert!(answer_on(&net, 0, "z9hG4bKm1")[0].starts_with("SIP/2.0 200 OK\r\n"));
    let message = IncomingMessage {
        from: format!("sip:peer@{PEER}"),
        to: "sip:alice@127.0.0.1".into(),
        text: "hello, Alice".into(),
        source: peer(),
    };
    assert!(net.nodes[0].events.contains(&Event::Message(message)));
    net.inject(0, peer(), &request("MESSAGE", "m2", "Content-Type: application/json\r\n", "{}"));
    let refused = &answer_on(&net, 0, "z9hG4bKm2")[0];
    assert!(refused.starts_with("SIP/2.0 415 Unsupported Media Type\r\n"), "{refused}");
    assert_eq!(header(refused, "Accept"), Some("text/plain"));
    let messages = net.nodes[0].events.iter().filter(|e| matches!(e, Event::Message(_))).count();
    assert_eq!(messages, 1, "only the readable one reaches the application");
}

#[test]
fn a_notify_and_an_info_during_our_pending_reinvite_are_each_answered() {
    let mut net = Net::new(3, Conditions::CLEAN);
    net.add("alice", |_| {});
    net.add("bob", |_| {});
    let target = net.uri(1);
    let alice = net.dial(0, &target);
    net.run_for(Duration::from_millis(20));
    let bob = net.nodes[1].incoming()[0];
    net.command(1, bob, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(20));
    // Bob's side of the dialog, read off what Alice sent and received.
    let invite = net.nodes[0].sent_starting("INVITE ")[0].clone();
    let call_id = header(&invite, "Call-ID").unwrap().to_owned();
    let alice_tag = header(&invite, "From").unwrap().split("tag=").nth(1).unwrap().to_owned();
    let ok = net.nodes[1].sent_starting("SIP/2.0 200")[0].clone();
    let bob_to = header(&ok, "To").unwrap().to_owned();
    let bob_addr = net.nodes[1].addr;
    let in_dialog = |method: &str, branch: &str, cseq: u32, extra: &str, body: &str| {
        format!(
            "{method} sip:alice@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP {bob_addr};branch=z9hG4bK{branch}\r\n\
             From: {bob_to}\r\nTo: <sip:alice@127.0.0.1:5060>;tag={alice_tag}\r\nCall-ID: {call_id}\r\n\
             CSeq: {cseq} {method}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    // Our re-INVITE goes out; before Bob's answer can arrive (1 ms), Bob's NOTIFY and
    // INFO reach us.
    net.command(0, alice, Cmd::Hold).unwrap();
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::Holding));
    let sipfrag = "Event: refer\r\nSubscription-State: active\r\nContent-Type: message/sipfrag\r\n";
    net.inject(0, bob_addr, &in_dialog("NOTIFY", "n1", 10, sipfrag, "SIP/2.0 200 OK\r\n"));
    let dtmf = "Content-Type: application/dtmf-relay\r\n";
    net.inject(0, bob_addr, &in_dialog("INFO", "i1", 11, dtmf, "Signal=5\r\nDuration=100\r\n"));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::Holding), "the re-INVITE is still pending");
    // No transfer of ours is pending: the NOTIFY gets 481 (RFC 6665), on its own branch.
    let notify = answer_on(&net, 0, "z9hG4bKn1");
    assert_eq!(notify.len(), 1);
    assert!(notify[0].starts_with("SIP/2.0 481 ") && notify[0].contains("CSeq: 10 NOTIFY"), "{}", notify[0]);
    let info = answer_on(&net, 0, "z9hG4bKi1");
    assert_eq!(info.len(), 1);
    assert!(info[0].starts_with("SIP/2.0 200 ") && info[0].contains("CSeq: 11 INFO"), "{}", info[0]);
    assert!(net.nodes[0].events.iter().any(|e| matches!(e, Event::Dtmf { digit: '5', .. })));
    // A NOTIFY of another event package is no subscription of this dialog at all.
    let presence = "Event: presence\r\nSubscription-State: active\r\nContent-Type: application/pidf+xml\r\n";
    net.inject(0, bob_addr, &in_dialog("NOTIFY", "n2", 12, presence, "<presence/>"));
    let bad_event = answer_on(&net, 0, "z9hG4bKn2");
    assert!(
        bad_event[0].starts_with("SIP/2.0 489 Bad Event\r\n") && bad_event[0].contains("Allow-Events: refer"),
        "{}",
        bad_event[0]
    );
    // And our re-INVITE completes as if nothing had crossed it.
    net.run_for(Duration::from_millis(20));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::OnHold));
}

#[test]
fn two_peers_reusing_one_branch_get_a_transaction_and_an_answer_each() {
    let mut net = Net::new(1, Conditions::CLEAN);
    net.add("alice", |_| {});
    // Two peers (another sent-by each) that happen to draw the same branch.
    let other: SocketAddr = "127.0.0.1:5998".parse().unwrap();
    let first = request("MESSAGE", "same", "Content-Type: text/plain\r\n", "one");
    let second = first.replace(PEER, &other.to_string()).replace(";tag=p1", ";tag=p2").replace("one", "two");
    net.inject(0, peer(), &first);
    net.inject(0, other, &second);
    let texts: Vec<String> = net.nodes[0]
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Message(IncomingMessage { text, .. }) => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["one", "two"], "the second is not taken for a retransmission");
    let answered: Vec<SocketAddr> =
        net.wire.iter().filter(|(_, _, m)| m.starts_with("SIP/2.0 200")).map(|(_, to, _)| *to).collect();
    assert_eq!(answered, [peer(), other], "each answered at its own source");
}
