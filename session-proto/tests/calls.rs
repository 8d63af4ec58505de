//! Calls between endpoints on the in-memory network: every way a call can go, in
//! virtual time.

mod net;

use std::time::Duration;

use net::{Conditions, Net};
use session_proto::machine::{Event as Cmd, State};
use session_proto::media::MediaCommand;
use session_proto::types::SessionId;
use session_proto::{CommandError, EndReason, Event};

/// Both ends are gone and nothing is left once the timers run out.
fn nothing_left(net: &mut Net) {
    net.run_out(Duration::from_secs(600));
    for node in &net.nodes {
        assert!(node.endpoint.is_idle(), "{} holds {:?}", node.addr, node.endpoint.stats());
        assert_eq!(node.engines, 0, "a media engine left open at {}", node.addr);
    }
}

#[test]
fn an_answered_call_hung_up_by_the_caller() {
    let mut net = Net::pair(7);
    let (alice, bob) = net.answered();
    assert_eq!(
        net.nodes[0].states(alice),
        [State::PreparingOffer, State::Initiating, State::RingingOutbound, State::Active]
    );
    assert!(net.nodes[0].media[&alice].contains(&MediaCommand::Start));
    net.command(0, alice, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::LocalHangup));
    assert_eq!(net.nodes[1].ended(bob), Some(EndReason::RemoteHangup));
    nothing_left(&mut net);
}

#[test]
fn an_answered_call_hung_up_by_the_callee() {
    let mut net = Net::pair(7);
    let (alice, bob) = net.answered();
    net.command(1, bob, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::RemoteHangup));
    assert_eq!(net.nodes[1].ended(bob), Some(EndReason::LocalHangup));
    nothing_left(&mut net);
}

#[test]
fn a_rejected_call_reports_the_status_on_both_sides() {
    let mut net = Net::pair(7);
    let (alice, bob) = net.ring();
    net.command(1, bob, Cmd::Reject { code: 486 }).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::Rejected(486)));
    assert_eq!(net.nodes[1].ended(bob), Some(EndReason::RejectedLocally(486)));
    nothing_left(&mut net);
}

#[test]
fn the_caller_cancels_before_the_answer() {
    let mut net = Net::pair(7);
    let (alice, bob) = net.ring();
    net.command(0, alice, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].sent_starting("CANCEL ").len(), 1);
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::LocalHangup));
    assert_eq!(net.nodes[1].ended(bob), Some(EndReason::RemoteHangup));
    assert!(net.nodes[1].sent_starting("SIP/2.0 487").len() == 1, "the INVITE is answered 487");
    nothing_left(&mut net);
}

#[test]
fn hold_and_resume_renegotiate_the_directions() {
    let mut net = Net::pair(7);
    let (alice, bob) = net.answered();
    net.command(0, alice, Cmd::Hold).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::OnHold));
    let held = net.nodes[1].sent_starting("SIP/2.0 200").iter().any(|m| m.contains("a=recvonly"));
    assert!(held, "Bob's answer to the hold is recvonly");
    assert_eq!(
        net.command(0, alice, Cmd::Hold),
        Err(CommandError::InvalidState { action: "Hold".into(), state: State::OnHold })
    );
    net.command(0, alice, Cmd::Resume).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::Active));
    net.command(1, bob, Cmd::Hangup).unwrap();
    nothing_left(&mut net);
}

#[test]
fn dtmf_by_sip_info_reaches_the_peer() {
    let mut net = Net::new(3, Conditions::CLEAN);
    net.add("alice", |c| c.media.dtmf = session_proto::types::DtmfMode::Info);
    net.add("bob", |_| {});
    let (alice, bob) = net.answered();
    net.command(0, alice, Cmd::SendDtmf { digits: "1#".into() }).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].sent_starting("INFO ").len(), 2);
    let digits: Vec<char> = net.nodes[1]
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Dtmf { call, digit } if *call == bob => Some(*digit),
            _ => None,
        })
        .collect();
    assert_eq!(digits, ['1', '#']);
    net.command(0, alice, Cmd::Hangup).unwrap();
    nothing_left(&mut net);
}

#[test]
fn an_unanswered_call_is_refused_480_after_the_no_answer_time() {
    let mut net = Net::new(5, Conditions::CLEAN);
    net.add("alice", |_| {});
    net.add("bob", |c| c.no_answer = Duration::from_secs(3));
    let (alice, bob) = net.ring();
    net.run_for(Duration::from_secs(4));
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::Rejected(480)));
    assert_eq!(net.nodes[1].ended(bob), Some(EndReason::Timeout));
    nothing_left(&mut net);
}

#[test]
fn a_call_to_a_silent_address_times_out_after_64_t1() {
    let mut net = Net::pair(7);
    let call = net.dial(0, "sip:nobody@127.0.0.1:9");
    net.run_for(Duration::from_secs(31));
    assert_eq!(net.nodes[0].ended(call), None, "Timer B is 32 s");
    net.run_for(Duration::from_secs(2));
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Timeout));
    assert_eq!(net.nodes[0].sent_starting("INVITE ").len(), 7, "the INVITE and 6 retransmissions");
    nothing_left(&mut net);
}

#[test]
fn a_host_name_is_looked_up_by_the_driver_before_the_invite() {
    let mut net = Net::pair(7);
    let call = net.dial(0, "sip:bob@bob:5061");
    assert!(
        matches!(net.nodes[0].events.iter().find(|e| matches!(e, Event::Resolve { .. })), Some(Event::Resolve { host, port: 5061, .. }) if host == "bob")
    );
    net.run_for(Duration::from_millis(20));
    let bob = net.nodes[1].incoming()[0];
    net.command(1, bob, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(20));
    assert_eq!(net.nodes[0].states(call).last(), Some(&State::Active));
    let unknown = net.dial(0, "sip:carol@carol");
    net.run_for(Duration::from_millis(20));
    assert!(
        matches!(net.nodes[0].ended(unknown), Some(EndReason::TransportError(why)) if why.contains("no such host"))
    );
    net.command(0, call, Cmd::Hangup).unwrap();
    nothing_left(&mut net);
}

#[test]
fn a_bad_target_is_refused_before_anything_is_sent() {
    let mut net = Net::pair(7);
    let now = net.now;
    for (target, says) in
        [("bob@127.0.0.1", "sip:"), ("sip:bob@127.0.0.1:99999", "99999"), ("sip:bob@[::1]:5060", "IPv6")]
    {
        let error = net.nodes[0].endpoint.dial(now, target).expect_err(target);
        assert!(error.to_string().contains(says), "{error}");
    }
    net.run_for(Duration::from_millis(10));
    assert!(net.nodes[0].sent.is_empty());
}

#[test]
fn a_pcma_only_callee_refuses_a_pcmu_only_offer_with_488_and_never_rings() {
    let mut net = Net::new(11, Conditions::CLEAN);
    net.add("alice", |c| c.media.codecs = vec![session_media::Codec::Pcmu]);
    net.add("bob", |c| c.media.codecs = vec![session_media::Codec::Pcma]);
    let target = net.uri(1);
    let call = net.dial(0, &target);
    net.run_for(Duration::from_millis(50));
    let bob = &net.nodes[1];
    assert!(bob.sent_starting("SIP/2.0 180").is_empty(), "no 180 for an offer we cannot take");
    let refusal = bob.sent_starting("SIP/2.0 488");
    assert_eq!(refusal.len(), 1, "{:?}", bob.sent);
    assert!(
        refusal[0]
            .contains("Warning: 399 session-core \"the offer has no codec we support; we take PCMA/8000"),
        "{}",
        refusal[0]
    );
    assert!(bob.incoming().is_empty(), "the application never hears of it");
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Rejected(488)));
    let bobs = net.nodes[1].calls()[0];
    assert!(
        matches!(net.nodes[1].ended(bobs), Some(EndReason::MediaNegotiation(why)) if why.contains("PCMA"))
    );
    nothing_left(&mut net);
}

#[test]
fn a_display_name_is_quoted_in_from_and_reaches_the_callee() {
    let mut net = Net::new(7, Conditions::CLEAN);
    net.add("alice", |c| c.display_name = Some(r#"Alice "Al" Liddell"#.into()));
    net.add("bob", |_| {});
    let (_, _) = net.ring();
    let invite = net.nodes[0].sent_starting("INVITE")[0].clone();
    let request = rsipstack::rsip::Request::try_from(invite.as_bytes()).expect("the real parser reads it");
    let from = request.headers.iter().find_map(|h| match h {
        rsipstack::rsip::Header::From(from) => Some(from.value().to_owned()),
        _ => None,
    });
    let from = from.expect("a From header");
    assert!(from.starts_with(r#""Alice \"Al\" Liddell" <sip:alice@"#), "{from}");
}

/// A callee whose 200 OK to the INVITE crosses Alice's BYE: the first BYE is answered
/// only by a retransmission of that 200; the BYE's own retransmission gets its 200.
fn late_2xx_callee(net: &mut Net) {
    use net::script::respond;
    const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                       m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    let mut ok_to_invite = String::new();
    let mut byes = 0;
    net.add_script("bob", move |_, from, message| {
        let extra =
            ["Contact: <sip:bob@127.0.0.1:5090>".to_owned(), "Content-Type: application/sdp".to_owned()];
        if message.starts_with("INVITE ") {
            ok_to_invite = respond(message, "200 OK", "callee", &extra, SDP);
            vec![(from, ok_to_invite.clone())]
        } else if message.starts_with("BYE ") {
            byes += 1;
            let reply =
                if byes == 1 { ok_to_invite.clone() } else { respond(message, "200 OK", "callee", &[], "") };
            vec![(from, reply)]
        } else {
            Vec::new()
        }
    });
}

#[test]
fn a_2xx_retransmitted_while_our_bye_is_pending_gets_an_ack_and_no_second_bye() {
    let mut net = Net::new(7, Conditions::CLEAN);
    net.add("alice", |_| {});
    late_2xx_callee(&mut net);
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_millis(100));
    assert_eq!(net.nodes[0].states(call).last(), Some(&State::Active));
    net.command(0, call, Cmd::Hangup).expect("Alice hangs up");
    net.run_for(Duration::from_secs(5));
    let received = &net.scripts[0];
    let cseq = |m: &&str| net::script::header(m, "CSeq").unwrap_or_default().to_owned();
    let acks: Vec<String> = received.received_starting("ACK").iter().map(cseq).collect();
    assert_eq!(acks, ["1 ACK", "1 ACK"], "each 2xx is ACKed (section 13.2.2.4)");
    let byes: Vec<String> = received.received_starting("BYE").iter().map(cseq).collect();
    assert!(byes.len() >= 2, "the unanswered BYE is retransmitted: {byes:?}");
    assert!(byes.iter().all(|c| *c == byes[0]), "one BYE transaction, no second BYE: {byes:?}");
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::LocalHangup));
    assert_eq!(net.nodes[0].states(call).last(), Some(&State::Terminated));
}

#[test]
fn the_200_to_our_cancel_is_not_taken_for_an_answer() {
    use net::script::respond;
    let mut net = Net::new(7, Conditions::CLEAN);
    net.add("alice", |_| {});
    let mut invite = String::new();
    net.add_script("bob", move |_, from, message| {
        let ok = |m: &str| respond(m, "200 OK", "callee", &[], "");
        if message.starts_with("INVITE ") {
            invite = message.to_owned();
            vec![(from, respond(message, "100 Trying", "", &[], ""))]
        } else if message.starts_with("CANCEL ") {
            vec![(from, ok(message)), (from, respond(&invite, "487 Request Terminated", "callee", &[], ""))]
        } else {
            Vec::new()
        }
    });
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_millis(100));
    net.command(0, call, Cmd::Hangup).expect("Alice gives up");
    net.run_for(Duration::from_secs(2));
    let methods: Vec<&str> =
        net.scripts[0].received.iter().map(|(_, _, m)| m.split(' ').next().unwrap_or_default()).collect();
    assert_eq!(methods, ["INVITE", "CANCEL", "ACK"], "the 487 is ACKed; no ACK and BYE for the CANCEL's 200");
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::LocalHangup));
    assert_eq!(net.nodes[0].states(call).last(), Some(&State::Terminated));
}

/// Bob (node 0, with credentials) calls a scripted phone: the network, Bob, the phone's
/// address, the call and the INVITE the phone got.
fn bob_calls_a_phone() -> (Net, usize, std::net::SocketAddr, SessionId, String) {
    let mut net = Net::new(1, Conditions::CLEAN);
    let bob = net.add("bob", |config| {
        config.credentials = Some(session_proto::auth::Credentials::new("bob", "builder"))
    });
    let alice: std::net::SocketAddr = "127.0.0.3:5072".parse().unwrap();
    let call = net.dial(bob, &format!("sip:alice@{alice}"));
    let invite = net.requests(alice, "INVITE").pop().expect("an INVITE");
    (net, bob, alice, call, invite)
}

/// Found by tests/fuzz_endpoint.rs (seed 0x5ee0f022, case 239): the callee sends 183
/// with early media, then challenges the INVITE with a 401; the INVITE sent again with
/// credentials gets no response at all. Its Timer B found the call ringing (from the
/// first INVITE's 183), where a timeout sends a CANCEL, and with no INVITE left to
/// cancel the call waited in Terminating for ever.
#[test]
fn an_invite_sent_again_with_credentials_that_times_out_ends_the_call() {
    let (mut net, bob, alice, call, invite) = bob_calls_a_phone();
    let early = net::phone::reply(&invite, 183, "Session Progress", "a1").replace(
        "Content-Length: 0\r\n\r\n",
        "Contact: <sip:alice@127.0.0.3:5072>\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n",
    );
    net.inject(bob, alice, &early);
    let challenge = net::phone::reply(&invite, 401, "Unauthorized", "a1").replace(
        "Content-Length: 0\r\n",
        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", algorithm=MD5\r\nContent-Length: 0\r\n",
    );
    net.inject(bob, alice, &challenge);
    let again = net.requests(alice, "INVITE").pop().expect("the INVITE sent again");
    assert!(again.contains("CSeq: 2 INVITE") && again.contains("Authorization: Digest"), "{again}");
    net.run_out(Duration::from_secs(3600));
    assert!(
        net.nodes[bob].ended(call).is_some(),
        "the call is still {:?}",
        net.nodes[bob].states(call).last()
    );
    assert!(net.nodes[bob].endpoint.is_idle(), "{:?}", net.nodes[bob].endpoint.stats());
}

/// Found by tests/fuzz_endpoint.rs (seed 0x5ee0f022, cases 2191 and 19595): the caller
/// hangs up after a 100 Trying (CANCEL), then the INVITE is challenged. Sent again
/// with credentials, it rang anew with nothing left to cancel it, and the call waited
/// in Cancelling for ever. The challenge is the cancelled INVITE's final answer.
#[test]
fn a_challenge_to_an_invite_being_cancelled_ends_the_call() {
    let (mut net, bob, alice, call, invite) = bob_calls_a_phone();
    net.inject(bob, alice, &net::phone::reply(&invite, 100, "Trying", ""));
    net.command(bob, call, Cmd::Hangup).expect("Bob gives up");
    assert_eq!(net.requests(alice, "CANCEL").len(), 1, "the CANCEL goes out after the 100");
    let challenge = net::phone::reply(&invite, 407, "Proxy Authentication Required", "a1").replace(
        "Content-Length: 0\r\n",
        "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", algorithm=MD5\r\nContent-Length: 0\r\n",
    );
    net.inject(bob, alice, &challenge);
    assert_eq!(net.requests(alice, "INVITE").len(), 1, "no INVITE sent again with credentials");
    assert_eq!(net.nodes[bob].ended(call), Some(EndReason::LocalHangup));
    assert_eq!(net.nodes[bob].states(call).last(), Some(&State::Terminated));
    net.run_out(Duration::from_secs(3600));
    assert!(net.nodes[bob].endpoint.is_idle(), "{:?}", net.nodes[bob].endpoint.stats());
}
