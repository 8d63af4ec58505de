//! The `simplepeer` binary carries audio: two processes, each sending a tone and
//! recording the other, with DTMF and a hold in the middle of the call; and `simplepeer
//! demo`, which does the same between two peers in one process.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{free_port, listen_for_one_call, simplepeer, tone_powers};

/// The dominant of 440/1000 Hz in a recording, and whether it stands clearly (100×)
/// above the other.
fn dominant(path: &Path) -> (f64, bool) {
    let (at_440, at_1000) = tone_powers(path);
    let (hz, power, other) =
        if at_440 > at_1000 { (440.0, at_440, at_1000) } else { (1000.0, at_1000, at_440) };
    (hz, power > 100.0 * other.max(1.0))
}

#[test]
fn call_and_listen_each_record_the_others_tone_and_dtmf_is_printed() {
    let dir = std::env::temp_dir().join(format!("session-cli-audio-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (a, b) = (dir.join("a.wav"), dir.join("b.wav"));
    let port = free_port();
    let mut listen = listen_for_one_call(port, &b);
    let call = simplepeer()
        .args(["call", &format!("sip:bob@127.0.0.1:{port}"), "--tone", "440", "--dtmf", "123#*0"])
        .args(["--hold-after", "1", "--hold-for", "0.3", "--duration", "2.5", "--record"])
        .arg(&a)
        .output()
        .expect("simplepeer runs");
    assert!(call.status.success(), "call failed: {}", String::from_utf8_lossy(&call.stderr));
    let exit = listen.wait(Duration::from_secs(20));
    assert!(exit.is_some_and(|s| s.success()), "listen: {}", listen.output());

    assert_eq!(dominant(&a), (1000.0, true), "the caller recorded the listener's 1000 Hz");
    assert_eq!(dominant(&b), (440.0, true), "the listener recorded the caller's 440 Hz");
    let printed: Vec<String> =
        listen.output().lines().filter(|l| l.starts_with("dtmf: ")).map(str::to_owned).collect();
    assert_eq!(printed, ["dtmf: 1", "dtmf: 2", "dtmf: 3", "dtmf: #", "dtmf: *", "dtmf: 0"]);
    let summary = String::from_utf8_lossy(&call.stdout);
    assert!(summary.contains("media: calls=1 "), "the caller reports its media: {summary}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo's acts, each as the lines it printed: the call, the conference, the transfer.
fn demo_acts() -> (String, Vec<Vec<String>>) {
    let demo = simplepeer().arg("demo").output().expect("simplepeer runs");
    let stdout = String::from_utf8_lossy(&demo.stdout).into_owned();
    assert!(demo.status.success(), "demo failed: {stdout}{}", String::from_utf8_lossy(&demo.stderr));
    let acts = stdout.split("== ").skip(1).map(|act| act.lines().map(str::to_owned).collect()).collect();
    (stdout, acts)
}

/// Whether `lines` holds each of `expected`, in that order.
fn in_order(lines: &[String], expected: &[&str]) -> bool {
    let mut rest = lines.iter();
    expected.iter().all(|wanted| rest.any(|line| line == wanted))
}

#[test]
fn the_demo_call_carries_tones_both_ways_dtmf_and_a_hold_then_a_conference_and_a_transfer() {
    let (stdout, acts) = demo_acts();
    let [call, conference, transfer] = &acts[..] else { panic!("three acts in:\n{stdout}") };
    for expected in [
        "bob: hears alice (440 Hz)",
        "alice: hears bob (1000 Hz)",
        "alice: on hold",
        "bob: call ended: the peer hung up",
    ] {
        assert!(call.iter().any(|l| l == expected), "missing {expected:?} in:\n{stdout}");
    }
    let digits: Vec<&String> = call.iter().filter(|l| l.starts_with("bob: received DTMF")).collect();
    assert_eq!(digits, ["bob: received DTMF 4", "bob: received DTMF 2"]);
    for who in ["alice", "bob"] {
        assert!(
            call.iter().any(|l| l.starts_with(&format!("{who}: media PCMU/8000 sent "))),
            "{who} reports its media:\n{stdout}"
        );
    }
    // Each of three hears the other two, never itself; carol taken out, the two hear
    // only each other.
    let heard = [
        "alice: hears bob (1000 Hz) and carol (700 Hz)",
        "bob: hears alice (440 Hz) and carol (700 Hz)",
        "carol: hears alice (440 Hz) and bob (1000 Hz)",
        "room: carol taken out of conference-1",
        "alice: hears bob (1000 Hz)",
        "bob: hears alice (440 Hz)",
    ];
    assert!(in_order(conference, &heard), "the conference:\n{stdout}");
    let handed_on = [
        "alice: hears bob (1000 Hz)",
        "bob: transfer status 100",
        "bob: transfer status 200",
        "bob: call ended: the peer was transferred",
        "alice: hears carol (700 Hz)",
        "carol: hears alice (440 Hz)",
    ];
    assert!(in_order(transfer, &handed_on), "the transfer:\n{stdout}");
}
