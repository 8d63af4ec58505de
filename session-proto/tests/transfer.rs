//! Transfer on the in-memory network (RFC 3515, RFC 5589, RFC 3891): Alice (node 0)
//! talks to Bob (node 1), and Bob hands her on to Carol (node 2), blind or attended.
//! Alice follows the REFER and reports its progress by NOTIFY; Bob learns it.

mod net;

use std::time::Duration;

use net::{Conditions, Net};
use session_proto::machine::{Event as Cmd, State};
use session_proto::types::SessionId;
use session_proto::{EndReason, Event};

fn trio() -> Net {
    let mut net = Net::new(11, Conditions::CLEAN);
    net.add("alice", |_| {});
    net.add("bob", |_| {});
    net.add("carol", |_| {});
    net
}

/// Node `from` calls node `to`, which answers; returns both calls.
fn call(net: &mut Net, from: usize, to: usize) -> (SessionId, SessionId) {
    let rang = net.nodes[to].incoming().len();
    let target = net.uri(to);
    let caller = net.dial(from, &target);
    let until = net.now + Duration::from_secs(1);
    assert!(net.run_until(until, |n| n.nodes[to].incoming().len() > rang), "node {to} rings");
    let callee = net.nodes[to].incoming()[rang];
    net.command(to, callee, Cmd::Accept).expect("answer");
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[from].states(caller).last(), Some(&State::Active));
    (caller, callee)
}

/// The statuses Bob's call heard by NOTIFY.
fn progress(net: &Net, node: usize, call: SessionId) -> Vec<u16> {
    net.nodes[node]
        .events
        .iter()
        .filter_map(|e| match e {
            Event::TransferProgress { call: c, code } if *c == call => Some(*code),
            _ => None,
        })
        .collect()
}

/// The call Alice placed for the REFER of `call`.
fn referred(net: &Net, call: SessionId) -> SessionId {
    net.nodes[0]
        .events
        .iter()
        .find_map(|e| match e {
            Event::TransferRequested { call: c, new_call, .. } if *c == call => *new_call,
            _ => None,
        })
        .expect("Alice followed the REFER")
}

fn nothing_left(net: &mut Net) {
    net.run_out(Duration::from_secs(600));
    for node in &net.nodes {
        assert!(node.endpoint.is_idle(), "{} holds {:?}", node.addr, node.endpoint.stats());
    }
}

#[test]
fn blind_transfer_hands_alice_to_carol_and_bob_hears_how_it_went() {
    let mut net = trio();
    let (alice, bob) = call(&mut net, 0, 1);
    let carol_uri = net.uri(2);
    net.command(1, bob, Cmd::BlindTransfer { target: carol_uri.clone() }).unwrap();
    let until = net.now + Duration::from_secs(1);
    assert!(net.run_until(until, |n| !n.nodes[2].incoming().is_empty()), "Carol rings");
    net.run_for(Duration::from_millis(50));
    let new_call = referred(&net, alice);
    assert_eq!(progress(&net, 1, bob), [100, 180], "Trying, then Carol's ringing, by NOTIFY");
    let carol = net.nodes[2].incoming()[0];
    net.command(2, carol, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(200));

    assert_eq!(progress(&net, 1, bob), [100, 180, 200]);
    assert_eq!(net.nodes[1].ended(bob), Some(EndReason::Transferred), "Bob hangs up once it worked");
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::RemoteHangup));
    assert_eq!(net.nodes[0].states(new_call).last(), Some(&State::Active), "Alice talks to Carol");
    assert_eq!(net.nodes[2].states(carol).last(), Some(&State::Active));

    let notifies = net.nodes[0].sent_starting("NOTIFY");
    assert_eq!(notifies.len(), 3, "100, 180 and 200, one at a time");
    assert!(
        notifies[0].contains("SIP/2.0 100 Trying")
            && notifies[0].contains("Subscription-State: active;expires=")
    );
    assert!(notifies.iter().all(|n| n.contains("Event: refer\r\n") && n.contains("message/sipfrag")));
    let last = notifies[2];
    assert!(
        last.contains("SIP/2.0 200 OK") && last.contains("Subscription-State: terminated;reason=noresource")
    );
    let refer = &net.nodes[1].sent_starting("REFER")[0];
    assert!(refer.contains(&format!("Refer-To: <{carol_uri}>")), "{refer}");

    net.command(0, new_call, Cmd::Hangup).unwrap();
    nothing_left(&mut net);
}

#[test]
fn a_transfer_the_target_refuses_leaves_the_call_up() {
    let mut net = trio();
    let (alice, bob) = call(&mut net, 0, 1);
    let carol_uri = net.uri(2);
    net.command(1, bob, Cmd::BlindTransfer { target: carol_uri }).unwrap();
    let until = net.now + Duration::from_secs(1);
    assert!(net.run_until(until, |n| !n.nodes[2].incoming().is_empty()), "Carol rings");
    let carol = net.nodes[2].incoming()[0];
    net.command(2, carol, Cmd::Reject { code: 486 }).unwrap();
    net.run_for(Duration::from_millis(200));

    assert_eq!(progress(&net, 1, bob), [100, 180, 486]);
    assert_eq!(net.nodes[1].states(bob).last(), Some(&State::Active), "Bob keeps Alice");
    assert_eq!(net.nodes[0].ended(alice), None);
    let last = *net.nodes[0].sent_starting("NOTIFY").last().unwrap();
    assert!(last.contains("SIP/2.0 486 Busy Here") && last.contains("terminated"), "{last}");
    net.command(1, bob, Cmd::Hangup).unwrap();
    nothing_left(&mut net);
}

#[test]
fn attended_transfer_replaces_bobs_call_with_carol() {
    let mut net = trio();
    let (alice, bob_alice) = call(&mut net, 0, 1);
    let (bob_carol, carol_bob) = call(&mut net, 1, 2);
    let now = net.now;
    net.nodes[1].endpoint.transfer_to(now, bob_alice, bob_carol).expect("both calls exist");
    net.run_for(Duration::from_millis(300));

    let new_call = referred(&net, alice);
    let invite = net.nodes[0].sent_starting("INVITE").into_iter().find(|m| m.contains("Replaces:")).cloned();
    let invite = invite.expect("Alice's INVITE to Carol carries Replaces");
    assert!(invite.contains("to-tag=") && invite.contains("from-tag="), "{invite}");
    assert_eq!(net.nodes[0].states(new_call).last(), Some(&State::Active), "Alice talks to Carol");
    assert_eq!(net.nodes[2].ended(carol_bob), Some(EndReason::LocalHangup), "Carol dropped Bob's leg");
    assert_eq!(net.nodes[1].ended(bob_carol), Some(EndReason::RemoteHangup));
    assert_eq!(net.nodes[1].ended(bob_alice), Some(EndReason::Transferred), "Bob's other leg ends too");
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::RemoteHangup));
    assert_eq!(progress(&net, 1, bob_alice).last(), Some(&200));
    let carol_new = *net.nodes[2].incoming().last().unwrap();
    assert_eq!(net.nodes[2].states(carol_new).last(), Some(&State::Active), "answered without a hand");
    let states = net.nodes[2].states(carol_new);
    let at = |wanted: State| states.iter().position(|s| *s == wanted);
    assert!(at(State::RingingInbound) < at(State::Answering), "reported in order: {states:?}");

    net.command(2, carol_new, Cmd::Hangup).unwrap();
    nothing_left(&mut net);
}

#[test]
fn an_invite_replacing_no_call_gets_481() {
    let mut net = trio();
    let from: std::net::SocketAddr = "127.0.0.1:5999".parse().unwrap();
    let to = net.nodes[2].addr;
    let invite = format!(
        "INVITE sip:carol@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bKreplaces1\r\n\
         From: <sip:x@{from}>;tag=1\r\nTo: <sip:carol@{to}>\r\nCall-ID: r1@x\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:x@{from}>\r\nReplaces: nothing@here;to-tag=a;from-tag=b\r\nMax-Forwards: 70\r\n\
         Content-Length: 0\r\n\r\n"
    );
    net.inject(2, from, &invite);
    net.run_for(Duration::from_millis(50));
    let answers: Vec<&str> = net.wire.iter().map(|(_, _, text)| text.lines().next().unwrap_or("")).collect();
    assert!(answers.contains(&"SIP/2.0 481 Call/Transaction Does Not Exist"), "{answers:?}");
    assert!(net.nodes[2].incoming().is_empty(), "no call rang");
}

#[test]
fn a_refer_the_interceptor_refuses_is_answered_with_its_status() {
    use session_proto::interceptor::{
        IncomingRequest, SignalingDecision, SignalingHandler, SignalingInterceptor,
    };
    struct NoTransfers;
    impl SignalingHandler for NoTransfers {
        fn on_invite(&self, _: &IncomingRequest) -> SignalingDecision {
            SignalingDecision::Defer
        }
        fn on_request(&self, request: &IncomingRequest) -> SignalingDecision {
            match &request.refer_to {
                Some(target) if target.contains("carol") => SignalingDecision::Reject(603),
                _ => SignalingDecision::Defer,
            }
        }
    }
    let mut net = Net::new(12, Conditions::CLEAN);
    net.add("alice", |c| c.interceptor = SignalingInterceptor::new().with(NoTransfers));
    net.add("bob", |_| {});
    net.add("carol", |_| {});
    let (alice, bob) = call(&mut net, 0, 1);
    let carol_uri = net.uri(2);
    net.command(1, bob, Cmd::BlindTransfer { target: carol_uri }).unwrap();
    net.run_for(Duration::from_millis(200));
    assert_eq!(progress(&net, 1, bob), [603], "Bob hears the refusal");
    assert_eq!(net.nodes[1].states(bob).last(), Some(&State::Active));
    assert!(net.nodes[2].incoming().is_empty(), "Carol is never called");
    assert_eq!(net.nodes[0].ended(alice), None);
}

/// Found by tests/fuzz_endpoint.rs (seed 0x5ee0f022, case 846): the transferee accepts
/// our REFER with 202 and never sends a NOTIFY. Timer N (RFC 6665 section 4.1.2.4)
/// gives the transfer up after 64·T1, and the call goes on; it waited in Transferring
/// for ever.
#[test]
fn a_transfer_without_any_notify_is_given_up_after_timer_n() {
    let mut net = Net::new(1, Conditions::CLEAN);
    let bob = net.add("bob", |_| {});
    let alice: std::net::SocketAddr = "127.0.0.3:5072".parse().unwrap();
    let call = net.dial(bob, &format!("sip:alice@{alice}"));
    let invite = net.requests(alice, "INVITE").pop().expect("an INVITE");
    let sdp = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\n";
    let ok = net::phone::reply(&invite, 200, "OK", "a1").replace(
        "Content-Length: 0\r\n\r\n",
        &format!(
            "Contact: <sip:alice@{alice}>\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        ),
    );
    net.inject(bob, alice, &ok);
    assert_eq!(net.nodes[bob].states(call).last(), Some(&State::Active));
    net.command(bob, call, Cmd::BlindTransfer { target: "sip:carol@127.0.0.1:5090".into() }).unwrap();
    let refer = net.requests(alice, "REFER").pop().expect("a REFER");
    net.inject(bob, alice, &net::phone::reply(&refer, 202, "Accepted", "a1"));
    net.run_for(Duration::from_secs(31));
    assert_eq!(net.nodes[bob].states(call).last(), Some(&State::Transferring), "still waiting at 31 s");
    net.run_for(Duration::from_secs(2));
    assert_eq!(net.nodes[bob].states(call).last(), Some(&State::Active), "given up after 64·T1");
}
