//! Reachability and progress on the in-memory network: an ICMP unreachable handed in by
//! the driver ends the calls whose requests go there at once; a target of the other IP
//! version is refused before anything is sent; the application hears each provisional
//! response, an INVITE that has no response yet, and the peer's hold.

mod net;

use std::net::SocketAddr;
use std::time::Duration;

use net::Net;
use session_proto::machine::{Event as Cmd, State};
use session_proto::types::SessionId;
use session_proto::{CommandError, EndReason, Event, Unreachable};

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

/// The provisional statuses node `index` heard for `call`.
fn progress(net: &Net, index: usize, call: SessionId) -> Vec<u16> {
    let events = net.nodes[index].events.iter();
    events
        .filter_map(|e| match e {
            Event::CallProgress { call: c, code } if *c == call => Some(*code),
            _ => None,
        })
        .collect()
}

/// How often, and after how long, node `index` heard that `call` had no response yet.
fn no_response_yet(net: &Net, index: usize, call: SessionId) -> Vec<Duration> {
    let events = net.nodes[index].events.iter();
    events
        .filter_map(|e| match e {
            Event::NoResponseYet { call: c, waited } if *c == call => Some(*waited),
            _ => None,
        })
        .collect()
}

fn holds(net: &Net, index: usize, call: SessionId) -> Vec<bool> {
    let events = net.nodes[index].events.iter();
    events
        .filter_map(|e| match e {
            Event::HeldByPeer { call: c, held } if *c == call => Some(*held),
            _ => None,
        })
        .collect()
}

#[test]
fn a_call_to_an_unreachable_port_ends_at_once_saying_so() {
    let mut net = Net::pair(17);
    let call = net.dial(0, "sip:nobody@127.0.0.1:9");
    assert_eq!(net.nodes[0].sent_starting("INVITE ").len(), 1);
    assert_eq!(net.nodes[0].ended(call), None);
    net.unreachable(0, addr("127.0.0.1:9"), Unreachable::Port);
    let reason = net.nodes[0].ended(call).expect("the call ends at once, not after Timer B");
    assert_eq!(reason, EndReason::Unreachable("127.0.0.1:9 is unreachable (ICMP port unreachable)".into()));
    assert_eq!(reason.to_string(), "127.0.0.1:9 is unreachable (ICMP port unreachable)");
    assert!(!reason.is_normal());
    assert_eq!(net.nodes[0].states(call).last(), Some(&State::Failed));
    assert_eq!(net.nodes[0].media[&call].last(), Some(&session_proto::media::MediaCommand::Stop));
    net.run_out(Duration::from_secs(600));
    assert_eq!(net.nodes[0].sent_starting("INVITE ").len(), 1, "never sent again");
    assert!(net.nodes[0].endpoint.is_idle(), "{:?}", net.nodes[0].endpoint.stats());
}

#[test]
fn an_error_for_another_address_changes_nothing() {
    let mut net = Net::pair(17);
    let call = net.dial(0, "sip:nobody@127.0.0.1:9");
    net.unreachable(0, addr("127.0.0.1:10"), Unreachable::Host);
    net.unreachable(0, addr("[::1]:9"), Unreachable::Port);
    assert_eq!(net.nodes[0].ended(call), None);
    net.run_for(Duration::from_secs(2));
    assert_eq!(net.nodes[0].sent_starting("INVITE ").len(), 3, "retransmitted as before");
    net.run_for(Duration::from_secs(31));
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Timeout));
}

#[test]
fn a_ringing_call_waits_for_its_answer_whatever_the_network_says() {
    let mut net = Net::pair(17);
    let (alice, bob) = net.ring();
    net.run_for(Duration::from_millis(10));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::RingingOutbound));
    let bobs = net.nodes[1].addr;
    net.unreachable(0, bobs, Unreachable::Port);
    assert_eq!(net.nodes[0].ended(alice), None, "the INVITE only waits; nothing is being sent");
    net.command(1, bob, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::Active));
}

#[test]
fn a_hold_sent_to_a_peer_gone_unreachable_ends_the_call() {
    let mut net = Net::pair(17);
    let (alice, _bob) = net.answered();
    net.command(0, alice, Cmd::Hold).unwrap();
    let bobs = net.nodes[1].addr;
    net.unreachable(0, bobs, Unreachable::Host);
    assert_eq!(
        net.nodes[0].ended(alice),
        Some(EndReason::Unreachable("127.0.0.1:5061 is unreachable (ICMP host unreachable)".into()))
    );
    assert_eq!(net.nodes[0].endpoint.stats().calls, 0);
}

#[test]
fn hanging_up_on_a_peer_gone_unreachable_ends_as_our_hang_up() {
    let mut net = Net::pair(17);
    let (alice, _bob) = net.answered();
    net.command(0, alice, Cmd::Hangup).unwrap();
    assert_eq!(net.nodes[0].sent_starting("BYE ").len(), 1);
    let bobs = net.nodes[1].addr;
    net.unreachable(0, bobs, Unreachable::Port);
    assert_eq!(net.nodes[0].ended(alice), Some(EndReason::LocalHangup));
}

#[test]
fn each_provisional_response_is_reported_before_the_state_it_causes() {
    let mut net = Net::pair(17);
    let (alice, _bob) = net.ring();
    net.run_for(Duration::from_millis(10));
    assert_eq!(progress(&net, 0, alice), [100, 180]);
    let events = &net.nodes[0].events;
    let ringing = events.iter().position(|e| matches!(e, Event::CallProgress { code: 180, .. })).unwrap();
    let state = events
        .iter()
        .position(|e| matches!(e, Event::CallState { state: State::RingingOutbound, .. }))
        .unwrap();
    assert!(ringing < state, "180 first, then RingingOutbound");
    assert!(no_response_yet(&net, 0, alice).is_empty(), "Bob answered 100 Trying at once");
    let bob = net.nodes[1].incoming()[0];
    assert!(progress(&net, 1, bob).is_empty(), "only a caller hears provisionals");
}

#[test]
fn an_invite_without_any_response_is_reported_once_at_its_first_retransmission() {
    let mut net = Net::pair(17);
    let call = net.dial(0, "sip:nobody@127.0.0.1:9");
    net.run_for(Duration::from_millis(450));
    assert!(no_response_yet(&net, 0, call).is_empty(), "not before Timer A");
    net.run_for(Duration::from_millis(100));
    assert_eq!(no_response_yet(&net, 0, call), [Duration::from_millis(500)], "at T1");
    net.run_for(Duration::from_secs(33));
    assert_eq!(no_response_yet(&net, 0, call).len(), 1, "once per call, however often it is sent");
    assert_eq!(net.nodes[0].sent_starting("INVITE ").len(), 7);
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Timeout));
    assert!(progress(&net, 0, call).is_empty());
}

#[test]
fn the_held_side_hears_that_the_peer_holds_it_and_resumes() {
    let mut net = Net::pair(17);
    let (alice, bob) = net.answered();
    net.command(0, alice, Cmd::Hold).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[0].states(alice).last(), Some(&State::OnHold));
    assert_eq!(holds(&net, 1, bob), [true], "Bob is held");
    assert_eq!(net.nodes[1].states(bob).last(), Some(&State::Active), "Bob's state does not say so");
    net.command(0, alice, Cmd::Resume).unwrap();
    net.run_for(Duration::from_millis(50));
    assert_eq!(holds(&net, 1, bob), [true, false], "then resumed");
    assert!(holds(&net, 0, alice).is_empty(), "the holder is not held");
}

#[test]
fn a_target_or_registrar_of_the_other_ip_version_is_refused_with_what_to_bind() {
    let mut net = Net::pair(17);
    let now = net.now;
    let error = net.nodes[0].endpoint.dial(now, "sip:bob@[::1]:5060").unwrap_err();
    assert!(matches!(error, CommandError::IpVersion(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "sip:bob@[::1]:5060 is IPv6 but this peer is bound to 127.0.0.1:5060 (IPv4); \
         bind an IPv6 address such as [::1]:0"
    );
    let credentials = session_proto::auth::Credentials::new("alice", "secret");
    let spec = session_proto::RegisterSpec::new("sip:[::1]:5070", "alice", credentials);
    let error = net.nodes[0].endpoint.register(now, spec).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("sip:[::1]:5070 is IPv6 but this peer is bound to 127.0.0.1:5060 (IPv4)"),
        "{error}"
    );
    net.run_for(Duration::from_millis(10));
    assert!(net.nodes[0].sent.is_empty(), "nothing was sent");
    assert!(net.nodes[0].calls().is_empty(), "no call was created");
}
