//! The peer of `fuzz_endpoint` (included from there only: it needs `tests/net`): the
//! phones at raw addresses answer what the nodes send them and follow up on the answers
//! they get, as a real peer would (ACK, CANCEL, digest retries, requests in the dialogs
//! they are in), so that mutations reach transactions and dialogs that exist rather
//! than only stray messages.

use std::net::SocketAddr;

use rand::Rng;
use rand::rngs::StdRng;
use session_proto::auth::{Challenge, Credentials, DigestClient};

use crate::fuzz::pick;
use crate::net::phone::{header, headers, reply, request_uri, status, uri};

/// The SDP of the peer's answers and re-INVITEs.
const SDP: &str = "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 41000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

/// A dialog the peer is in, and what its requests in it carry.
#[derive(Clone, Debug)]
pub struct Dialog {
    /// The node it talks to, and the peer's address.
    pub node: SocketAddr,
    pub source: SocketAddr,
    /// The peer's side (with its tag) and the node's.
    pub local: String,
    pub remote: String,
    pub call_id: String,
    pub cseq: u32,
    /// The node's Contact URI, and the route set to it.
    pub target: String,
    pub routes: Vec<String>,
}

/// The phones' memory: what they sent, the dialogs they are in.
#[derive(Default)]
pub struct Peer {
    next: u64,
    /// The requests sent (ACK excepted): node, source, text; the newest last.
    sent: Vec<(SocketAddr, SocketAddr, String)>,
    pub dialogs: Vec<Dialog>,
}

/// How many sent requests and dialogs are remembered.
const MEMORY: usize = 32;

impl Peer {
    /// A number not used before in this session.
    pub fn fresh(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Notes a datagram a phone sends, to match the answers to it.
    pub fn note(&mut self, node: SocketAddr, source: SocketAddr, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        if !text.starts_with("SIP/") && !text.starts_with("ACK ") {
            if self.sent.len() == MEMORY {
                self.sent.remove(0);
            }
            self.sent.push((node, source, text.into_owned()));
        }
    }

    /// What a phone at `source` sends when `message` from `node` reaches it: an
    /// answer to a request, an ACK, a CANCEL or a retry with credentials after a
    /// response. Several datagrams, or none.
    pub fn follow(
        &mut self,
        rng: &mut StdRng,
        node: SocketAddr,
        source: SocketAddr,
        message: &str,
    ) -> Vec<String> {
        if message.starts_with("SIP/2.0 ") {
            return self.after_response(rng, message);
        }
        if message.starts_with("ACK ") {
            return Vec::new();
        }
        let method = message.split(' ').next().unwrap_or_default();
        let codes: &[u16] = if method == "INVITE" {
            &[100, 180, 183, 200, 200, 401, 407, 486, 487, 500]
        } else {
            &[200, 200, 202, 401, 481, 486, 500]
        };
        let code = *pick(rng, codes);
        let call_id = header(message, "Call-ID").unwrap_or_default();
        let tag = format!("peer{:x}", call_id.bytes().fold(7u32, |h, b| h.wrapping_mul(31) ^ u32::from(b)));
        let mut text = reply(message, code, "Fuzz", &tag);
        let mut extra = String::new();
        match code {
            401 => extra.push_str(&challenge("WWW-Authenticate", self.fresh())),
            407 => extra.push_str(&challenge("Proxy-Authenticate", self.fresh())),
            _ => {}
        }
        let mut body = "";
        if method == "INVITE" && matches!(code, 183 | 200) {
            extra.push_str(&format!("Contact: <sip:alice@{source}>\r\nContent-Type: application/sdp\r\n"));
            body = SDP;
        }
        if method == "INVITE" && code == 200 && self.dialogs.len() < MEMORY {
            self.dialogs.push(Dialog {
                node,
                source,
                local: header(&text, "To").unwrap_or_default().to_owned(),
                remote: header(message, "From").unwrap_or_default().to_owned(),
                call_id: call_id.to_owned(),
                cseq: 1000,
                target: header(message, "Contact").map(uri).unwrap_or_default().to_owned(),
                routes: headers(message, "Record-Route").iter().map(|r| (*r).to_owned()).collect(),
            });
        }
        let cut = text.len() - "Content-Length: 0\r\n\r\n".len();
        text.truncate(cut);
        text.push_str(&format!("{extra}Content-Length: {}\r\n\r\n{body}", body.len()));
        vec![text]
    }

    fn after_response(&mut self, rng: &mut StdRng, response: &str) -> Vec<String> {
        let Some(branch) = header(response, "Via").and_then(|v| v.split("branch=").nth(1)) else {
            return Vec::new();
        };
        let branch = branch.split([';', ',', ' ']).next().unwrap_or_default();
        let Some((node, source, request)) = self
            .sent
            .iter()
            .rev()
            .find(|(_, _, r)| header(r, "Via").is_some_and(|v| v.contains(branch)))
            .cloned()
        else {
            return Vec::new();
        };
        let code = status(response);
        let method = request.split(' ').next().unwrap_or_default();
        let mut out = Vec::new();
        if method == "INVITE" {
            match code {
                100..=199 if rng.random_ratio(1, 3) => out.push(derive(&request, "CANCEL", None)),
                200..=299 => {
                    let dialog = Dialog {
                        node,
                        source,
                        local: header(&request, "From").unwrap_or_default().to_owned(),
                        remote: header(response, "To").unwrap_or_default().to_owned(),
                        call_id: header(&request, "Call-ID").unwrap_or_default().to_owned(),
                        cseq: cseq_of(&request),
                        target: header(response, "Contact").map(uri).unwrap_or_default().to_owned(),
                        routes: headers(response, "Record-Route")
                            .iter()
                            .rev()
                            .map(|r| (*r).to_owned())
                            .collect(),
                    };
                    let branch = format!("z9hG4bKpeer{}", self.fresh());
                    out.push(in_dialog(&dialog, "ACK", dialog.cseq, &branch, ""));
                    if self.dialogs.len() < MEMORY {
                        self.dialogs.push(dialog);
                    }
                }
                300.. => out.push(derive(&request, "ACK", header(response, "To"))),
                _ => {}
            }
        }
        if let Some(retry) = self.retry(&request, response) {
            out.push(retry);
        }
        out
    }

    /// `request` again after its 401 or 407 `response`: a new branch, the next CSeq,
    /// and Alice's answer to the challenge.
    fn retry(&mut self, request: &str, response: &str) -> Option<String> {
        let (challenge_name, answer_name) = match status(response) {
            401 => ("WWW-Authenticate", "Authorization"),
            407 => ("Proxy-Authenticate", "Proxy-Authorization"),
            _ => return None,
        };
        let challenge = Challenge::best(headers(response, challenge_name))?;
        let method = request.split(' ').next().unwrap_or_default();
        let cnonce = format!("c{}", self.fresh());
        let mut digest = DigestClient::new(Credentials::new("alice", "wonderland"));
        let answer = digest.answer(&challenge, method, request_uri(request), &cnonce).ok()?;
        let branch = format!("z9hG4bKpeer{}", self.fresh());
        let cseq = cseq_of(request).wrapping_add(1);
        let mut out = String::new();
        for (i, line) in request.split_inclusive("\r\n").enumerate() {
            let name = line.split(':').next().unwrap_or_default().trim();
            if name.eq_ignore_ascii_case(answer_name) {
                continue;
            }
            if name.eq_ignore_ascii_case("CSeq") {
                out.push_str(&format!("CSeq: {cseq} {method}\r\n"));
            } else if name.eq_ignore_ascii_case("Via") && !out.contains("\r\nVia: ") {
                let via = line.split("branch=").next().unwrap_or_default();
                out.push_str(&format!("{via}branch={branch};rport\r\n"));
            } else {
                out.push_str(line);
            }
            if i == 0 {
                out.push_str(&format!("{answer_name}: {answer}\r\n"));
            }
        }
        Some(out)
    }

    /// A request in one of the dialogs, or `None` when the peer is in none.
    pub fn in_dialog_request(&mut self, rng: &mut StdRng) -> Option<(SocketAddr, SocketAddr, String)> {
        if self.dialogs.is_empty() {
            return None;
        }
        let i = rng.random_range(0..self.dialogs.len());
        let method =
            *pick(rng, &["BYE", "BYE", "INVITE", "INFO", "UPDATE", "REFER", "NOTIFY", "OPTIONS", "MESSAGE"]);
        let branch = format!("z9hG4bKpeer{}", self.fresh());
        let dialog = &mut self.dialogs[i];
        dialog.cseq = dialog.cseq.wrapping_add(1);
        let (cseq, (node, source)) = (dialog.cseq, (dialog.node, dialog.source));
        let body = match method {
            "INVITE" => format!("Contact: <sip:alice@{source}>\r\nContent-Type: application/sdp\r\n\u{0}{SDP}"),
            "INFO" => "Content-Type: application/dtmf-relay\r\n\u{0}Signal=7\r\nDuration=100\r\n".into(),
            "REFER" => "Refer-To: <sip:carol@example.com>\r\n\u{0}".into(),
            "NOTIFY" => "Event: refer\r\nSubscription-State: terminated\r\nContent-Type: message/sipfrag\r\n\u{0}SIP/2.0 200 OK\r\n"
                .into(),
            "MESSAGE" => "Content-Type: text/plain\r\n\u{0}hi".into(),
            _ => "\u{0}".into(),
        };
        let text = in_dialog(dialog, method, cseq, &branch, &body);
        if method == "BYE" {
            self.dialogs.remove(i);
        }
        Some((node, source, text))
    }
}

/// A digest challenge as a registrar or a UAS sends it.
fn challenge(name: &str, nonce: u64) -> String {
    format!("{name}: Digest realm=\"example.com\", nonce=\"n{nonce}\", qop=\"auth\", algorithm=MD5\r\n")
}

fn cseq_of(request: &str) -> u32 {
    header(request, "CSeq").and_then(|c| c.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(1)
}

/// A CANCEL or a non-2xx ACK for `request` (same Request-URI, top Via, From, Call-ID,
/// CSeq number), with the To of the response when given.
fn derive(request: &str, method: &str, to: Option<&str>) -> String {
    format!(
        "{method} {uri} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\n\
         Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n",
        uri = request_uri(request),
        via = header(request, "Via").unwrap_or_default(),
        from = header(request, "From").unwrap_or_default(),
        to = to.or_else(|| header(request, "To")).unwrap_or_default(),
        call_id = header(request, "Call-ID").unwrap_or_default(),
        cseq = cseq_of(request),
    )
}

/// A request in `dialog`; `extra` holds header lines, then NUL, then the body.
fn in_dialog(dialog: &Dialog, method: &str, cseq: u32, branch: &str, extra: &str) -> String {
    let (headers, body) = extra.split_once('\u{0}').unwrap_or((extra, ""));
    let routes: String = dialog.routes.iter().map(|r| format!("Route: {r}\r\n")).collect();
    let target =
        if dialog.target.is_empty() { format!("sip:{}", dialog.node) } else { dialog.target.clone() };
    format!(
        "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP {source};branch={branch};rport\r\n{routes}Max-Forwards: 70\r\n\
         From: {local}\r\nTo: {remote}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n{headers}\
         Content-Length: {len}\r\n\r\n{body}",
        source = dialog.source,
        local = dialog.local,
        remote = dialog.remote,
        call_id = dialog.call_id,
        len = body.len(),
    )
}
