//! Interop with baresip, a SIP user agent nobody here wrote (Debian package
//! `baresip-core`; `.ci/run` installs it): audio both ways when it calls us, and DTMF
//! plus hold/resume when we call it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Running, free_port, listen_for_one_call, simplepeer, tone_powers, wait_until_bound};

/// A baresip configuration in a fresh directory: SIP on `port`, G.711 only, a 440 Hz
/// WAV as the microphone, and `sndfile` dumping what it decodes to `dump-*-dec.wav`.
fn baresip_home(port: u16, answer: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("session-baresip-{port}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let tone = dir.join("tone440.wav");
    let mut wav = hound::WavWriter::create(&tone, spec()).expect("wav");
    let mut sine = session_media::tone::ToneGenerator::new(440.0, 12_000);
    for _ in 0..500 {
        sine.next_frame().samples().iter().for_each(|&s| wav.write_sample(s).expect("sample"));
    }
    wav.finalize().expect("wav");
    let config = format!(
        "poll_method epoll\nsip_listen 127.0.0.1:{port}\naudio_player aufile,{dir}/heard.wav\n\
         audio_source aufile,{tone}\naudio_alert aufile,/dev/null\nmodule_path /usr/lib/baresip/modules\n\
         module stdio.so\nmodule g711.so\nmodule aufile.so\nmodule sndfile.so\nmodule_app account.so\n\
         module_app menu.so\nsnd_path {dir}\n",
        dir = dir.display(),
        tone = tone.display()
    );
    std::fs::write(dir.join("config"), config).expect("config");
    let mode = if answer { ";answermode=auto" } else { "" };
    std::fs::write(dir.join("accounts"), format!("<sip:alice@127.0.0.1:{port}>;regint=0{mode}\n"))
        .expect("accounts");
    dir
}

fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

fn baresip(home: &Path) -> Command {
    let mut command = Command::new("baresip");
    command.arg("-f").arg(home).stdin(std::process::Stdio::null());
    command
}

fn decoded_by_baresip(home: &Path) -> PathBuf {
    let dumps = std::fs::read_dir(home).expect("dir").filter_map(Result::ok).map(|e| e.path());
    dumps.into_iter().find(|p| p.to_string_lossy().ends_with("-dec.wav")).expect("baresip's decoded audio")
}

#[test]
fn baresip_calls_listen_and_each_hears_the_other() {
    let (ours, theirs) = (free_port(), free_port());
    let home = baresip_home(theirs, false);
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
    let home = baresip_home(theirs, true);
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
