//! A SIP phone written by hand for the server tests: it writes requests as text from an
//! address where no node is, answers digest challenges with `auth::DigestClient`, and
//! reads what reached it from [`super::Net::wire`].

use std::net::SocketAddr;

use session_proto::auth::{Challenge, Credentials, DigestClient};

/// One user's phone at a raw address.
pub struct Phone {
    pub addr: SocketAddr,
    pub user: String,
    pub digest: DigestClient,
    pub call_id: String,
    pub tag: String,
    pub cseq: u32,
    branches: u32,
}

impl Phone {
    /// `user`'s phone at `addr`, knowing `password`.
    pub fn new(addr: &str, user: &str, password: &str) -> Self {
        Self {
            addr: addr.parse().expect("an address"),
            user: user.into(),
            digest: DigestClient::new(Credentials::new(user, password)),
            call_id: format!("{user}-call@{addr}"),
            tag: format!("{user}tag"),
            cseq: 0,
            branches: 0,
        }
    }

    /// A fresh branch.
    pub fn branch(&mut self) -> String {
        self.branches += 1;
        format!("z9hG4bK{}{}", self.user, self.branches)
    }

    /// Our Contact URI.
    pub fn contact(&self) -> String {
        format!("sip:{}@{}", self.user, self.addr)
    }

    /// A REGISTER for `to_user`'s address of record, with `headers` (each ending in
    /// CRLF) and the next CSeq of our one Call-ID. Returns its branch and text.
    pub fn register(&mut self, to_user: &str, headers: &str) -> (String, String) {
        let to = format!("<sip:{to_user}@example.com>");
        self.request("REGISTER", "sip:example.com", &to, headers, "")
    }

    /// A request outside a dialog from us to `uri`, To `to`.
    pub fn request(
        &mut self,
        method: &str,
        uri: &str,
        to: &str,
        headers: &str,
        body: &str,
    ) -> (String, String) {
        self.cseq += 1;
        let branch = self.branch();
        let text = format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {addr};branch={branch};rport\r\nMax-Forwards: 70\r\n\
             From: <sip:{user}@example.com>;tag={tag}\r\nTo: {to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n\
             {headers}Content-Length: {len}\r\n\r\n{body}",
            addr = self.addr,
            user = self.user,
            tag = self.tag,
            call_id = self.call_id,
            cseq = self.cseq,
            len = body.len(),
        );
        (branch, text)
    }

    /// The credentials answering the challenges of `response` (a 401 or a 407) for
    /// `method` to `uri`, as the header line to add. The phone always answers, even a
    /// challenge it answered before (the tests decide what a refusal means).
    pub fn answer(&mut self, response: &str, method: &str, uri: &str) -> String {
        self.digest.accepted();
        let (challenge_name, answer_name) = if status(response) == 407 {
            ("Proxy-Authenticate", "Proxy-Authorization")
        } else {
            ("WWW-Authenticate", "Authorization")
        };
        let challenge = Challenge::best(headers(response, challenge_name)).expect("a challenge");
        // A cnonce of its own, as a real client draws one.
        let cnonce = format!("{}-{}", self.addr, self.cseq);
        let value = self.digest.answer(&challenge, method, uri, &cnonce).expect("an answer");
        format!("{answer_name}: {value}\r\n")
    }
}

impl Phone {
    /// The ACK for a non-2xx final `response` to our `invite` (RFC 3261 17.1.1.3): the
    /// INVITE's Request-URI and branch, the response's To.
    pub fn ack_failure(&self, invite: &str, response: &str) -> String {
        let (uri, cseq) = (request_uri(invite), cseq_number(invite));
        format!(
            "ACK {uri} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\n\
             Call-ID: {call_id}\r\nCSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n",
            via = header(invite, "Via").unwrap_or_default(),
            from = header(invite, "From").unwrap_or_default(),
            to = header(response, "To").unwrap_or_default(),
            call_id = header(invite, "Call-ID").unwrap_or_default(),
        )
    }

    /// The ACK for a 2xx `response` to our `invite` (RFC 3261 13.2.2.4): a new
    /// branch, to the callee's Contact, along the route set the response's
    /// Record-Route gives (reversed).
    pub fn ack_success(&mut self, invite: &str, response: &str) -> String {
        let branch = self.branch();
        let target = header(response, "Contact").map(uri).unwrap_or_default().to_owned();
        let routes: String =
            headers(response, "Record-Route").iter().rev().map(|r| format!("Route: {r}\r\n")).collect();
        format!(
            "ACK {target} SIP/2.0\r\nVia: SIP/2.0/UDP {addr};branch={branch};rport\r\n{routes}Max-Forwards: 70\r\n\
             From: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n",
            addr = self.addr,
            from = header(invite, "From").unwrap_or_default(),
            to = header(response, "To").unwrap_or_default(),
            call_id = header(invite, "Call-ID").unwrap_or_default(),
            cseq = cseq_number(invite),
        )
    }

    /// The CANCEL of our `invite` (RFC 3261 9.1).
    pub fn cancel(&self, invite: &str) -> String {
        format!(
            "CANCEL {uri} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\n\
             Call-ID: {call_id}\r\nCSeq: {cseq} CANCEL\r\nContent-Length: 0\r\n\r\n",
            uri = request_uri(invite),
            via = header(invite, "Via").unwrap_or_default(),
            from = header(invite, "From").unwrap_or_default(),
            to = header(invite, "To").unwrap_or_default(),
            call_id = header(invite, "Call-ID").unwrap_or_default(),
            cseq = cseq_number(invite),
        )
    }
}

/// A response with `code` to `request`, as a UAS writes it: its Vias, From, Call-ID,
/// CSeq, and its To with `to_tag` added when it has none.
pub fn reply(request: &str, code: u16, reason: &str, to_tag: &str) -> String {
    let mut out = format!("SIP/2.0 {code} {reason}\r\n");
    for via in headers(request, "Via") {
        out.push_str(&format!("Via: {via}\r\n"));
    }
    let to = header(request, "To").unwrap_or_default();
    let to = if to.contains("tag=") { to.to_owned() } else { format!("{to};tag={to_tag}") };
    for (name, value) in [("From", header(request, "From").unwrap_or_default()), ("To", &to)] {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    for name in ["Call-ID", "CSeq"] {
        out.push_str(&format!("{name}: {}\r\n", header(request, name).unwrap_or_default()));
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

/// The Request-URI of a request.
pub fn request_uri(request: &str) -> &str {
    request.split(' ').nth(1).unwrap_or_default()
}

/// The URI in a name-addr (`<sip:a@h>;tag=1` → `sip:a@h`).
pub fn uri(value: &str) -> &str {
    value.split('<').nth(1).and_then(|v| v.split('>').next()).unwrap_or(value)
}

fn cseq_number(request: &str) -> &str {
    header(request, "CSeq").and_then(|c| c.split(' ').next()).unwrap_or("1")
}

/// The first value of header `name` in `message`.
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    headers(message, name).into_iter().next()
}

/// Every value of header `name` (one per line) in `message`'s header section.
pub fn headers<'a>(message: &'a str, name: &str) -> Vec<&'a str> {
    let head = message.split("\r\n\r\n").next().unwrap_or("");
    head.lines()
        .skip(1)
        .filter_map(|line| {
            let (n, value) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
        .collect()
}

/// The status code of a response (0 for a request).
pub fn status(message: &str) -> u16 {
    message.strip_prefix("SIP/2.0 ").and_then(|rest| rest.get(..3)).and_then(|c| c.parse().ok()).unwrap_or(0)
}
