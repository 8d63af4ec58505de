//! Ctrl-C (SIGINT) and SIGTERM stop `simplepeer` cleanly: it hangs up its calls (BYE
//! once answered, CANCEL while ringing), prints its media line and exits 130 or 143;
//! the peer, a `SimplePeer` in this test, sees its call end.

mod common;

use std::time::Duration;

use common::{Running, free_port, simplepeer, wait_until_bound};
use session_core::{EndReason, SimplePeer, State};
use tokio::time::timeout;

/// How long the stopped process may take to exit (the issue asks for 3 s).
const EXIT: Duration = Duration::from_secs(3);
const LIMIT: Duration = Duration::from_secs(10);

fn call(target: &str) -> Running {
    Running::start(simplepeer().args(["call", target, "--duration", "60", "--tone", "440"]))
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_on_the_caller_hangs_up_with_bye() {
    let bob = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let mut caller = call(&bob.uri());
    let incoming = timeout(LIMIT, bob.next_call()).await.expect("the call comes").expect("a call");
    incoming.accept().await.expect("answer");
    incoming.wait_for(State::Active).await;

    caller.signal("INT");
    let ended = timeout(LIMIT, incoming.ended()).await.expect("the call ends");
    assert_eq!(ended, EndReason::RemoteHangup, "the caller sent BYE");
    let status = caller.wait(EXIT);
    assert_eq!(status.and_then(|s| s.code()), Some(130), "{}", caller.output());
    let output = caller.output();
    assert!(output.contains("stopped by SIGINT; hung up 1 call"), "{output}");
    assert!(output.contains("media: calls=1"), "{output}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_ringing_cancels() {
    let bob = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let mut caller = call(&bob.uri());
    let incoming = timeout(LIMIT, bob.next_call()).await.expect("the call comes").expect("a call");
    incoming.wait_for(State::RingingInbound).await;

    caller.signal("INT");
    let ended = timeout(LIMIT, incoming.ended()).await.expect("the call ends");
    assert_eq!(ended, EndReason::RemoteHangup, "the caller sent CANCEL");
    assert_eq!(caller.wait(EXIT).and_then(|s| s.code()), Some(130), "{}", caller.output());
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_on_the_listener_hangs_up_its_call() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut listener = Running::start(simplepeer().args(["listen", "--bind", &bind, "--auto-answer"]));
    wait_until_bound(port);
    let alice = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let outgoing =
        timeout(LIMIT, alice.call(&format!("sip:bob@{bind}"))).await.expect("in time").expect("answered");

    listener.signal("TERM");
    let ended = timeout(LIMIT, outgoing.ended()).await.expect("the call ends");
    assert_eq!(ended, EndReason::RemoteHangup, "the listener sent BYE");
    assert_eq!(listener.wait(EXIT).and_then(|s| s.code()), Some(143), "{}", listener.output());
    assert!(listener.output().contains("stopped by SIGTERM; hung up 1 call"), "{}", listener.output());
}
