//! Interop with baresip, a SIP user agent nobody here wrote (Debian package
//! `baresip-core`; `.ci/run` installs it): audio both ways when it calls us, and DTMF
//! plus hold/resume when we call it.

mod common;

use std::time::Duration;

use common::baresip::{baresip, baresip_home, decoded_by_baresip};
use common::{Running, free_port, listen_for_one_call, simplepeer, tone_powers, wait_until_bound};

#[test]
fn baresip_calls_listen_and_each_hears_the_other() {
    let (ours, theirs) = (free_port(), free_port());
    let home = baresip_home(theirs, false, None);
    let recording = home.join("ours.wav");
    let mut listen = listen_for_one_call(ours, &recording);
    let dial = format!("/dial sip:bob@127.0.0.1:{ours}");
    let out = baresip(&home).args(["-e", &dial, "-t", "3"]).output().expect("baresip runs");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("Call established"), "baresip: {log}");
    let exit = listen.wait(Duration::from_secs(20));
    assert!(exit.is_some_and(|s| s.success()), "listen: {}", listen.output());

    let (at_440, at_1000) = tone_powers(&recording);
    assert!(at_440 > 100.0 * at_1000.max(1.0), "we hear baresip's 440 Hz: {at_440:.0} vs {at_1000:.0}");
    let (at_440, at_1000) = tone_powers(&decoded_by_baresip(&home));
    assert!(at_1000 > 100.0 * at_440.max(1.0), "baresip hears our 1000 Hz: {at_1000:.0} vs {at_440:.0}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn call_reaches_baresip_with_dtmf_hold_and_resume() {
    let theirs = free_port();
    let home = baresip_home(theirs, true, None);
    let answering = Running::start(baresip(&home).args(["-t", "12"]));
    wait_until_bound(theirs);
    let call = simplepeer()
        .args(["call", &format!("sip:alice@127.0.0.1:{theirs}"), "--tone", "1000", "--dtmf", "159"])
        .args(["--hold-after", "1.5", "--hold-for", "1", "--duration", "4"])
        .output()
        .expect("simplepeer runs");
    assert!(call.status.success(), "call: {}", String::from_utf8_lossy(&call.stderr));
    std::thread::sleep(Duration::from_millis(500));
    let log = answering.output();
    for digit in ['1', '5', '9'] {
        assert!(log.contains(&format!("received event: '{digit}'")), "baresip got DTMF {digit}: {log}");
    }
    assert_eq!(log.matches("stream: update 'audio'").count(), 3, "answer, hold, resume: {log}");
    // 4 s of call, 1 s of it held: baresip (recvonly) stops sending for that second.
    let summary = String::from_utf8_lossy(&call.stdout);
    let received: u64 = summary
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("received="))
        .and_then(|n| n.parse().ok())
        .expect("a media: line");
    assert!((120..=175).contains(&received), "about 3 s of baresip's packets, got {received}: {summary}");
    drop(answering); // stops baresip
    let _ = std::fs::remove_dir_all(&home);
}
