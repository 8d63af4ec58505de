//! Calls whose requests are challenged (a proxy's 407, a peer's 401 on BYE or REFER):
//! sent once more with the endpoint's credentials instead of failing, and failed on a
//! second challenge.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use session_proto::auth::{Credentials, Users, Verdict, Verifier};
use session_proto::machine::{Event as Cmd, State};
use session_proto::{EndReason, Event};

use crate::net::script::{Replies, header, respond};
use crate::net::{Conditions, Net};
use crate::registrar::{REALM, param};

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/// A callee behind a proxy that wants Proxy-Authorization on INVITEs, and that wants
/// Authorization on the method `also` (BYE, REFER, or none when empty); `never_satisfied`
/// challenges every time. It takes a REFER with 202 and reports the transfer done at
/// once by NOTIFY.
struct Callee {
    verifier: Verifier,
    users: Users,
    start: Instant,
    also: &'static str,
    never_satisfied: bool,
    verdicts: Vec<(String, Verdict)>,
}

impl Callee {
    fn handle(&mut self, now: Instant, from: SocketAddr, message: &str) -> Replies {
        let method = message.split(' ').next().unwrap_or_default().to_owned();
        let unix = 1_700_000_000 + (now - self.start).as_secs();
        let (wanted, challenge_header, code) = match method.as_str() {
            "INVITE" => ("Proxy-Authorization", "Proxy-Authenticate", "407 Proxy Authentication Required"),
            m if m == self.also => ("Authorization", "WWW-Authenticate", "401 Unauthorized"),
            "BYE" => return vec![(from, respond(message, "200 OK", "callee", &[], ""))],
            "REFER" => return accept_refer(from, message),
            _ => return Vec::new(),
        };
        let verdict = header(message, wanted).map(|a| self.verifier.verify(a, &method, &self.users, unix));
        if let Some(verdict) = &verdict {
            self.verdicts.push((method.clone(), verdict.clone()));
        }
        if self.never_satisfied || !matches!(verdict, Some(Verdict::Valid { .. })) {
            let extra: Vec<String> = self
                .verifier
                .challenges(unix, self.verdicts.len() as u64, false)
                .iter()
                .map(|c| format!("{challenge_header}: {c}"))
                .collect();
            return vec![(from, respond(message, code, "callee", &extra, ""))];
        }
        if method == "REFER" {
            return accept_refer(from, message);
        }
        let extra = match method.as_str() {
            "INVITE" => {
                vec![
                    "Contact: <sip:bob@127.0.0.1:5090>".to_owned(),
                    "Content-Type: application/sdp".to_owned(),
                ]
            }
            _ => Vec::new(),
        };
        let body = if method == "INVITE" { SDP } else { "" };
        vec![(from, respond(message, "200 OK", "callee", &extra, body))]
    }
}

/// 202 to the REFER, and the NOTIFY that ends its subscription with the new call's 200.
fn accept_refer(from: SocketAddr, refer: &str) -> Replies {
    let accepted = respond(refer, "202 Accepted", "callee", &[], "");
    let (ours, theirs) = (header(refer, "To").unwrap_or_default(), header(refer, "From").unwrap_or_default());
    let contact = header(refer, "Contact").unwrap_or_default().trim_matches(['<', '>']);
    let call_id = header(refer, "Call-ID").unwrap_or_default();
    let body = "SIP/2.0 200 OK\r\n";
    let notify = format!(
        "NOTIFY {contact} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKnotify1\r\n\
         From: {ours}\r\nTo: {theirs}\r\nCall-ID: {call_id}\r\nCSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\n\
         Contact: <sip:bob@127.0.0.1:5090>\r\nEvent: refer\r\n\
         Subscription-State: terminated;reason=noresource\r\nContent-Type: message/sipfrag\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    vec![(from, accepted), (from, notify)]
}

fn setup(also: &'static str, never_satisfied: bool) -> (Net, Rc<RefCell<Callee>>) {
    let mut net = Net::new(13, Conditions::CLEAN);
    net.add("alice", |c| c.credentials = Some(Credentials::new("alice", "secret")));
    let mut users = Users::new();
    users.insert("alice", "secret", REALM);
    let callee = Rc::new(RefCell::new(Callee {
        verifier: Verifier::new(REALM.into(), [9; 32], 300),
        users,
        start: net.now,
        also,
        never_satisfied,
        verdicts: Vec::new(),
    }));
    let script = Rc::clone(&callee);
    net.add_script("bob", move |now, from, message| script.borrow_mut().handle(now, from, message));
    (net, callee)
}

#[test]
fn an_invite_challenged_by_a_proxy_is_sent_again_with_proxy_authorization() {
    let (mut net, callee) = setup("", false);
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_secs(1));
    assert_eq!(net.nodes[0].states(call).last(), Some(&State::Active));
    let invites = net.scripts[0].received_starting("INVITE");
    assert_eq!(invites.len(), 2);
    assert!(header(invites[0], "Proxy-Authorization").is_none());
    assert_eq!(header(invites[1], "CSeq"), Some("2 INVITE"));
    assert_eq!(header(invites[0], "Call-ID"), header(invites[1], "Call-ID"));
    assert_ne!(
        param(header(invites[0], "Via").unwrap(), "branch"),
        param(header(invites[1], "Via").unwrap(), "branch")
    );
    assert_eq!(header(invites[0], "From"), header(invites[1], "From"));
    assert!(matches!(callee.borrow().verdicts[..], [(_, Verdict::Valid { .. })]));
    // The transaction layer ACKed the 407; the 2xx is ACKed with the new CSeq.
    let acks = net.scripts[0].received_starting("ACK");
    let cseqs: Vec<_> = acks.iter().map(|a| header(a, "CSeq").unwrap()).collect();
    assert_eq!(cseqs, ["1 ACK", "2 ACK"]);
}

#[test]
fn a_second_challenge_fails_the_call_as_a_refusal() {
    let (mut net, _callee) = setup("", true);
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_secs(1));
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Rejected(407)));
    assert_eq!(net.scripts[0].received_starting("INVITE").len(), 2, "sent again once, not more");
}

#[test]
fn a_challenged_bye_is_sent_again_and_ends_the_call() {
    let (mut net, callee) = setup("BYE", false);
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_secs(1));
    net.command(0, call, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_secs(1));
    let byes = net.scripts[0].received_starting("BYE");
    assert_eq!(byes.len(), 2);
    assert!(header(byes[1], "Authorization").is_some());
    assert_eq!(header(byes[1], "CSeq"), Some("4 BYE"), "INVITE 1, INVITE 2, BYE 3, BYE 4");
    assert!(matches!(callee.borrow().verdicts.last(), Some((m, Verdict::Valid { .. })) if m == "BYE"));
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::LocalHangup));
}

#[test]
fn a_challenged_refer_is_sent_again_with_authorization_and_the_transfer_goes_on() {
    let (mut net, callee) = setup("REFER", false);
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_secs(1));
    let target = "sip:carol@127.0.0.1:5099".to_owned();
    net.command(0, call, Cmd::BlindTransfer { target }).unwrap();
    net.run_for(Duration::from_secs(1));
    let refers = net.scripts[0].received_starting("REFER");
    assert_eq!(refers.len(), 2, "sent once more, with credentials");
    assert!(header(refers[0], "Authorization").is_none());
    assert!(header(refers[1], "Authorization").is_some());
    assert_eq!(header(refers[1], "CSeq"), Some("4 REFER"), "INVITE 1, INVITE 2, REFER 3, REFER 4");
    assert_eq!(header(refers[0], "Refer-To"), header(refers[1], "Refer-To"));
    assert!(header(refers[1], "Contact").is_some(), "a REFER carries one Contact (RFC 3515 2.4.1)");
    assert!(matches!(callee.borrow().verdicts.last(), Some((m, Verdict::Valid { .. })) if m == "REFER"));
    let heard = net.nodes[0].events.iter().any(|e| matches!(e, Event::TransferProgress { code: 200, .. }));
    assert!(heard, "the NOTIFY after the 202 reached the transferor");
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Transferred), "hung up once it worked");
}

#[test]
fn without_credentials_a_challenge_fails_the_call_as_before() {
    let (mut net, _callee) = setup("", false);
    net.nodes[0] = {
        let mut fresh = Net::new(13, Conditions::CLEAN);
        fresh.add("alice", |_| {});
        fresh.nodes.remove(0)
    };
    let call = net.dial(0, "sip:bob@127.0.0.1:5090");
    net.run_for(Duration::from_secs(1));
    assert_eq!(net.nodes[0].ended(call), Some(EndReason::Rejected(407)));
    assert_eq!(net.scripts[0].received_starting("INVITE").len(), 1);
}
