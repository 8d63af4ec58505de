//! Calls by address of record through the embedded registrar and proxy, over real
//! loopback sockets: two SimplePeers register to one server and talk, tones both ways;
//! two server nodes on one Redis, where alice registers at node A and bob reaches her
//! through node B; and a refresh whose nonce went stale, which the client recovers from.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::servers::{REALM, memory_server, redis_nodes};
use common::tones::each_hears_the_other;
use session_runtime::{Call, Registration, RegistrationState, SimplePeer, State};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

/// A peer for `user` whose requests go through `proxy`, registered there as
/// `sip:USER@REALM` with `password`.
async fn registered(proxy: SocketAddr, user: &str, password: &str) -> (SimplePeer, Registration) {
    let peer =
        SimplePeer::builder("127.0.0.1:0").unwrap().user(user).outbound_proxy(proxy).start().await.unwrap();
    let registrar = format!("sip:{REALM}");
    let registering = peer.register(&registrar, user, password);
    let registration = timeout(LIMIT, registering).await.expect("in time").expect("accepted");
    assert_eq!(registration.state(), RegistrationState::Registered);
    (peer, registration)
}

/// `caller` calls `callee`'s address of record; the callee answers. Both calls, once
/// active.
async fn call_by_aor(caller: &SimplePeer, callee: SimplePeer, callee_user: &str) -> (Call, Call, SimplePeer) {
    let answering = tokio::spawn(async move {
        let call = timeout(LIMIT, callee.next_call()).await.expect("the callee rings").expect("a call");
        call.accept().await.expect("accept");
        (call, callee)
    });
    let aor = format!("sip:{callee_user}@{REALM}");
    let placed = timeout(LIMIT, caller.call(&aor)).await.expect("in time").expect("answered");
    let (answered, callee) = answering.await.expect("the callee's task");
    assert_eq!(timeout(LIMIT, answered.wait_for(State::Active)).await.expect("in time"), State::Active);
    assert_eq!(placed.state(), State::Active);
    (placed, answered, callee)
}

#[tokio::test]
async fn two_peers_register_to_the_server_and_talk_by_address_of_record() {
    let server = memory_server(|_| {}).await;
    let (alice, _alice_reg) = registered(server.local_addr(), "alice", "wonderland").await;
    let (bob, _bob_reg) = registered(server.local_addr(), "bob", "builder").await;
    let (placed, answered, bob) = call_by_aor(&alice, bob, "bob").await;
    assert_eq!(answered.remote_uri(), "sip:alice@example.com", "bob sees alice's address of record");
    each_hears_the_other(&placed, &answered, "memory-aor").await;
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test]
async fn alice_registered_at_node_a_is_reached_through_node_b() {
    let redis = common::redis_server::RedisServer::start();
    let nodes = redis_nodes(&redis, 2, |_| {}).await;
    let (alice, _alice_reg) = registered(nodes[0].local_addr(), "alice", "wonderland").await;
    let (bob, _bob_reg) = registered(nodes[1].local_addr(), "bob", "builder").await;
    let (placed, answered, alice) = call_by_aor(&bob, alice, "alice").await;
    assert_eq!(answered.remote_uri(), "sip:bob@example.com", "alice sees bob's address of record");
    each_hears_the_other(&placed, &answered, "redis-cross-node").await;
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test]
async fn a_refresh_on_a_stale_nonce_is_challenged_again_and_the_peer_stays_registered() {
    // Grants of 3 s are refreshed after 2.7 s, when the 1 s nonce has gone stale: the
    // server answers the reused nonce with a stale=true challenge, which the client
    // answers on its own (a client that gave up would end Failed here).
    let server = memory_server(|config| {
        config.nonce_lifetime = Duration::from_secs(1);
        (config.min_expires, config.max_expires) = (1, 3);
    })
    .await;
    let (alice, registration) = registered(server.local_addr(), "alice", "wonderland").await;
    assert_eq!(registration.expires(), Some(3));
    let mut seen = Vec::new();
    let refreshed = async {
        while let Some(change) = registration.next_change().await {
            seen.push(change.state);
            if seen.ends_with(&[RegistrationState::Refreshing, RegistrationState::Registered]) {
                return;
            }
        }
    };
    timeout(LIMIT, refreshed).await.unwrap_or_else(|_| panic!("no refresh in time: {seen:?}"));
    let status = registration.status();
    assert_eq!((status.state, status.error), (RegistrationState::Registered, None), "{seen:?}");
    alice.shutdown().await;
}
