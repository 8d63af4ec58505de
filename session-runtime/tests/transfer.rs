//! Transfer between three SimplePeers over loopback UDP: Bob hands Alice on to Carol,
//! blind (REFER) or attended (REFER with Replaces), and Alice ends up talking to Carol,
//! checked by the tones each records; a transfer Carol refuses leaves Bob's call up.

mod common;

use std::time::Duration;

use common::tones::each_hears_the_other;
use session_runtime::api::EndReason;
use session_runtime::{Call, CallEvent, CallEvents, SimplePeer, State};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

async fn peer() -> SimplePeer {
    SimplePeer::new("127.0.0.1:0").await.expect("binds")
}

fn uri_of(user: &str, peer: &SimplePeer) -> String {
    format!("sip:{user}@{}", peer.local_addr())
}

/// `from` calls `to`, which answers; both calls, once up.
async fn connect(from: &SimplePeer, to: &SimplePeer, user: &str) -> (Call, Call) {
    let target = uri_of(user, to);
    let answering = async {
        let call = to.next_call().await.expect("a call arrives");
        call.accept().await.expect("accept");
        call
    };
    let (placed, answered) = tokio::join!(from.call(&target), answering);
    let placed = placed.expect("answered");
    assert_eq!(answered.wait_for(State::Active).await, State::Active);
    (placed, answered)
}

/// The call Alice placed for the transfer, from her first call's events.
async fn transferred_call(events: &mut CallEvents) -> Call {
    loop {
        match timeout(LIMIT, events.recv()).await.expect("a transfer in time") {
            Some(CallEvent::TransferRequested { new_call: Some(call), .. }) => return call,
            Some(_) => {}
            None => panic!("the call ended before it was transferred"),
        }
    }
}

/// The transfer statuses Bob hears, up to the final one.
async fn statuses(events: &mut CallEvents) -> Vec<u16> {
    let mut seen = Vec::new();
    while let Some(event) = timeout(LIMIT, events.recv()).await.expect("transfer news in time") {
        if let CallEvent::TransferStatus(code) = event {
            seen.push(code);
            if code >= 200 {
                break;
            }
        }
    }
    seen
}

#[tokio::test]
async fn blind_transfer_hands_alice_to_carol() {
    let (alice, bob, carol) = (peer().await, peer().await, peer().await);
    let (alice_bob, bob_alice) = connect(&alice, &bob, "bob").await;
    let mut alice_events = alice_bob.events().expect("events");
    let mut bob_events = bob_alice.events().expect("events");
    bob_alice.transfer(&uri_of("carol", &carol)).await.expect("REFER sent");
    let carol_call = timeout(LIMIT, carol.next_call()).await.expect("Carol rings").expect("a call");
    carol_call.accept().await.expect("accept");
    let alice_carol = transferred_call(&mut alice_events).await;
    assert_eq!(alice_carol.wait_for(State::Active).await, State::Active);

    let seen = statuses(&mut bob_events).await;
    assert_eq!((seen.first(), seen.last()), (Some(&100), Some(&200)), "Bob heard {seen:?}");
    assert_eq!(timeout(LIMIT, bob_alice.ended()).await.expect("ends"), EndReason::Transferred);
    assert_eq!(timeout(LIMIT, alice_bob.ended()).await.expect("ends"), EndReason::RemoteHangup);
    each_hears_the_other(&alice_carol, &carol_call, "blind-transfer").await;
}

#[tokio::test]
async fn attended_transfer_replaces_bobs_call_with_carol() {
    let (alice, bob, carol) = (peer().await, peer().await, peer().await);
    let (alice_bob, bob_alice) = connect(&alice, &bob, "bob").await;
    let (bob_carol, carol_bob) = connect(&bob, &carol, "carol").await;
    let mut alice_events = alice_bob.events().expect("events");
    let mut bob_events = bob_alice.events().expect("events");
    bob_alice.transfer_to(&bob_carol).await.expect("REFER with Replaces sent");
    let alice_carol = transferred_call(&mut alice_events).await;
    let carol_alice = timeout(LIMIT, carol.next_call()).await.expect("in time").expect("the replacing call");
    assert_eq!(carol_alice.wait_for(State::Active).await, State::Active, "answered without a hand");
    assert_eq!(alice_carol.wait_for(State::Active).await, State::Active);

    assert_eq!(statuses(&mut bob_events).await.last(), Some(&200));
    assert_eq!(timeout(LIMIT, carol_bob.ended()).await.expect("ends"), EndReason::LocalHangup);
    assert_eq!(timeout(LIMIT, bob_carol.ended()).await.expect("ends"), EndReason::RemoteHangup);
    assert_eq!(timeout(LIMIT, bob_alice.ended()).await.expect("ends"), EndReason::Transferred);
    each_hears_the_other(&alice_carol, &carol_alice, "attended-transfer").await;
}

#[tokio::test]
async fn a_transfer_carol_refuses_leaves_bob_talking_to_alice() {
    let (alice, bob, carol) = (peer().await, peer().await, peer().await);
    let (alice_bob, bob_alice) = connect(&alice, &bob, "bob").await;
    let mut bob_events = bob_alice.events().expect("events");
    bob_alice.transfer(&uri_of("carol", &carol)).await.expect("REFER sent");
    let carol_call = timeout(LIMIT, carol.next_call()).await.expect("Carol rings").expect("a call");
    carol_call.reject(486).await.expect("reject");
    assert_eq!(statuses(&mut bob_events).await.last(), Some(&486));
    assert_eq!(bob_alice.wait_for(State::Active).await, State::Active);
    each_hears_the_other(&alice_bob, &bob_alice, "refused-transfer").await;
}

#[tokio::test]
async fn a_transfer_to_something_that_is_not_a_uri_is_refused_before_sending() {
    let (alice, bob) = (peer().await, peer().await);
    let (alice_bob, bob_alice) = connect(&alice, &bob, "bob").await;
    let error = bob_alice.transfer("carol at home").await.expect_err("not a SIP URI");
    assert!(error.to_string().contains("carol at home"), "{error}");
    assert_eq!(bob_alice.state(), State::Active);
    alice_bob.hangup().await.expect("hangup");
}
