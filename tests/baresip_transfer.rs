//! Transfer with baresip, a user agent nobody here wrote: baresip follows the REFER
//! `simplepeer call --transfer-to` sends it and reports by NOTIFY; and baresip, told over
//! its `ctrl_tcp` channel, transfers the call it placed to `simplepeer listen`, which
//! follows. In both, the third party is a peer in this test that checks, by the tone it
//! hears, who ended up on the other end.

mod common;

use std::process::Output;
use std::time::Duration;

use common::baresip::{Control, baresip, baresip_home, free_tcp_port};
use common::{Running, free_port, simplepeer, wait_until_bound};
use session_core::{Call, SimplePeer};
use session_media::tone::goertzel;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(15);

/// The powers of 440 Hz (baresip's tone) and 1000 Hz (ours) in a second of the call's
/// audio, from when the audio starts.
async fn tones(call: &Call) -> (f64, f64) {
    let mut audio = call.audio().expect("audio");
    let heard = audio.capture(Duration::from_secs(1), Duration::from_secs(5));
    let samples = timeout(LIMIT, heard).await.expect("audio in time").expect("the call's audio");
    (goertzel(&samples, 440.0, 8000), goertzel(&samples, 1000.0, 8000))
}

fn lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn baresip_follows_our_refer_and_reports_by_notify() {
    let carol = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let theirs = free_port();
    let home = baresip_home(theirs, true, None);
    let answering = Running::start(baresip(&home).args(["-t", "20"]));
    wait_until_bound(theirs);
    let mut command = simplepeer();
    command.args(["call", &format!("sip:alice@127.0.0.1:{theirs}"), "--tone", "1000"]);
    command.args(["--transfer-to", &carol.uri(), "--transfer-after", "1", "--duration", "10"]);
    let caller = tokio::task::spawn_blocking(move || command.output().expect("simplepeer runs"));

    let call = timeout(LIMIT, carol.next_call()).await.expect("baresip calls carol").expect("a call");
    assert!(call.remote_uri().contains(&format!("alice@127.0.0.1:{theirs}")), "{}", call.remote_uri());
    call.accept().await.expect("answer");
    let (at_440, at_1000) = tones(&call).await;
    assert!(at_440 > 100.0 * at_1000.max(1.0), "carol hears baresip's 440 Hz: {at_440:.0} vs {at_1000:.0}");

    let out = caller.await.expect("the caller's thread");
    let (stdout, stderr) = (lines(&out), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "call: {stderr}");
    let statuses: Vec<&String> = stdout.iter().filter(|l| l.starts_with("transfer: ")).collect();
    assert_eq!(statuses.first().map(|s| s.as_str()), Some("transfer: 100"), "{stdout:?}");
    assert_eq!(statuses.last().map(|s| s.as_str()), Some("transfer: 200"), "{stdout:?}");
    assert!(stderr.contains("the peer was transferred"), "we hung up on the 200: {stderr}");
    call.hangup().await.expect("hang up");
    drop(answering); // stops baresip
    let _ = std::fs::remove_dir_all(&home);
}

#[tokio::test(flavor = "multi_thread")]
async fn baresip_transfers_its_call_and_listen_follows() {
    let carol = SimplePeer::new("127.0.0.1:0").await.expect("binds");
    let (ours, theirs, control) = (free_port(), free_port(), free_tcp_port());
    let bind = format!("127.0.0.1:{ours}");
    let args = ["listen", "--bind", &bind, "--auto-answer", "--tone", "1000", "--max-calls", "2"];
    let mut bob = Running::start(simplepeer().args(args));
    wait_until_bound(ours);
    let home = baresip_home(theirs, false, Some(control));
    let _baresip = Running::start(baresip(&home).args(["-t", "30"]));
    let target = carol.uri();
    let transferring = tokio::task::spawn_blocking(move || {
        let mut control = Control::connect(control);
        control.command("dial", &format!("sip:bob@127.0.0.1:{ours}"));
        control.wait_for("CALL_ESTABLISHED", LIMIT).expect("bob answers baresip");
        std::thread::sleep(Duration::from_millis(500));
        control.command("transfer", &target);
        control.wait_for("CALL_CLOSED", LIMIT).expect("baresip's call with bob closes")
    });

    let call = timeout(LIMIT, carol.next_call()).await.expect("bob calls carol").expect("a call");
    assert!(call.remote_uri().contains(&format!(":{ours}")), "from the listener: {}", call.remote_uri());
    call.accept().await.expect("answer");
    let (at_440, at_1000) = tones(&call).await;
    assert!(at_1000 > 100.0 * at_440.max(1.0), "carol hears bob's 1000 Hz: {at_1000:.0} vs {at_440:.0}");
    let closed = transferring.await.expect("the control thread");
    assert!(closed.contains("transfer"), "baresip closed its call as transferred: {closed}");

    call.hangup().await.expect("hang up");
    let exit = bob.wait(LIMIT);
    let log = bob.output();
    assert!(exit.is_some_and(|s| s.success()), "the listener ends after its two calls: {log}");
    assert!(log.contains("transferred by the peer; calling"), "{log}");
    let _ = std::fs::remove_dir_all(&home);
}
