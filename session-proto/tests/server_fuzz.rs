//! Random requests and stray responses fed to a registrar and proxy node with one of
//! Bob's phones behind it: every method, in and out of dialog, right, wrong and
//! garbled credentials, odd Contacts, Expires, Max-Forwards and Routes, reused
//! branches, with the clock moving in between.
//!
//! Properties: nothing panics; every request on a branch not seen before (ACK
//! excepted) is answered on that branch; and once every timer has run out the server
//! holds nothing: no lookup, no forwarding context, no held answer, no transaction.

mod net;

use std::collections::HashSet;
use std::time::Duration;

use net::Conditions;
use net::location::EPOCH_UNIX;
use net::proxied::{BOB_AOR, SERVER, USERS};
use proptest::prelude::*;
use session_proto::auth::{Challenge, Credentials, DigestClient, Verifier};

const METHODS: [&str; 8] = ["REGISTER", "INVITE", "CANCEL", "ACK", "BYE", "MESSAGE", "OPTIONS", "SUBSCRIBE"];
const URIS: [&str; 4] = [BOB_AOR, "sip:127.0.0.1:5060", "sip:carol@example.com", "sip:alice@example.com"];
const SOURCES: [&str; 2] = ["127.0.0.1:5998", "127.0.0.2:5999"];

#[derive(Clone, Debug)]
enum Step {
    Request {
        method: usize,
        uri: usize,
        source: usize,
        branch: u8,
        to_tag: bool,
        route: u8,
        hops: u8,
        auth: u8,
        contact: u8,
        expires: u8,
    },
    Response {
        code: u16,
        branch: u8,
    },
    Wait {
        ms: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..METHODS.len(), 0..URIS.len(), 0..SOURCES.len(), 0u8..12, any::<bool>(), 0u8..3, 0u8..5, 0u8..8, 0u8..6, 0u8..5)
            .prop_map(|(method, uri, source, branch, to_tag, route, hops, auth, contact, expires)| Step::Request {
                method, uri, source, branch, to_tag, route, hops, auth, contact, expires
            }),
        1 => (prop::sample::select(vec![100u16, 180, 200, 404, 487, 603]), 0u8..12)
            .prop_map(|(code, branch)| Step::Response { code, branch }),
        2 => (0u64..40_000).prop_map(|ms| Step::Wait { ms }),
    ]
}

/// Credentials of kind `auth` for a request: none, Alice's right ones (half the
/// time), Bob's password under Alice's name, garbage, another realm's. Each request's
/// nonce has a random part of its own (`serial`), as each challenge of the server has,
/// so right credentials are not taken for a replay of another request's count.
fn credentials(auth: u8, method: &str, uri: &str, unix: u64, serial: usize) -> Option<String> {
    let verifier = Verifier::new("example.com".into(), [42; 32], 300);
    let challenges = verifier.challenges(unix, serial as u64, false);
    let challenge = Challenge::parse(&challenges[0]).expect("our own challenge");
    let cnonce = format!("c{serial}");
    let cnonce = cnonce.as_str();
    let answer = |user: &str, password: &str| {
        DigestClient::new(Credentials::new(user, password)).answer(&challenge, method, uri, cnonce).ok()
    };
    match auth {
        1 | 5..=7 => answer("alice", "wonderland"),
        2 => answer("alice", "builder"),
        3 => Some("Digest realm=\"example.com\", username=\"alice\", nonce=\"00\", response=\",,\"".into()),
        4 => Some("Digest realm=\"elsewhere\", username=\"alice\"".into()),
        _ => None,
    }
}

fn request(step: &Step, unix: u64, serial: usize) -> (String, String, String) {
    let Step::Request { method, uri, source, branch, to_tag, route, hops, auth, contact, expires } = step
    else {
        unreachable!()
    };
    let (method, uri, source) = (METHODS[*method], URIS[*uri], SOURCES[*source]);
    let branch = format!("z9hG4bKf{branch}");
    let mut headers = String::new();
    if let Some(value) = credentials(*auth, method, uri, unix, serial) {
        let name = if method == "REGISTER" { "Authorization" } else { "Proxy-Authorization" };
        headers.push_str(&format!("{name}: {value}\r\n"));
    }
    headers.push_str(match route {
        1 => "Route: <sip:127.0.0.1:5060;lr>\r\n",
        2 => "Route: <sip:127.0.0.1:5060;lr>, <sip:bob@127.0.0.1:5061;lr>\r\n",
        _ => "",
    });
    headers.push_str(match hops {
        0 => "Max-Forwards: 70\r\n",
        1 => "Max-Forwards: 0\r\n",
        2 => "Max-Forwards: 1\r\n",
        3 => "Max-Forwards: lots\r\n",
        _ => "",
    });
    headers.push_str(match contact {
        0 => "Contact: <sip:alice@127.0.0.1:5998>\r\n",
        1 => "Contact: *\r\n",
        2 => "Contact: <sip:alice@127.0.0.1:5998>;expires=5, sip:alice@127.0.0.2:5999\r\n",
        3 => "Contact: <junk\r\n",
        4 => "Contact: \"A, b\" <sip:alice@127.0.0.1:5998>;expires=99999999999\r\n",
        _ => "",
    });
    headers.push_str(match expires {
        0 => "Expires: 0\r\n",
        1 => "Expires: 120\r\n",
        2 => "Expires: -1\r\n",
        _ => "",
    });
    let to_tag = if *to_tag { ";tag=t1" } else { "" };
    let cseq_method = if method == "ACK" { "INVITE" } else { method };
    let text = format!(
        "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {source};branch={branch};rport\r\n\
         From: <sip:alice@example.com>;tag=f1\r\nTo: <{uri}>{to_tag}\r\nCall-ID: fuzz{serial}\r\n\
         CSeq: 1 {cseq_method}\r\n{headers}Content-Length: 0\r\n\r\n"
    );
    (branch, source.to_owned(), text)
}

fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let mut net = net::Net::new(1, Conditions::CLEAN);
    net.add_server("example.com", USERS, |_| {});
    let bob = net.add("bob", |_| {});
    let bob_addr = net.nodes[bob].addr;
    net.location.bind(BOB_AOR, &format!("sip:bob@{bob_addr}"), bob_addr, EPOCH_UNIX + 100_000);
    let mut expected = Vec::new();
    let mut seen = HashSet::new();
    for (serial, step) in steps.iter().enumerate() {
        match step {
            Step::Request { method, .. } => {
                let (branch, source, text) = request(step, net.unix_now(), serial);
                let key_method = if METHODS[*method] == "ACK" { "INVITE" } else { METHODS[*method] };
                if METHODS[*method] != "ACK" && seen.insert((branch.clone(), key_method)) {
                    expected.push((branch.clone(), source.clone(), key_method));
                }
                net.inject(SERVER, source.parse().unwrap(), &text);
            }
            Step::Response { code, branch } => {
                let text = format!(
                    "SIP/2.0 {code} X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK0000000{branch:x}.{branch:x}\r\n\
                     Via: SIP/2.0/UDP 127.0.0.1:5998;branch=z9hG4bKf{branch}\r\nFrom: <sip:a@h>;tag=1\r\n\
                     To: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
                );
                net.inject(SERVER, bob_addr, &text);
            }
            Step::Wait { ms } => net.advance(Duration::from_millis(*ms)),
        }
    }
    net.run_out(Duration::from_secs(1200));
    for (branch, source, method) in &expected {
        let answered = net
            .responses(source.parse().unwrap(), branch)
            .iter()
            .any(|r| net::phone::header(r, "CSeq").is_some_and(|c| c.ends_with(method)));
        prop_assert!(answered, "{method} on {branch} from {source} was never answered");
    }
    let server = &net.nodes[SERVER].endpoint;
    prop_assert!(server.is_idle(), "the server holds {:?}", server.stats());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn the_server_answers_everything_and_keeps_nothing(steps in prop::collection::vec(step(), 1..30)) {
        run(&steps)?;
    }
}
