//! Reachability and progress over real loopback sockets: a call or a REGISTER to a
//! closed port ends at once on the ICMP error (Linux), a target of the other IP
//! version is refused before sending, and a call reports its provisional responses,
//! an INVITE that nobody answers yet, and the peer's hold.

use std::net::SocketAddr;
use std::time::Duration;

use session_runtime::api::{CallError, CallEvent, CallEvents, EndReason};
use session_runtime::{Call, RegisterError, RegistrationError, SimplePeer, State};
use tokio::time::timeout;

/// A guard only: every test here ends long before it.
const LIMIT: Duration = Duration::from_secs(10);

async fn peer() -> SimplePeer {
    SimplePeer::new("127.0.0.1:0").await.expect("binds")
}

/// A loopback port that was free a moment ago and has nothing bound to it now.
fn closed_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.local_addr().unwrap().port()
}

/// The next event, within the guard.
async fn next(events: &mut CallEvents) -> CallEvent {
    timeout(LIMIT, events.recv()).await.expect("an event in time").expect("the call's events go on")
}

/// Events until one that `wanted` picks; all of them, that one last.
async fn until(events: &mut CallEvents, wanted: impl Fn(&CallEvent) -> bool) -> Vec<CallEvent> {
    let mut seen = Vec::new();
    loop {
        let event = next(events).await;
        let done = wanted(&event);
        seen.push(event);
        if done {
            return seen;
        }
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_call_to_a_closed_port_ends_at_once_as_unreachable_and_the_peer_goes_on() {
    let alice = peer().await;
    let port = closed_port();
    let error = timeout(LIMIT, alice.call(&format!("sip:bob@127.0.0.1:{port}")))
        .await
        .expect("ends long before Timer B")
        .expect_err("nothing listens there");
    let why = format!("127.0.0.1:{port} is unreachable (ICMP port unreachable)");
    assert_eq!(error, CallError::Ended(EndReason::Unreachable(why.clone())));
    assert_eq!(error.to_string(), format!("the call has ended ({why})"));
    // The socket survived the error: a real call still works.
    let bob = peer().await;
    let target = format!("sip:bob@{}", bob.local_addr());
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call");
        call.accept().await.expect("accept");
        (call, bob)
    });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    let (_bobs, _bob) = answering.await.unwrap();
    call.hangup().await.unwrap();
    assert_eq!(timeout(LIMIT, call.ended()).await.unwrap(), EndReason::LocalHangup);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_call_to_a_closed_ipv6_port_ends_at_once_too() {
    // Where this machine has IPv6 loopback (IPV6_RECVERR).
    let Ok(alice) = SimplePeer::new("[::1]:0").await else { return };
    let port = std::net::UdpSocket::bind("[::1]:0").expect("bind").local_addr().unwrap().port();
    let error = timeout(LIMIT, alice.call(&format!("sip:bob@[::1]:{port}")))
        .await
        .expect("ends long before Timer B")
        .expect_err("nothing listens there");
    let why = format!("[::1]:{port} is unreachable (ICMP port unreachable)");
    assert_eq!(error, CallError::Ended(EndReason::Unreachable(why)));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_register_to_a_closed_port_fails_at_once_as_unreachable() {
    let alice = peer().await;
    let port = closed_port();
    let registrar = format!("sip:127.0.0.1:{port}");
    let registering = alice.register(&registrar, "alice", "secret");
    let error =
        timeout(LIMIT, registering).await.expect("fails long before Timer F").expect_err("nobody there");
    let why = format!("127.0.0.1:{port} is unreachable (ICMP port unreachable)");
    assert_eq!(error, RegisterError::Failed(RegistrationError::Transport(why.clone())));
    assert_eq!(error.to_string(), format!("cannot reach the registrar: {why}"));
}

#[tokio::test]
async fn a_target_or_registrar_of_the_other_ip_version_is_refused_before_sending() {
    let alice = peer().await;
    let local = alice.local_addr();
    let error = alice.dial("sip:bob@[::1]:5060").await.expect_err("IPv6 from IPv4");
    assert!(matches!(error, CallError::IpVersion(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "sip:bob@[::1]:5060 is IPv6 but this peer is bound to {local} (IPv4); bind an IPv6 address such as [::1]:0"
        )
    );
    let error = alice.register("sip:[::1]:5070", "alice", "secret").await.expect_err("IPv6 from IPv4");
    assert!(
        matches!(&error, RegisterError::Invalid(why) if why.contains("is IPv6 but this peer is bound to")),
        "{error}"
    );
    // And the reverse, where this machine has IPv6 loopback.
    if let Ok(v6) = SimplePeer::new("[::1]:0").await {
        let error = v6.dial("sip:bob@127.0.0.1:5060").await.expect_err("IPv4 from IPv6");
        assert!(error.to_string().ends_with("(IPv6); bind an IPv4 address such as 127.0.0.1:0"), "{error}");
    }
    assert_eq!(alice.coordinator().stats().await.transactions, 0, "nothing was sent");
}

#[tokio::test]
async fn a_call_reports_100_and_180_before_ringing_then_the_peer_holds_and_resumes() {
    let (alice, bob) = (peer().await, peer().await);
    let target = format!("sip:bob@{}", bob.local_addr());
    let call = alice.dial(&target).await.expect("dials");
    let mut events = call.events().expect("events");
    let seen = until(&mut events, |e| *e == CallEvent::StateChanged(State::RingingOutbound)).await;
    let progress: Vec<_> = seen.iter().filter(|e| matches!(e, CallEvent::Progress(_))).collect();
    assert_eq!(progress, [&CallEvent::Progress(100), &CallEvent::Progress(180)], "{seen:?}");
    assert!(!seen.iter().any(|e| matches!(e, CallEvent::NoResponseYet { .. })), "bob answered at once");
    let bobs: Call = timeout(LIMIT, bob.next_call()).await.unwrap().expect("a call");
    let mut bob_events = bobs.events().expect("events");
    bobs.accept().await.unwrap();
    until(&mut events, |e| *e == CallEvent::StateChanged(State::Active)).await;

    call.hold().await.expect("hold");
    let held = until(&mut bob_events, |e| matches!(e, CallEvent::HeldByPeer(_))).await;
    assert_eq!(held.last(), Some(&CallEvent::HeldByPeer(true)));
    assert_eq!(bobs.state(), State::Active, "bob's state says only whether he holds");
    call.wait_for(State::OnHold).await;
    call.resume().await.expect("resume");
    let resumed = until(&mut bob_events, |e| matches!(e, CallEvent::HeldByPeer(_))).await;
    assert_eq!(resumed.last(), Some(&CallEvent::HeldByPeer(false)));
    call.hangup().await.unwrap();
    let rest = until(&mut events, |e| matches!(e, CallEvent::Ended(_))).await;
    assert!(!rest.iter().any(|e| matches!(e, CallEvent::HeldByPeer(_))), "alice is never held: {rest:?}");
}

#[tokio::test]
async fn an_invite_nobody_answers_is_reported_once_then_times_out() {
    // A socket that takes datagrams and never answers: no ICMP, no response.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let silent_addr: SocketAddr = silent.local_addr().unwrap();
    let t1 = Duration::from_millis(20);
    let alice = SimplePeer::builder("127.0.0.1:0").unwrap().t1(t1).start().await.unwrap();
    let call = alice.dial(&format!("sip:nobody@{silent_addr}")).await.expect("dials");
    let mut events = call.events().expect("events");
    let seen = until(&mut events, |e| matches!(e, CallEvent::Ended(_))).await;
    let waits: Vec<Duration> = seen
        .iter()
        .filter_map(|e| match e {
            CallEvent::NoResponseYet { waited } => Some(*waited),
            _ => None,
        })
        .collect();
    assert_eq!(waits.len(), 1, "once per call, though sent 7 times: {seen:?}");
    assert!(waits[0] >= t1, "after T1 at least: {waits:?}");
    assert_eq!(seen.last(), Some(&CallEvent::Ended(EndReason::Timeout)));
    assert!(!seen.iter().any(|e| matches!(e, CallEvent::Progress(_))));
    drop(silent);
}
