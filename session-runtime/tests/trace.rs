//! The SIP trace hook over real loopback sockets: it sees every datagram of a call
//! both ways (the INVITE out, the 200 back), and a digest registration with the
//! embedded server shows its Authorization with the credentials redacted, on both the
//! peer's and the server's trace.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::servers::{REALM, users};
use session_runtime::api::{EndReason, REDACTED, SipMessageTrace, TraceDirection};
use session_runtime::{Server, SimplePeer};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

type Seen = Arc<Mutex<Vec<SipMessageTrace>>>;

/// A hook that keeps what it is given, and what it kept.
fn keeper() -> (Seen, impl Fn(&SipMessageTrace) + Send + Sync + 'static) {
    let seen: Seen = Arc::default();
    let keep = seen.clone();
    (seen, move |message: &SipMessageTrace| keep.lock().unwrap().push(message.clone()))
}

fn header<'a>(message: &'a SipMessageTrace, name: &str) -> Option<&'a str> {
    message.text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn the_hook_sees_the_invite_go_out_and_the_200_come_back() {
    let (seen, hook) = keeper();
    let before = SystemTime::now();
    let alice = SimplePeer::builder("127.0.0.1:0").unwrap().sip_trace(hook).start().await.unwrap();
    let bob = SimplePeer::new("127.0.0.1:0").await.unwrap();
    let bob_addr = bob.local_addr();
    let answering = tokio::spawn(async move {
        let call = bob.next_call().await.expect("a call");
        call.accept().await.expect("accept");
        (call, bob)
    });
    let call = timeout(LIMIT, alice.call(&format!("sip:bob@{bob_addr}"))).await.unwrap().expect("answered");
    let (_bobs, _bob) = answering.await.unwrap();
    call.hangup().await.unwrap();
    assert_eq!(timeout(LIMIT, call.ended()).await.unwrap(), EndReason::LocalHangup);

    let seen = seen.lock().unwrap();
    let invite = seen
        .iter()
        .find(|m| m.direction == TraceDirection::Sent && m.first_line().starts_with("INVITE "))
        .expect("the INVITE was traced");
    assert_eq!(invite.first_line(), format!("INVITE sip:bob@{bob_addr} SIP/2.0"));
    assert_eq!((invite.local, invite.peer), (alice.local_addr(), bob_addr));
    assert!(invite.text.contains("\r\n\r\nv=0\r\n"), "the SDP body is there: {}", invite.text);
    assert!(invite.at >= before && invite.at <= SystemTime::now());
    let ok = seen
        .iter()
        .find(|m| {
            m.direction == TraceDirection::Received
                && m.first_line() == "SIP/2.0 200 OK"
                && header(m, "CSeq").is_some_and(|c| c.ends_with("INVITE"))
        })
        .expect("the 200 to the INVITE was traced");
    assert_eq!(ok.peer, bob_addr);
    let at = |wanted: &SipMessageTrace| seen.iter().position(|m| m == wanted).unwrap();
    assert!(at(invite) < at(ok), "in the order they happened");
    let sent: Vec<&str> =
        seen.iter().filter(|m| m.direction == TraceDirection::Sent).map(|m| m.first_line()).collect();
    assert!(
        sent.iter().any(|l| l.starts_with("ACK ")) && sent.iter().any(|l| l.starts_with("BYE ")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_digest_registration_is_traced_with_its_credentials_redacted() {
    let (server_seen, server_hook) = keeper();
    let server =
        Server::builder("127.0.0.1:0", REALM, users()).unwrap().sip_trace(server_hook).start().await.unwrap();
    let (seen, hook) = keeper();
    let alice = SimplePeer::builder("127.0.0.1:0")
        .unwrap()
        .user("alice")
        .outbound_proxy(server.local_addr())
        .sip_trace(hook)
        .start()
        .await
        .unwrap();
    let registrar = format!("sip:{REALM}");
    let registering = alice.register(&registrar, "alice", "wonderland");
    let _registration = timeout(LIMIT, registering).await.expect("in time").expect("accepted");

    for (whose, seen) in [("alice's", &seen), ("the server's", &server_seen)] {
        let seen = seen.lock().unwrap();
        let registers: Vec<&SipMessageTrace> =
            seen.iter().filter(|m| m.first_line().starts_with("REGISTER ")).collect();
        assert_eq!(registers.len(), 2, "{whose} trace: challenged, then answered");
        let authorization = header(registers[1], "Authorization").expect("the answer carries credentials");
        assert_eq!(authorization, format!("Digest username=\"alice\", {REDACTED}"), "in {whose} trace");
        assert!(
            seen.iter().any(|m| m.first_line() == "SIP/2.0 401 Unauthorized"),
            "{whose} trace has the challenge"
        );
        for message in seen.iter() {
            assert!(!message.text.contains("wonderland"), "the password in {whose} trace");
            assert!(
                header(message, "Authorization").is_none_or(|a| !a.contains("response=")),
                "a digest response in {whose} trace: {}",
                message.text
            );
        }
    }
    alice.shutdown().await;
}
