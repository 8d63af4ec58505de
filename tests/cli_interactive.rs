//! `simplepeer listen --interactive` under a pseudo-terminal (`script`, from util-linux,
//! gives the listener one): a call rings until `a` answers it, a line of digits goes
//! out as DTMF, `H` holds and resumes, `h` hangs up. The caller is a `SimplePeer` in
//! this test, which checks each step from its side.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Running, free_port, wait_until_bound};
use session_core::{CallEvent, EndReason, SimplePeer, State};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread")]
async fn the_console_answers_sends_a_digit_holds_and_hangs_up() {
    let port = free_port();
    let listen = format!(
        "{} listen --bind 127.0.0.1:{port} --interactive --max-calls 1 --tone 700",
        env!("CARGO_BIN_EXE_simplepeer")
    );
    let mut script = Command::new("script");
    script.args(["-qfec", &listen, "/dev/null"]).stdin(Stdio::piped()).env("RUST_LOG", "info");
    let mut console = Running::start(&mut script);
    wait_until_bound(port);

    let alice = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let call = alice.dial(&format!("sip:bob@127.0.0.1:{port}")).await.expect("dials");
    let mut events = call.events().expect("events");
    assert!(console.wait_for_output("incoming call from", LIMIT), "{}", console.output());
    assert_ne!(call.state(), State::Active, "it rings until someone answers");

    console.type_line("a");
    assert_eq!(timeout(LIMIT, call.wait_for(State::Active)).await.expect("in time"), State::Active);
    // The listener's call is up once our ACK has reached it; a digit typed before that
    // would be refused (the call is still answering).
    assert!(console.wait_for_output("answered", LIMIT), "{}", console.output());
    console.type_line("5");
    let digit = timeout(LIMIT, async {
        while let Some(event) = events.recv().await {
            if let CallEvent::Dtmf(digit) = event {
                return Some(digit);
            }
        }
        None
    });
    assert_eq!(digit.await.expect("in time"), Some('5'), "{}", console.output());
    console.type_line("H");
    assert!(console.wait_for_output("holding", LIMIT), "{}", console.output());
    console.type_line("H");
    assert!(console.wait_for_output("resuming", LIMIT), "{}", console.output());

    console.type_line("h");
    assert_eq!(timeout(LIMIT, call.ended()).await.expect("in time"), EndReason::RemoteHangup);
    let status = console.wait(LIMIT);
    assert!(status.is_some_and(|s| s.success()), "the listener ends after its call: {}", console.output());
}

#[tokio::test(flavor = "multi_thread")]
async fn answer_after_lets_the_call_ring_then_answers() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let args = ["listen", "--bind", &bind, "--answer-after", "1", "--max-calls", "1"];
    let _listener = Running::start(common::simplepeer().args(args));
    wait_until_bound(port);
    let alice = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let call = alice.dial(&format!("sip:bob@{bind}")).await.expect("dials");
    let ringing = timeout(LIMIT, call.wait_for(State::RingingOutbound)).await.expect("in time");
    assert_eq!(ringing, State::RingingOutbound, "it rings first");
    assert_eq!(timeout(LIMIT, call.wait_for(State::Active)).await.expect("in time"), State::Active);
    call.hangup().await.expect("hang up");
}

#[test]
fn sip_trace_prints_the_invite_and_the_200_and_progress_comes_in_order() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let _listener =
        Running::start(common::simplepeer().args(["listen", "--bind", &bind, "--answer-after", "0.3"]));
    wait_until_bound(port);
    let out = common::simplepeer()
        .args(["call", &format!("sip:bob@{bind}"), "--duration", "0.5", "--sip-trace"])
        .output()
        .expect("simplepeer runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let invite = stderr.find(&format!("sent to {bind}:\nINVITE sip:bob@{bind} SIP/2.0")).expect("the INVITE");
    let ok = stderr.find(&format!("received from {bind}:\nSIP/2.0 200 OK")).expect("the 200");
    assert!(invite < ok, "{stderr}");
    let steps: Vec<usize> = ["trying", "ringing", "answered", "call ended"]
        .iter()
        .map(|step| stderr.find(&format!(" {step} ")).unwrap_or_else(|| panic!("{step} in {stderr}")))
        .collect();
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "progress in order: {stderr}");
}
