//! The embedded registrar over a real loopback socket: digest REGISTER answered from the
//! memory store and from Redis, two nodes on one Redis that share bindings and the
//! nonce secret, and a binding that expires on both.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use session_runtime::auth::{Challenge, Credentials, DigestClient};
use tokio::net::UdpSocket;
use tokio::time::timeout;

use common::servers::{REALM, memory_server, redis_nodes};

/// A REGISTER for `user`'s AoR from `us` that binds `us` for `expires` seconds, or
/// only asks for the bindings when `expires` is `None`; with `auth` (an Authorization
/// line) or none.
fn register(
    server: SocketAddr,
    us: SocketAddr,
    user: &str,
    cseq: u32,
    expires: Option<u32>,
    auth: &str,
) -> String {
    let binding = match expires {
        Some(expires) => format!("Contact: <sip:{user}@{us}>\r\nExpires: {expires}\r\n"),
        None => String::new(),
    };
    format!(
        "REGISTER sip:{server} SIP/2.0\r\nVia: SIP/2.0/UDP {us};branch=z9hG4bK-reg{cseq}-{user}-{}\r\n\
         From: <sip:{user}@{REALM}>;tag=t{cseq}\r\nTo: <sip:{user}@{REALM}>\r\nCall-ID: reg-{user}-{us}\r\n\
         CSeq: {cseq} REGISTER\r\n{binding}Max-Forwards: 70\r\n{auth}Content-Length: 0\r\n\r\n",
        us.port()
    )
}

/// Sends `message` and returns the next answer's text.
async fn ask(socket: &UdpSocket, to: SocketAddr, message: &str) -> String {
    socket.send_to(message.as_bytes(), to).await.expect("send");
    let mut buf = vec![0u8; 65_535];
    let (len, _) = timeout(Duration::from_secs(2), socket.recv_from(&mut buf))
        .await
        .unwrap_or_else(|_| panic!("no answer within 2 s to {message}"))
        .expect("receive");
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

fn status(response: &str) -> u16 {
    response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0)
}

/// Registers `user` with `password` for `expires` seconds (or asks for the bindings):
/// the challenge, then the answer to it. Returns the final response.
async fn register_with(server: SocketAddr, user: &str, password: &str, expires: Option<u32>) -> String {
    register_as(server, user, (user, password), expires).await
}

/// Registers `user`'s address of record, answering the challenge as `login` (user,
/// password). Returns the final response.
async fn register_as(server: SocketAddr, user: &str, login: (&str, &str), expires: Option<u32>) -> String {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let us = socket.local_addr().expect("addr");
    let challenge = ask(&socket, server, &register(server, us, user, 1, expires, "")).await;
    assert_eq!(status(&challenge), 401, "{challenge}");
    let offered = challenge.lines().filter_map(|l| l.strip_prefix("WWW-Authenticate: "));
    let best = Challenge::best(offered).expect("a digest challenge");
    let mut client = DigestClient::new(Credentials::new(login.0, login.1));
    let value = client
        .answer(&best, "REGISTER", &format!("sip:{server}"), &format!("c{}", us.port()))
        .expect("answer");
    ask(&socket, server, &register(server, us, user, 2, expires, &format!("Authorization: {value}\r\n")))
        .await
}

#[tokio::test]
async fn a_user_registers_with_digest_a_wrong_password_or_an_unknown_user_is_challenged_and_another_aor_is_403()
 {
    let server = memory_server(|_| {}).await;
    let addr = server.local_addr();
    let accepted = register_with(addr, "alice", "wonderland", Some(600)).await;
    assert_eq!(status(&accepted), 200, "{accepted}");
    assert!(accepted.contains("Contact: <sip:alice@127.0.0.1:"), "the 200 lists the binding: {accepted}");
    assert!(accepted.contains("expires=600"), "with its expiry: {accepted}");
    let wrong = register_with(addr, "alice", "guess", Some(600)).await;
    assert_eq!(status(&wrong), 401, "a wrong password is challenged again: {wrong}");
    let unknown = register_with(addr, "mallory", "guess", Some(600)).await;
    assert_eq!(status(&unknown), 401, "an unknown user gets the same answer: {unknown}");
    let others = register_as(addr, "bob", ("alice", "wonderland"), Some(600)).await;
    assert_eq!(status(&others), 403, "alice may not register bob's address of record: {others}");
}

#[tokio::test]
async fn two_nodes_on_one_redis_share_bindings_and_the_nonce_secret() {
    let redis = common::redis_server::RedisServer::start();
    let nodes = redis_nodes(&redis, 2, |_| {}).await;
    let (a, b) = (nodes[0].local_addr(), nodes[1].local_addr());
    // Challenged by node A, answered to node B: B checks A's nonce with the shared secret.
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let us = socket.local_addr().expect("addr");
    let challenge = ask(&socket, a, &register(a, us, "bob", 1, Some(600), "")).await;
    let offered = challenge.lines().filter_map(|l| l.strip_prefix("WWW-Authenticate: "));
    let best = Challenge::best(offered).expect("a digest challenge");
    let mut client = DigestClient::new(Credentials::new("bob", "builder"));
    let value = client.answer(&best, "REGISTER", &format!("sip:{b}"), "77aa").expect("answer");
    let accepted =
        ask(&socket, b, &register(b, us, "bob", 2, Some(600), &format!("Authorization: {value}\r\n"))).await;
    assert_eq!(status(&accepted), 200, "node B accepts node A's nonce: {accepted}");
    // The same answer again, now at node A: the shared nonce count refuses the replay.
    let replayed =
        ask(&socket, a, &register(b, us, "bob", 3, Some(600), &format!("Authorization: {value}\r\n"))).await;
    assert_eq!(status(&replayed), 401, "a replay at the other node is refused: {replayed}");
    // Node A sees the binding node B stored: a fresh REGISTER of bob at A lists it.
    let again = register_with(a, "bob", "builder", Some(600)).await;
    assert_eq!(status(&again), 200, "{again}");
    assert!(again.contains(&format!("Contact: <sip:bob@{us}>")), "node A sees B's binding: {again}");
}

#[tokio::test]
async fn a_binding_expires_on_both_nodes_sharing_one_redis() {
    let redis = common::redis_server::RedisServer::start();
    let nodes = redis_nodes(&redis, 2, |config| config.min_expires = 1).await;
    let (a, b) = (nodes[0].local_addr(), nodes[1].local_addr());
    let granted = register_with(a, "alice", "wonderland", Some(2)).await;
    assert_eq!(status(&granted), 200, "{granted}");
    let contact = granted.lines().find(|l| l.starts_with("Contact: ")).expect("the binding").to_owned();
    assert!(contact.ends_with("expires=2"), "{contact}");
    for node in [a, b] {
        let listed = register_with(node, "alice", "wonderland", None).await;
        assert_eq!(status(&listed), 200, "{listed}");
        assert!(listed.contains("Contact: <sip:alice@127.0.0.1:"), "{node} lists the binding: {listed}");
    }
    tokio::time::sleep(Duration::from_millis(3100)).await;
    for node in [a, b] {
        let listed = register_with(node, "alice", "wonderland", None).await;
        assert_eq!(status(&listed), 200, "{listed}");
        assert!(!listed.contains("Contact:"), "{node} no longer lists the expired binding: {listed}");
    }
}
