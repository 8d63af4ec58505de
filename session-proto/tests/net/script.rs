//! Scripted nodes: a test's own SIP peer (a registrar, a proxy) written as a closure
//! that reads each datagram as text and answers with datagrams of its own.

use std::net::SocketAddr;
use std::time::Instant;

/// What a script sends back: datagrams and where they go.
pub type Replies = Vec<(SocketAddr, String)>;

/// A script: called with the virtual time, the sender and the datagram's text.
pub type Handler = Box<dyn FnMut(Instant, SocketAddr, &str) -> Replies>;

/// A node that runs a script instead of an endpoint.
pub struct ScriptNode {
    /// Its host name, for the driver's look-ups.
    pub name: String,
    pub addr: SocketAddr,
    pub handler: Handler,
    /// Every datagram it received, with when and from where.
    pub received: Vec<(Instant, SocketAddr, String)>,
}

impl ScriptNode {
    /// The datagrams received that start with `prefix` (a method, `SIP/2.0 200`).
    pub fn received_starting(&self, prefix: &str) -> Vec<&str> {
        self.received.iter().filter(|(_, _, m)| m.starts_with(prefix)).map(|(_, _, m)| m.as_str()).collect()
    }
}

/// The value of the first header `name` of a message (case-insensitive name).
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    headers(message, name).next()
}

/// Every value of header `name`, one per line, in order.
pub fn headers<'a, 'n>(message: &'a str, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    message.split("\r\n\r\n").next().unwrap_or("").lines().skip(1).filter_map(move |line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// A response to `request` with status line `status` (`200 OK`): its Via, From,
/// Call-ID and CSeq copied, To with `to_tag`, then `extra` lines and `body` (give its
/// Content-Type in `extra`).
pub fn respond(request: &str, status: &str, to_tag: &str, extra: &[String], body: &str) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for name in ["Via", "From", "Call-ID", "CSeq"] {
        for value in headers(request, name) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    let to = header(request, "To").unwrap_or_default();
    if to.contains("tag=") {
        out.push_str(&format!("To: {to}\r\n"));
    } else {
        out.push_str(&format!("To: {to};tag={to_tag}\r\n"));
    }
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    out
}
