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
