//! `SimplePeer::register` over a real socket on 127.0.0.1, against a small registrar in
//! the test that challenges with `auth::Verifier`: it returns once accepted, fails with
//! wrong credentials, and withdraws the binding on unregister and on shutdown.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use session_proto::auth::{Users, Verdict, Verifier};
use session_runtime::{RegisterError, RegistrationError, RegistrationState, SimplePeer};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::timeout;

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn respond(request: &str, status: &str, extra: &[String]) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for line in request.lines().skip(1).take_while(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or_default();
        if ["Via", "From", "Call-ID", "CSeq"].contains(&name) {
            out.push_str(line);
            out.push_str("\r\n");
        } else if name == "To" {
            out.push_str(&format!("{line};tag=reg\r\n"));
        }
    }
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}

/// A registrar on a free port that knows alice/secret and grants 60 s; every REGISTER
/// it accepts goes to the returned queue.
async fn registrar() -> (SocketAddr, mpsc::UnboundedReceiver<String>) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let addr = socket.local_addr().unwrap();
    let (accepted, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let verifier = Verifier::new("test.invalid".into(), [3; 32], 300);
        let mut users = Users::new();
        users.insert("alice", "secret", "test.invalid");
        let mut buf = vec![0u8; 65_535];
        let mut challenged = 0u64;
        while let Ok((len, from)) = socket.recv_from(&mut buf).await {
            let message = String::from_utf8_lossy(&buf[..len]).into_owned();
            if !message.starts_with("REGISTER ") {
                continue;
            }
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
            let verdict =
                header(&message, "Authorization").map(|a| verifier.verify(a, "REGISTER", &users, now));
            let reply = match verdict {
                Some(Verdict::Valid { .. }) => {
                    let contact = header(&message, "Contact").unwrap_or_default().to_owned();
                    let expires = header(&message, "Expires").unwrap_or("3600").parse::<u32>().unwrap_or(0);
                    let _ = accepted.send(message.clone());
                    let extra =
                        if expires == 0 { vec![] } else { vec![format!("Contact: {contact};expires=60")] };
                    respond(&message, "200 OK", &extra)
                }
                _ => {
                    challenged += 1;
                    let stale = matches!(verdict, Some(Verdict::Stale));
                    let challenges = verifier.challenges(now, challenged, stale);
                    respond(
                        &message,
                        "401 Unauthorized",
                        &challenges.map(|c| format!("WWW-Authenticate: {c}")),
                    )
                }
            };
            let _ = socket.send_to(reply.as_bytes(), from).await;
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn register_returns_once_accepted_and_shutdown_withdraws_the_binding() {
    let (addr, mut accepted) = registrar().await;
    let peer = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let registrar = format!("sip:{addr}");
    let registration =
        timeout(Duration::from_secs(5), peer.register(&registrar, "alice", "secret")).await.expect("in time");
    let registration = registration.expect("accepted");
    assert_eq!(registration.state(), RegistrationState::Registered);
    assert_eq!(registration.expires(), Some(60));
    let first = accepted.recv().await.unwrap();
    assert_eq!(header(&first, "Contact"), Some(format!("<sip:alice@{}>", peer.local_addr()).as_str()));
    assert_eq!(header(&first, "Expires"), Some("3600"));
    let changes: Vec<_> = [registration.next_change().await, registration.next_change().await]
        .into_iter()
        .map(|c| c.expect("a change").state)
        .collect();
    assert_eq!(changes, [RegistrationState::Registering, RegistrationState::Registered]);

    timeout(Duration::from_secs(5), peer.shutdown()).await.expect("the withdrawal is answered in time");
    let withdrawal = accepted.recv().await.unwrap();
    assert_eq!(header(&withdrawal, "Expires"), Some("0"));
    assert_eq!(registration.state(), RegistrationState::Unregistered);
}

#[tokio::test]
async fn a_wrong_password_fails_naming_401_and_what_to_check() {
    let (addr, _accepted) = registrar().await;
    let peer = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let registered = timeout(Duration::from_secs(5), peer.register(&format!("sip:{addr}"), "alice", "guess"))
        .await
        .expect("in time");
    let error = registered.expect_err("refused");
    assert_eq!(error, RegisterError::Failed(RegistrationError::WrongCredentials { code: 401 }));
    let text = error.to_string();
    assert!(text.contains("401") && text.contains("check the user and password"), "{text}");
}

#[tokio::test]
async fn unregister_waits_for_the_registrar_and_reports_unregistered() {
    let (addr, mut accepted) = registrar().await;
    let peer = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let registration = peer.register(&format!("sip:{addr}"), "alice", "secret").await.expect("accepted");
    let _ = accepted.recv().await;
    timeout(Duration::from_secs(5), registration.unregister()).await.expect("in time").expect("withdrawn");
    assert_eq!(header(&accepted.recv().await.unwrap(), "Expires"), Some("0"));
    let mut last = None;
    while let Some(change) = registration.next_change().await {
        last = Some(change.state);
    }
    assert_eq!(last, Some(RegistrationState::Unregistered));
    // A second withdrawal has nothing left to do.
    assert_eq!(registration.unregister().await, Ok(()));
    let invalid = peer.register("127.0.0.1:5060", "alice", "secret").await.expect_err("not a SIP URI");
    assert!(matches!(invalid, RegisterError::Invalid(ref why) if why.contains("sip:HOST")), "{invalid}");
}
