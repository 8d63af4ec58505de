//! A proxy scene for the server tests: a registrar and proxy node (node 0) for
//! `example.com`, Bob's phones as endpoint nodes bound to `sip:bob@example.com`, and
//! Alice as a hand-written phone that authenticates her INVITE.

use std::net::SocketAddr;

use session_proto::EndpointConfig;

use super::location::EPOCH_UNIX;
use super::phone::{Phone, header, status};
use super::{Conditions, Net};

pub const USERS: &str = "alice:wonderland\nbob:builder\n";
pub const SERVER: usize = 0;
pub const BOB_AOR: &str = "sip:bob@example.com";

/// An audio offer Bob's endpoints accept.
pub const SDP: &str = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                       m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

/// The server, then `bobs` endpoints each bound to Bob's AoR (configured by `bob`),
/// and Alice's phone.
pub fn scene(
    seed: u64,
    bobs: usize,
    server: impl FnOnce(&mut EndpointConfig),
    bob: impl Fn(&mut EndpointConfig),
) -> (Net, Phone) {
    let mut net = Net::new(seed, Conditions::CLEAN);
    net.add_server("example.com", USERS, server);
    for _ in 0..bobs {
        let index = net.add("bob", &bob);
        let addr = net.nodes[index].addr;
        net.location.bind(BOB_AOR, &format!("sip:bob@{addr}"), addr, EPOCH_UNIX + 3600);
    }
    (net, Phone::new("127.0.0.1:5999", "alice", "wonderland"))
}

/// The server's address.
pub fn server_addr(net: &Net) -> SocketAddr {
    net.nodes[SERVER].addr
}

/// Alice sends `method` to `uri` with `headers` and `body`, is challenged (407, which
/// she ACKs for an INVITE), and sends it again with her Proxy-Authorization. Returns
/// the authenticated request's text and branch.
pub fn authenticated(
    net: &mut Net,
    alice: &mut Phone,
    method: &str,
    uri: &str,
    headers: &str,
    body: &str,
) -> (String, String) {
    let to = format!("<{uri}>");
    let (branch, text) = alice.request(method, uri, &to, headers, body);
    net.inject(SERVER, alice.addr, &text);
    let challenge = net.responses(alice.addr, &branch).pop().expect("a challenge");
    assert_eq!(status(&challenge), 407, "{challenge}");
    if method == "INVITE" {
        let ack = alice.ack_failure(&text, &challenge);
        net.inject(SERVER, alice.addr, &ack);
    }
    let authorization = alice.answer(&challenge, method, uri);
    let (branch, text) = alice.request(method, uri, &to, &format!("{authorization}{headers}"), body);
    net.inject(SERVER, alice.addr, &text);
    (text, branch)
}

/// Alice's authenticated INVITE to Bob's AoR, with an offer.
pub fn invite_bob(net: &mut Net, alice: &mut Phone) -> (String, String) {
    let headers = format!("Contact: <{}>\r\nContent-Type: application/sdp\r\n", alice.contact());
    authenticated(net, alice, "INVITE", BOB_AOR, &headers, SDP)
}

/// The final responses (to the request, not a CANCEL) that reached Alice on `branch`.
pub fn finals(net: &Net, alice: &Phone, branch: &str) -> Vec<String> {
    net.responses(alice.addr, branch)
        .into_iter()
        .filter(|r| status(r) >= 200 && !header(r, "CSeq").unwrap_or_default().ends_with("CANCEL"))
        .collect()
}
