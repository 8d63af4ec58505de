//! A hand-driven SIP client over UDP against `simplepeer listen --reject 486`, and a
//! builder for the requests the tests send.

#![allow(dead_code)] // each test uses a different part

#[path = "../common/mod.rs"]
mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::Running;

/// A minimal offer, valid enough for the listener to reach its answer.
pub const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                       m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/// `simplepeer listen` rejecting every call with 486, and a socket to talk to it.
pub struct Peer {
    _listener: Running,
    /// Where the listener is bound.
    pub target: SocketAddr,
    socket: UdpSocket,
}

impl Peer {
    /// Starts the listener on a free port and binds the client socket.
    pub fn new() -> Self {
        Peer::listening(&["--reject", "486"])
    }

    /// `simplepeer listen` with `args` on a free port, and the client socket.
    pub fn listening(args: &[&str]) -> Self {
        let port = common::free_port();
        let bind = format!("127.0.0.1:{port}");
        let listener = Running::start(common::simplepeer().args(["listen", "--bind", &bind]).args(args));
        common::wait_until_bound(port);
        Peer { _listener: listener, target: bind.parse().expect("address"), socket: Peer::socket() }
    }

    /// A fresh client socket on an ephemeral loopback port.
    pub fn socket() -> UdpSocket {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind the client");
        socket.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
        socket
    }

    /// The client socket's address, for Via and Contact.
    pub fn local(&self) -> SocketAddr {
        self.socket.local_addr().expect("local address")
    }

    /// Sends `request` and collects the answers until a final one, which it ACKs when it
    /// is not a 2xx (the 486 and every refusal). Panics after 5 s without a final answer.
    pub fn send(&self, request: &str) -> Answer {
        self.send_from(&self.socket, request)
    }

    /// [`Peer::send`] from another socket.
    pub fn send_from(&self, socket: &UdpSocket, request: &str) -> Answer {
        let answer = self.ask_from(socket, request);
        if answer.code() >= 300 && request.starts_with("INVITE ") {
            self.ack_from(socket, request, &answer);
        }
        answer
    }

    /// Sends `request` and returns its final answer, without an ACK.
    pub fn ask(&self, request: &str) -> Answer {
        self.ask_from(&self.socket, request)
    }

    fn ask_from(&self, socket: &UdpSocket, request: &str) -> Answer {
        socket.send_to(request.as_bytes(), self.target).expect("send");
        self.final_answer(socket).unwrap_or_else(|| panic!("no final answer to\n{request}"))
    }

    /// ACKs the non-2xx `answer` to the INVITE `request`.
    pub fn ack(&self, request: &str, answer: &Answer) {
        self.ack_from(&self.socket, request, answer);
    }

    fn ack_from(&self, socket: &UdpSocket, request: &str, answer: &Answer) {
        socket.send_to(ack_for(request, answer).as_bytes(), self.target).expect("send the ACK");
    }

    /// The next final answer arriving on `socket` within 5 s.
    pub fn final_answer(&self, socket: &UdpSocket) -> Option<Answer> {
        self.answer_from(socket, 200)
    }

    /// The next answer with a status of `at_least` or more arriving on `socket` within 5 s.
    pub fn answer_from(&self, socket: &UdpSocket, at_least: u16) -> Option<Answer> {
        let start = Instant::now();
        let mut buffer = [0u8; 65_535];
        while start.elapsed() < Duration::from_secs(5) {
            let Ok(length) = socket.recv(&mut buffer) else { continue };
            let answer = Answer { text: String::from_utf8_lossy(&buffer[..length]).into_owned() };
            if answer.code() >= at_least {
                return Some(answer);
            }
        }
        None
    }

    /// Sends `request` and returns the first answer past 100 Trying.
    pub fn send_until_ringing(&self, request: &str) -> Answer {
        self.socket.send_to(request.as_bytes(), self.target).expect("send");
        self.answer_from(&self.socket, 101).unwrap_or_else(|| panic!("no answer past 100 to\n{request}"))
    }

    /// Every datagram that reaches the client socket within `window`.
    pub fn received_within(&self, window: Duration) -> Vec<Answer> {
        let start = Instant::now();
        let mut buffer = [0u8; 65_535];
        let mut all = Vec::new();
        while start.elapsed() < window {
            if let Ok(length) = self.socket.recv(&mut buffer) {
                all.push(Answer { text: String::from_utf8_lossy(&buffer[..length]).into_owned() });
            }
        }
        all
    }
}

/// The ACK of RFC 3261 17.1.1.3 for a non-2xx final answer: the request's Request-URI,
/// the answer's Via (the request's, with its branch), From, To (with the tag), Call-ID
/// and CSeq number.
fn ack_for(request: &str, answer: &Answer) -> String {
    let uri = request.split(' ').nth(1).expect("a Request-URI");
    let field = |full: &str, compact: &str| {
        answer
            .header(full)
            .or_else(|| answer.header(compact))
            .unwrap_or_else(|| panic!("no {full} in {answer:?}"))
    };
    let cseq = field("CSeq", "CSeq").split_whitespace().next().expect("a CSeq number");
    format!(
        "ACK {uri} SIP/2.0\r\nVia: {}\r\nFrom: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {cseq} ACK\r\n\
         Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        field("Via", "v"),
        field("From", "f"),
        field("To", "t"),
        field("Call-ID", "i"),
    )
}

/// A datagram from the listener.
#[derive(Debug)]
pub struct Answer {
    /// The whole datagram.
    pub text: String,
}

impl Answer {
    /// The status code, or 0 when the datagram is not a response.
    pub fn code(&self) -> u16 {
        let mut words = self.text.split(' ');
        match words.next() {
            Some("SIP/2.0") => words.next().and_then(|c| c.parse().ok()).unwrap_or(0),
            _ => 0,
        }
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.text.lines().take_while(|l| !l.is_empty()).skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// An INVITE to Bob with an SDP offer; each build has a fresh branch, tag and Call-ID.
pub fn invite() -> Request {
    Request {
        method: "INVITE".into(),
        uri: None,
        headers: Vec::new(),
        body: Some(("application/sdp".into(), SDP.into())),
        branch: None,
    }
}

/// A request under construction.
pub struct Request {
    method: String,
    uri: Option<String>,
    headers: Vec<String>,
    body: Option<(String, String)>,
    branch: Option<String>,
}

impl Request {
    /// Another method (the CSeq follows).
    pub fn method(mut self, method: &str) -> Self {
        self.method = method.into();
        self
    }

    /// Another Request-URI (the default is sip:bob@ the listener).
    pub fn uri(mut self, uri: &str) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// An extra header line (or several, separated by CRLF), added after the usual ones.
    pub fn header(mut self, line: &str) -> Self {
        self.headers.push(line.into());
        self
    }

    /// Another body and its Content-Type.
    pub fn body(mut self, content_type: &str, body: &str) -> Self {
        self.body = Some((content_type.into(), body.into()));
        self
    }

    /// No body and no Content-Type.
    pub fn no_body(mut self) -> Self {
        self.body = None;
        self
    }

    /// This Via branch rather than a fresh one (`""` for an RFC 2543 Via without one).
    pub fn branch(mut self, branch: &str) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// The request as `peer`'s client socket sends it.
    pub fn build(&self, peer: &Peer) -> String {
        self.build_from(peer, peer.local())
    }

    /// The request as sent from `local`.
    pub fn build_from(&self, peer: &Peer, local: SocketAddr) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let uri = self.uri.clone().unwrap_or_else(|| format!("sip:bob@{}", peer.target));
        let branch = match self.branch.as_deref() {
            None => format!(";branch=z9hG4bK-v{n}-{}", std::process::id()),
            Some("") => String::new(),
            Some(b) => format!(";branch={b}"),
        };
        let mut text = format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local}{branch}\r\nMax-Forwards: 70\r\n\
             From: <sip:alice@{local}>;tag=t{n}\r\nTo: <sip:bob@{target}>\r\nCall-ID: v{n}-{pid}@{local}\r\n\
             CSeq: 1 {method}\r\nContact: <sip:alice@{local}>\r\n",
            method = self.method,
            target = peer.target,
            pid = std::process::id(),
        );
        for line in &self.headers {
            text.push_str(line);
            text.push_str("\r\n");
        }
        match &self.body {
            Some((content_type, body)) => text.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )),
            None => text.push_str("Content-Length: 0\r\n\r\n"),
        }
        text
    }
}
