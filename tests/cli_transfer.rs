//! `simplepeer call --transfer-to URI --transfer-after SECS` over loopback: the caller
//! hands a `simplepeer listen` on to a third party (a peer in this test), reports the
//! statuses the listener's NOTIFYs carry and ends once the transfer worked; a refused
//! transfer keeps the call and fails the command; bad transfer options are refused
//! before anything is sent.

mod common;

use std::net::UdpSocket;
use std::process::Output;
use std::time::Duration;

use common::{Running, free_port, simplepeer, wait_until_bound};
use session_core::{Call, SimplePeer};
use session_media::tone::goertzel;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(15);

/// `simplepeer listen` answering with a 440 Hz tone, exiting after `calls` calls.
fn listener(port: u16, calls: u32) -> Running {
    let bind = format!("127.0.0.1:{port}");
    let calls = calls.to_string();
    let args = ["listen", "--bind", &bind, "--auto-answer", "--tone", "440", "--max-calls", &calls];
    let running = Running::start(simplepeer().args(args));
    wait_until_bound(port);
    running
}

/// `simplepeer call` to the listener on `port`, transferring it to `target`, in a
/// thread of its own (the test's peer must answer meanwhile).
fn call_and_transfer(port: u16, target: &str, duration: &str) -> tokio::task::JoinHandle<Output> {
    let mut command = simplepeer();
    command.args(["call", &format!("sip:bob@127.0.0.1:{port}"), "--transfer-to", target]);
    command.args(["--transfer-after", "0.5", "--duration", duration]);
    tokio::task::spawn_blocking(move || command.output().expect("simplepeer runs"))
}

/// Whether the call's audio carries a 440 Hz tone within a few seconds.
async fn hears_440(call: &Call) -> bool {
    let mut audio = call.audio().expect("audio");
    let mut samples = Vec::new();
    for _ in 0..250 {
        let Ok(Some(frame)) = timeout(LIMIT, audio.recv()).await else { return false };
        samples.extend_from_slice(frame.samples());
        let recent = &samples[samples.len().saturating_sub(4000)..];
        if recent.len() == 4000 && goertzel(recent, 440.0, 8000) > 1.0e6 {
            return true;
        }
    }
    false
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes).lines().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn call_hands_the_listener_on_to_a_third_party_and_ends() {
    let carol = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let port = free_port();
    let mut bob = listener(port, 2);
    let caller = call_and_transfer(port, &carol.uri(), "10");

    let call = timeout(LIMIT, carol.next_call()).await.expect("bob calls carol").expect("a call");
    assert!(call.remote_uri().contains(&format!(":{port}")), "from the listener: {}", call.remote_uri());
    call.accept().await.expect("answer");
    assert!(hears_440(&call).await, "carol hears the listener's 440 Hz tone");

    let out = caller.await.expect("the caller's thread");
    let (stdout, stderr) = (lines(&out.stdout), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "call: {stderr}");
    let statuses: Vec<&String> = stdout.iter().filter(|l| l.starts_with("transfer: ")).collect();
    assert_eq!(statuses.first().map(|s| s.as_str()), Some("transfer: 100"), "{stdout:?}");
    assert_eq!(statuses.last().map(|s| s.as_str()), Some("transfer: 200"), "{stdout:?}");
    assert!(stderr.contains("the peer was transferred"), "the call ended as transferred: {stderr}");

    call.hangup().await.expect("hang up");
    let exit = bob.wait(LIMIT);
    let log = bob.output();
    assert!(exit.is_some_and(|s| s.success()), "the listener ends after its two calls: {log}");
    assert!(log.contains("transferred by the peer; calling"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_transfer_keeps_the_call_and_fails_the_command() {
    let carol = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let port = free_port();
    let _bob = listener(port, 2);
    let caller = call_and_transfer(port, &carol.uri(), "2.5");

    let call = timeout(LIMIT, carol.next_call()).await.expect("bob calls carol").expect("a call");
    call.reject(486).await.expect("reject");

    let out = caller.await.expect("the caller's thread");
    let (stdout, stderr) = (lines(&out.stdout), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(!out.status.success(), "a refused transfer fails the command: {stderr}");
    assert!(stdout.iter().any(|l| l == "transfer: 486"), "{stdout:?}");
    assert!(stderr.contains(&format!("the transfer to {} failed with 486", carol.uri())), "{stderr}");
    assert!(stderr.contains("we hung up"), "the call went on to --duration: {stderr}");
}

#[test]
fn bad_transfer_options_are_refused_before_anything_is_sent() {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    let target = format!("sip:bob@{}", socket.local_addr().expect("addr"));
    let cases: [(&[&str], &str); 2] = [
        (&["--transfer-to", "carol@127.0.0.1"], "--transfer-to: invalid target `carol@127.0.0.1`"),
        (
            &["--transfer-to", "sip:carol@127.0.0.1:5062", "--transfer-after", "3", "--duration", "2"],
            "--transfer-after (3 s) does not end before the call does (--duration 2 s); make --duration longer",
        ),
    ];
    for (args, message) in cases {
        let out = simplepeer().args(["call", &target]).args(args).output().expect("simplepeer runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(message), "{args:?}: {stderr}");
        assert!(socket.recv(&mut [0; 2048]).is_err(), "{args:?}: nothing may be sent");
    }
}
