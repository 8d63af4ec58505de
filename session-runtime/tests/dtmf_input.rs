//! `Call::send_dtmf` refuses what is not a DTMF string before sending anything: the
//! error names the first bad character (or says the string is empty), and the peer
//! receives none of the string's digits. Over loopback, in both DTMF modes.

use std::time::Duration;

use session_runtime::{Call, CallError, CallEvent, CallEvents, DtmfMode, SimplePeer, State};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

/// Alice (sending DTMF in `mode`) calls Bob, who answers; Alice's call, Bob's events,
/// and both peers (dropping a peer ends its calls).
async fn connected(mode: DtmfMode) -> (Call, CallEvents, SimplePeer, SimplePeer) {
    let alice = SimplePeer::builder("127.0.0.1:0").expect("address").dtmf(mode).start().await.expect("binds");
    let bob = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let target = bob.uri();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call arrives");
        let events = call.events().expect("bob's events, from the start of the call");
        call.accept().await.expect("accept");
        assert_eq!(timeout(LIMIT, call.wait_for(State::Active)).await.expect("in time"), State::Active);
        (events, bob)
    });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    let (events, bob) = answering.await.expect("bob's task");
    (call, events, alice, bob)
}

/// The first digit Bob receives.
async fn first_digit(events: &mut CallEvents) -> char {
    loop {
        match timeout(LIMIT, events.recv()).await.expect("a digit in time") {
            Some(CallEvent::Dtmf(digit)) => return digit,
            Some(_) => {}
            None => panic!("the call ended before any digit arrived"),
        }
    }
}

async fn bad_strings_are_refused_and_send_nothing(mode: DtmfMode) {
    let (alice, mut bobs, _a, _b) = connected(mode).await;

    let error = alice.send_dtmf("XYZ").await.expect_err("XYZ has no DTMF digit");
    assert_eq!(error, CallError::InvalidDtmf { digits: "XYZ".into(), digit: Some('X') });
    assert!(error.to_string().contains("'X' is not a DTMF digit"), "{error}");

    // Valid digits before the bad one are not sent either.
    let error = alice.send_dtmf("12e").await.expect_err("e is not a digit");
    assert_eq!(error, CallError::InvalidDtmf { digits: "12e".into(), digit: Some('e') });

    let error = alice.send_dtmf("").await.expect_err("nothing to send");
    assert_eq!(error, CallError::InvalidDtmf { digits: String::new(), digit: None });
    assert!(error.to_string().contains("no digits"), "{error}");

    // Lower-case a-d are digits; this is the first one Bob hears, so the refused strings
    // sent nothing (not the 1 and 2 of "12e").
    alice.send_dtmf("d").await.expect("d is a DTMF digit");
    assert_eq!(first_digit(&mut bobs).await, 'D', "{mode:?}");
    assert_eq!(alice.state(), State::Active, "a refused string leaves the call as it was");
    alice.hangup().await.expect("hangup");
}

#[tokio::test]
async fn bad_dtmf_is_refused_before_anything_is_sent_by_rfc4733() {
    bad_strings_are_refused_and_send_nothing(DtmfMode::Rfc4733).await;
}

#[tokio::test]
async fn bad_dtmf_is_refused_before_anything_is_sent_by_sip_info() {
    bad_strings_are_refused_and_send_nothing(DtmfMode::Info).await;
}
