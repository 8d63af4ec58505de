//! `simplepeer listen|call --registrar … --user …` against a registrar in the test on
//! 127.0.0.1 that challenges with `auth::Verifier`: the password comes from
//! SIMPLEPEER_PASSWORD and never reaches the output; a wrong one exits non-zero naming
//! 401 and what to check; `call` registers, calls through the registrar with a Route,
//! and withdraws the binding at the end.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Running, free_port, simplepeer, wait_until_bound};
use session_proto::auth::{Users, Verdict, Verifier};

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.split("\r\n\r\n").next()?.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn respond(request: &str, status: &str, extra: &[String]) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for line in request.split("\r\n\r\n").next().unwrap_or_default().lines().skip(1) {
        let name = line.split(':').next().unwrap_or_default();
        if ["Via", "From", "Call-ID", "CSeq"].contains(&name) {
            out.push_str(&format!("{line}\r\n"));
        } else if name == "To" {
            out.push_str(&format!("{line};tag=reg\r\n"));
        }
    }
    for line in extra {
        out.push_str(&format!("{line}\r\n"));
    }
    out + "Content-Length: 0\r\n\r\n"
}

/// A registrar (and refusing proxy: INVITEs get 486) that knows alice/s3cret-pass;
/// every datagram it receives goes to the returned queue. It stops when the test ends.
fn registrar() -> (SocketAddr, mpsc::Receiver<String>) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = socket.local_addr().unwrap();
    let (seen, rx) = mpsc::channel();
    thread::spawn(move || {
        let verifier = Verifier::new("test.invalid".into(), [5; 32], 300);
        let mut users = Users::new();
        users.insert("alice", "s3cret-pass", "test.invalid");
        let mut buf = vec![0u8; 65_535];
        let mut challenged = 0u64;
        while let Ok((len, from)) = socket.recv_from(&mut buf) {
            let message = String::from_utf8_lossy(&buf[..len]).into_owned();
            let reply = if message.starts_with("INVITE ") {
                Some(respond(&message, "486 Busy Here", &[]))
            } else if message.starts_with("REGISTER ") {
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
                match header(&message, "Authorization").map(|a| verifier.verify(a, "REGISTER", &users, now)) {
                    Some(Verdict::Valid { .. }) => {
                        let contact = header(&message, "Contact").unwrap_or_default();
                        Some(respond(&message, "200 OK", &[format!("Contact: {contact};expires=300")]))
                    }
                    _ => {
                        challenged += 1;
                        let challenges = verifier.challenges(now, challenged, false);
                        Some(respond(
                            &message,
                            "401 Unauthorized",
                            &challenges.map(|c| format!("WWW-Authenticate: {c}")),
                        ))
                    }
                }
            } else {
                None
            };
            if let Some(reply) = reply {
                let _ = socket.send_to(reply.as_bytes(), from);
            }
            if seen.send(message).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

fn received(rx: &mpsc::Receiver<String>) -> Vec<String> {
    let mut all = Vec::new();
    while let Ok(message) = rx.recv_timeout(Duration::from_millis(200)) {
        all.push(message);
    }
    all
}

#[test]
fn a_wrong_password_exits_non_zero_naming_401_and_what_to_check() {
    let (addr, rx) = registrar();
    let output = simplepeer()
        .args(["listen", "--bind", "127.0.0.1:0", "--registrar", &format!("sip:{addr}"), "--user", "alice"])
        .env("SIMPLEPEER_PASSWORD", "not-the-password")
        .output()
        .expect("simplepeer runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("401") && stderr.contains("check the user and password"), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "the password reached the output: {stderr}");
    assert_eq!(received(&rx).iter().filter(|m| m.starts_with("REGISTER ")).count(), 2);
}

#[test]
fn without_the_password_in_the_environment_nothing_is_sent() {
    let (addr, rx) = registrar();
    let output = simplepeer()
        .args(["listen", "--bind", "127.0.0.1:0", "--registrar", &format!("sip:{addr}"), "--user", "alice"])
        .env_remove("SIMPLEPEER_PASSWORD")
        .output()
        .expect("simplepeer runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("SIMPLEPEER_PASSWORD"), "{stderr}");
    assert!(received(&rx).is_empty(), "sent before the arguments were checked");
}

#[test]
fn call_registers_calls_through_the_registrar_and_withdraws_at_the_end() {
    let (addr, rx) = registrar();
    let output = simplepeer()
        .args(["call", &format!("sip:bob@{addr}"), "--bind", "127.0.0.1:0"])
        .args(["--registrar", &format!("sip:{addr}"), "--user", "alice"])
        .env("SIMPLEPEER_PASSWORD", "s3cret-pass")
        .env("RUST_LOG", "trace")
        .output()
        .expect("simplepeer runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the callee is busy: {stderr}");
    assert!(stderr.contains("486"), "{stderr}");
    assert!(!stderr.contains("s3cret-pass"), "the password reached the log: {stderr}");
    assert!(!stderr.contains("response=\""), "a digest response reached the log");
    let messages = received(&rx);
    let first_lines: Vec<&str> = messages.iter().map(|m| m.lines().next().unwrap_or_default()).collect();
    let registrar_uri = format!("sip:{addr}");
    let register = format!("REGISTER {registrar_uri} SIP/2.0");
    let invite = format!("INVITE sip:bob@{addr} SIP/2.0");
    assert_eq!(first_lines[..3], [register.as_str(), register.as_str(), invite.as_str()]);
    let invite = &messages[2];
    assert_eq!(header(invite, "Route"), Some(format!("<sip:{addr};lr>").as_str()));
    let from = header(invite, "From").unwrap();
    assert!(from.starts_with("<sip:alice@127.0.0.1>;tag="), "registered, the call is from the AoR: {from}");
    let last = messages.iter().rev().find(|m| m.starts_with("REGISTER ")).unwrap();
    assert_eq!(header(last, "Expires"), Some("0"), "the binding is withdrawn at the end");
}

#[test]
fn listen_and_call_register_with_simplepeer_server_and_call_each_other_by_aor() {
    let users = std::env::temp_dir().join(format!("session-core-users-{}.txt", std::process::id()));
    std::fs::write(&users, "alice:wonderland\nbob:builder\n").unwrap();
    let server_port = free_port();
    let server = format!("127.0.0.1:{server_port}");
    let _server = Running::start(
        simplepeer().args(["server", "--bind", &server, "--realm", "example.com"]).arg("--users").arg(&users),
    );
    wait_until_bound(server_port);
    let registrar = format!("sip:{server}");
    let bob_port = free_port();
    let mut bob = Running::start(
        simplepeer()
            .args(["listen", "--bind", &format!("127.0.0.1:{bob_port}"), "--auto-answer", "--max-calls", "1"])
            .args(["--registrar", &registrar, "--user", "bob"])
            .env("SIMPLEPEER_PASSWORD", "builder"),
    );
    let start = std::time::Instant::now();
    while !bob.output().contains("registered") {
        assert!(start.elapsed() < Duration::from_secs(10), "Bob never registered: {}", bob.output());
        thread::sleep(Duration::from_millis(20));
    }
    let call = simplepeer()
        .args(["call", "sip:bob@example.com", "--duration", "0.5"])
        .args(["--registrar", &registrar, "--user", "alice"])
        .env("SIMPLEPEER_PASSWORD", "wonderland")
        .output()
        .expect("simplepeer runs");
    let stderr = String::from_utf8_lossy(&call.stderr);
    assert!(
        call.status.success(),
        "the call through the server failed: {stderr}\n--- bob ---\n{}",
        bob.output()
    );
    assert!(bob.wait(Duration::from_secs(10)).is_some_and(|s| s.success()), "{}", bob.output());
    let _ = std::fs::remove_file(&users);
}
