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
