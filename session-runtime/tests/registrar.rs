//! The embedded registrar over a real loopback socket: digest REGISTER answered from the
//! memory store and from Redis, and two nodes on one Redis that share bindings and the
//! nonce secret.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use session_runtime::Server;
use session_runtime::auth::{Challenge, Credentials, DigestClient, Users};
use session_runtime::location::RedisStore;
use tokio::net::UdpSocket;
use tokio::time::timeout;

const REALM: &str = "example.com";

fn users() -> Users {
    Users::parse("alice:wonderland\nbob:builder\n", REALM).expect("users")
}

/// A REGISTER for `user`'s AoR from `us`, with `auth` (an Authorization line) or none.
fn register(server: SocketAddr, us: SocketAddr, user: &str, cseq: u32, auth: &str) -> String {
    format!(
        "REGISTER sip:{server} SIP/2.0\r\nVia: SIP/2.0/UDP {us};branch=z9hG4bK-reg{cseq}-{user}-{}\r\n\
         From: <sip:{user}@{REALM}>;tag=t{cseq}\r\nTo: <sip:{user}@{REALM}>\r\nCall-ID: reg-{user}-{us}\r\n\
         CSeq: {cseq} REGISTER\r\nContact: <sip:{user}@{us}>\r\nExpires: 600\r\nMax-Forwards: 70\r\n\
         {auth}Content-Length: 0\r\n\r\n",
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

/// Registers `user` with `password`: the challenge, then the answer to it. Returns the
/// final response.
async fn register_with(server: SocketAddr, user: &str, password: &str) -> String {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let us = socket.local_addr().expect("addr");
    let challenge = ask(&socket, server, &register(server, us, user, 1, "")).await;
    assert_eq!(status(&challenge), 401, "{challenge}");
    let offered = challenge.lines().filter_map(|l| l.strip_prefix("WWW-Authenticate: "));
    let best = Challenge::best(offered).expect("a digest challenge");
    let mut client = DigestClient::new(Credentials::new(user, password));
    let value = client.answer(&best, "REGISTER", &format!("sip:{server}"), "0a4f113b").expect("answer");
    ask(&socket, server, &register(server, us, user, 2, &format!("Authorization: {value}\r\n"))).await
}

#[tokio::test]
async fn a_user_registers_with_digest_and_a_wrong_password_or_an_unknown_user_is_challenged_again() {
    let server = Server::builder("127.0.0.1:0", REALM, users()).unwrap().start().await.unwrap();
    let addr = server.local_addr();
    let accepted = register_with(addr, "alice", "wonderland").await;
    assert_eq!(status(&accepted), 200, "{accepted}");
    assert!(accepted.contains("Contact: <sip:alice@127.0.0.1:"), "the 200 lists the binding: {accepted}");
    assert!(accepted.contains("expires=600"), "with its expiry: {accepted}");
    let wrong = register_with(addr, "alice", "guess").await;
    assert_eq!(status(&wrong), 401, "a wrong password is challenged again: {wrong}");
    let unknown = register_with(addr, "mallory", "guess").await;
    assert_eq!(status(&unknown), 401, "an unknown user gets the same answer: {unknown}");
}

#[tokio::test]
async fn two_nodes_on_one_redis_share_bindings_and_the_nonce_secret() {
    let redis = common::redis_server::RedisServer::start();
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let store = RedisStore::connect(&redis.url()).await.expect("connect");
        let secret = store.shared_secret().await.expect("secret");
        let server = Server::builder("127.0.0.1:0", REALM, users())
            .unwrap()
            .secret(secret)
            .store(Arc::new(store))
            .start()
            .await
            .unwrap();
        nodes.push(server);
    }
    let (a, b) = (nodes[0].local_addr(), nodes[1].local_addr());
    // Challenged by node A, answered to node B: B checks A's nonce with the shared secret.
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let us = socket.local_addr().expect("addr");
    let challenge = ask(&socket, a, &register(a, us, "bob", 1, "")).await;
    let offered = challenge.lines().filter_map(|l| l.strip_prefix("WWW-Authenticate: "));
    let best = Challenge::best(offered).expect("a digest challenge");
    let mut client = DigestClient::new(Credentials::new("bob", "builder"));
    let value = client.answer(&best, "REGISTER", &format!("sip:{b}"), "77aa").expect("answer");
    let accepted = ask(&socket, b, &register(b, us, "bob", 2, &format!("Authorization: {value}\r\n"))).await;
    assert_eq!(status(&accepted), 200, "node B accepts node A's nonce: {accepted}");
    // The same answer again, now at node A: the shared nonce count refuses the replay.
    let replayed = ask(&socket, a, &register(b, us, "bob", 3, &format!("Authorization: {value}\r\n"))).await;
    assert_eq!(status(&replayed), 401, "a replay at the other node is refused: {replayed}");
    // Node A sees the binding node B stored: a fresh REGISTER of bob at A lists it.
    let again = register_with(a, "bob", "builder").await;
    assert_eq!(status(&again), 200, "{again}");
    assert!(again.contains(&format!("Contact: <sip:bob@{us}>")), "node A sees B's binding: {again}");
}
