//! `SimplePeer::uri` is the address others call: the user set with
//! `PeerBuilder::user` (or the default) at the bound address, and a call placed to it
//! arrives from the caller's user.

use std::time::Duration;

use session_runtime::{SimplePeer, State};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn uri_names_the_builders_user_at_the_bound_port() {
    let carol =
        SimplePeer::builder("127.0.0.1:0").expect("address").user("carol").start().await.expect("binds");
    let bound = carol.local_addr();
    assert_ne!(bound.port(), 0, "port 0 was replaced by the port the socket got");
    assert_eq!(carol.uri(), format!("sip:carol@{bound}"));

    let default = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    assert_eq!(default.uri(), format!("sip:simplepeer@{}", default.local_addr()));
}

#[tokio::test]
async fn a_call_to_uri_arrives_from_the_callers_user() {
    let alice =
        SimplePeer::builder("127.0.0.1:0").expect("address").user("alice").start().await.expect("binds");
    let bob = SimplePeer::builder("127.0.0.1:0").expect("address").user("bob").start().await.expect("binds");
    let target = bob.uri();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call arrives");
        let from = call.remote_uri().to_owned();
        call.accept().await.expect("accept");
        (from, call, bob)
    });
    let call = timeout(LIMIT, alice.call(&target)).await.expect("in time").expect("answered");
    let (from, bobs, _bob) = answering.await.expect("bob's task");
    assert_eq!(call.state(), State::Active);
    assert!(from.starts_with("sip:alice@"), "Bob sees the call from {from}");
    assert!(call.remote_uri().contains("bob@"), "Alice called {}", call.remote_uri());
    call.hangup().await.expect("hangup");
    timeout(LIMIT, bobs.ended()).await.expect("bob's call ends");
}

#[tokio::test]
async fn a_display_name_that_would_break_a_header_is_refused_at_start() {
    let started =
        SimplePeer::builder("127.0.0.1:0").expect("address").display_name("Alice\r\nVia: x").start().await;
    let error = started.expect_err("a control character in the name");
    assert!(error.to_string().contains("has a control character"), "{error}");
    let named =
        SimplePeer::builder("127.0.0.1:0").expect("address").display_name("Alice Liddell").start().await;
    assert!(named.is_ok(), "a printable name is fine");
}
