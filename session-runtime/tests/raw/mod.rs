//! Raw SIP over a real loopback socket, for the tests that write requests by hand.

#![allow(dead_code)] // each test file uses a different part

use std::net::SocketAddr;
use std::time::Duration;

use session_runtime::SimplePeer;
use tokio::net::UdpSocket;
use tokio::time::timeout;

/// A request from `from` to `to`, with `headers` after the request line.
pub fn request(method: &str, to: SocketAddr, from: SocketAddr, headers: &str, body: &str) -> String {
    format!(
        "{method} sip:bob@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bK-{}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        rand_branch(),
        body.len()
    )
}

fn rand_branch() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub const DIALOG: &str =
    "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: bad-1\r\nCSeq: 1 ";

/// Sends `datagram` and returns the status line of the answer, if one comes.
pub async fn exchange(socket: &UdpSocket, to: SocketAddr, datagram: &[u8]) -> Option<String> {
    socket.send_to(datagram, to).await.expect("send");
    next_status(socket).await
}

/// The status line of the next datagram to arrive within half a second, if one does.
pub async fn next_status(socket: &UdpSocket) -> Option<String> {
    let mut buf = vec![0u8; 65_535];
    let (len, _) = timeout(Duration::from_millis(500), socket.recv_from(&mut buf)).await.ok()?.ok()?;
    let text = String::from_utf8_lossy(&buf[..len]).into_owned();
    Some(text.lines().next().unwrap_or("").to_owned())
}

/// Sends `datagram` and returns the first final answer in full (skipping 100 Trying).
pub async fn final_answer(socket: &UdpSocket, to: SocketAddr, datagram: &[u8]) -> String {
    socket.send_to(datagram, to).await.expect("send");
    let mut buf = vec![0u8; 65_535];
    loop {
        let received = timeout(Duration::from_millis(500), socket.recv_from(&mut buf)).await;
        let (len, _) = received.expect("an answer in time").expect("receive");
        let text = String::from_utf8_lossy(&buf[..len]).into_owned();
        if !text.starts_with("SIP/2.0 100") {
            return text;
        }
    }
}

/// A peer, and a socket of the test's that talks to it: (peer, socket, peer address,
/// socket address).
pub async fn setup() -> (SimplePeer, UdpSocket, SocketAddr, SocketAddr) {
    let bob = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let (socket, to, from) = socket_to(&bob).await;
    (bob, socket, to, from)
}

/// A socket of the test's for talking to `peer`: (socket, peer address, socket address).
pub async fn socket_to(peer: &SimplePeer) -> (UdpSocket, SocketAddr, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("binds");
    let from = socket.local_addr().expect("addr");
    (socket, peer.local_addr(), from)
}
