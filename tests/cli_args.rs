//! Every `simplepeer` argument is checked before anything is sent: a bad one makes the
//! command exit non-zero with a message that says what to do, and the target (a UDP
//! socket in this test) receives nothing.

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::simplepeer;

/// A socket standing in for the callee, and its URI.
fn callee() -> (UdpSocket, String) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    let uri = format!("sip:bob@{}", socket.local_addr().expect("addr"));
    (socket, uri)
}

/// Runs `simplepeer call <callee> args`; asserts it fails with `message` and sends nothing.
fn refused(args: &[&str], message: &str) {
    let (socket, target) = callee();
    let out = simplepeer().args(["call", &target]).args(args).output().expect("simplepeer runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} must fail: {stderr}");
    assert!(stderr.contains(message), "{args:?}: wanted `{message}` in: {stderr}");
    assert!(socket.recv(&mut [0; 2048]).is_err(), "{args:?}: nothing may be sent");
}

#[test]
fn a_tone_outside_the_band_is_refused() {
    refused(
        &["--tone=-5"],
        "--tone -5: a tone of -5 Hz cannot be carried at 8 kHz; choose between 1 and 3999 Hz",
    );
    refused(&["--tone", "4000"], "choose between 1 and 3999 Hz");
}

#[test]
fn a_wav_file_that_does_not_play_is_refused() {
    refused(&["--play", "/no/such/file.wav"], "--play /no/such/file.wav:");
    let junk = std::env::temp_dir().join(format!("cli-args-junk-{}.wav", std::process::id()));
    std::fs::write(&junk, b"not a wav file").expect("write");
    refused(&["--play", junk.to_str().expect("utf-8")], "give a readable PCM WAV file");
    let _ = std::fs::remove_file(&junk);
}

#[test]
fn a_recording_that_cannot_be_created_is_refused() {
    refused(&["--record", "/no/such/dir/x.wav"], "--record /no/such/dir/x.wav: cannot create it");
}

#[test]
fn digits_that_are_not_dtmf_are_refused() {
    refused(&["--dtmf", "12X"], "--dtmf: cannot send DTMF \"12X\": 'X' is not a DTMF digit");
}

#[test]
fn counts_below_one_are_refused() {
    refused(&["--calls", "0"], "invalid value '0' for '--calls <N>': must be 1 or more");
    let out =
        simplepeer().args(["listen", "--bind", "127.0.0.1:0", "--max-calls", "0"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("must be 1 or more"), "{stderr}");
}

#[test]
fn times_that_do_not_fit_in_the_call_are_refused() {
    refused(
        &["--hold-after", "1.5", "--duration", "2"],
        "--hold-after plus --hold-for (2.5 s) does not end before the call does (--duration 2 s); make --duration longer",
    );
    refused(&["--duration=-1"], "--duration -1 is not a number of seconds");
    refused(&["--dtmf", "1", "--duration", "0.2"], "make --duration longer");
}

#[test]
fn a_target_that_cannot_be_called_is_refused() {
    let out = simplepeer().args(["call", "bob@127.0.0.1"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("invalid target `bob@127.0.0.1`"), "{stderr}");
}

#[test]
fn listen_refuses_bad_media_options_at_start_instead_of_failing_each_call() {
    let out =
        simplepeer().args(["listen", "--bind", "127.0.0.1:0", "--tone", "9000"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("--tone 9000: a tone of 9000 Hz"), "{stderr}");
}

#[test]
fn listen_refuses_limits_that_would_refuse_every_call() {
    for (flag, message) in [
        ("--max-concurrent", "invalid value '0' for '--max-concurrent <N>': must be 1 or more"),
        ("--max-transactions", "invalid value '0' for '--max-transactions <N>': must be 1 or more"),
        ("--max-cps", "invalid value '0' for '--max-cps <RATE>'"),
        ("--retry-after", "invalid value '0' for '--retry-after <SECS>'"),
        ("--max-queue-delay", "'0' is not a delay: give milliseconds from 1 to 10000, or 'off'"),
    ] {
        let out = simplepeer().args(["listen", "--bind", "127.0.0.1:0", flag, "0"]).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(message), "{flag} 0: {stderr}");
    }
}

#[test]
fn bad_peer_options_are_refused() {
    refused(&["--rtp-ports", "20000-10000"], "holds no RTP/RTCP port pair; give two ports like 10000-20000");
    refused(&["--display-name", "Alice\u{7}"], "--display-name: the display name");
    refused(&["--codec", "opus"], "invalid value 'opus' for '--codec <CODEC>'");
    // The proxy URI is checked as a call target is, with the same words.
    refused(&["--outbound-proxy", "sip:127.0.0.1:99999"], "port 99999 is out of range (1–65535)");
    refused(&["--outbound-proxy", "127.0.0.1:50x"], "`50x` is not a port number");
}

#[test]
fn peer_options_shape_the_invite() {
    let (socket, target) = callee();
    socket.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let args = ["--display-name", "Alice Liddell", "--rtp-ports", "31000-31100", "--dtmf-mode", "info"];
    let _caller =
        common::Running::start(simplepeer().args(["call", &target]).args(args).args(["--codec", "pcma"]));
    let mut datagram = [0; 4096];
    let n = socket.recv(&mut datagram).expect("an INVITE");
    let invite = String::from_utf8_lossy(&datagram[..n]);
    assert!(invite.starts_with("INVITE "), "{invite}");
    assert!(invite.contains("\r\nFrom: \"Alice Liddell\" <sip:"), "{invite}");
    let port: u16 = invite
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|m| m.split(' ').next()?.parse().ok())
        .expect("an m=audio line");
    assert!((31000..=31100).contains(&port), "RTP port {port} in --rtp-ports: {invite}");
    assert!(invite.contains("a=rtpmap:8 PCMA/8000"), "{invite}");
    assert!(!invite.contains("a=rtpmap:0 PCMU/8000"), "only --codec pcma: {invite}");
    assert!(!invite.contains("telephone-event"), "--dtmf-mode info offers no telephone-event: {invite}");
}
