//! Interop with SIPp, a SIP tool nobody here wrote: its built-in `uac` and `uas`
//! scenarios, and scenarios of our own under tests/sipp/.

mod common;

use std::time::Duration;

use common::{Running, free_port, scenario, simplepeer, sipp, sipp_stat, wait_until_bound};

const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn sipp_uac_places_200_calls_that_listen_answers() {
    let (mut listen, port) = common::listen(&["--auto-answer", "--max-calls", "200"]);
    let stats = tempfile("uac");
    let status = sipp()
        .args(["-sn", "uac", &format!("127.0.0.1:{port}"), "-i", "127.0.0.1", "-p"])
        .arg(free_port().to_string())
        .args(["-m", "200", "-r", "100", "-nostdin", "-timeout", "60s", "-trace_stat", "-stf"])
        .arg(&stats)
        .output()
        .expect("sipp runs");
    assert!(status.status.success(), "sipp failed: {}", String::from_utf8_lossy(&status.stdout));
    assert_eq!(sipp_stat(&stats, "SuccessfulCall(C)"), 200);
    assert_eq!(sipp_stat(&stats, "FailedCall(C)"), 0);
    let exit = listen.wait(LIMIT);
    assert!(exit.is_some_and(|s| s.success()), "listen did not exit 0 after 200 calls: {}", listen.output());
}

#[test]
fn simplepeer_call_completes_against_sipp_uas() {
    let port = free_port();
    let stats = tempfile("uas");
    let mut uas = Running::start(
        sipp()
            .args(["-sn", "uas", "-i", "127.0.0.1", "-p", &port.to_string(), "-m", "1", "-nostdin"])
            .args(["-timeout", "60s", "-trace_stat", "-stf"])
            .arg(&stats),
    );
    wait_until_bound(port);
    let call = simplepeer()
        .args(["call", &format!("sip:service@127.0.0.1:{port}"), "--duration", "0.5"])
        .output()
        .expect("simplepeer runs");
    assert!(call.status.success(), "call failed: {}", String::from_utf8_lossy(&call.stderr));
    let exit = uas.wait(LIMIT);
    assert!(exit.is_some_and(|s| s.success()), "sipp uas: {}", uas.output());
    assert_eq!(sipp_stat(&stats, "SuccessfulCall(C)"), 1);
}

#[test]
fn sipp_cancels_before_the_answer_and_gets_487() {
    let (mut listen, port) = common::listen(&["--max-calls", "10"]);
    let stats = run_scenario("uac_cancel.xml", port, 10, 20);
    assert_eq!(sipp_stat(&stats, "SuccessfulCall(C)"), 10);
    let exit = listen.wait(LIMIT);
    assert!(exit.is_some_and(|s| s.success()), "listen did not see 10 calls end: {}", listen.output());
}

#[test]
fn listen_with_pcma_only_answers_sipps_pcmu_only_offer_488_with_a_warning() {
    // The refused calls never reach the application, so `--max-calls` would not count them.
    let (listen, port) = common::listen(&["--auto-answer", "--codec", "pcma"]);
    let stats = run_scenario("uac_pcmu_488.xml", port, 5, 10);
    assert_eq!(sipp_stat(&stats, "SuccessfulCall(C)"), 5);
    assert_eq!(sipp_stat(&stats, "FailedCall(C)"), 0);
    let log = listen.output();
    assert_eq!(
        log.matches("media negotiation failed: the offer has no codec we support").count(),
        5,
        "{log}"
    );
}

#[test]
fn listen_rejects_with_the_given_code() {
    let (_listen, port) = common::listen(&["--reject", "486"]);
    let call = simplepeer().args(["call", &format!("sip:bob@127.0.0.1:{port}")]).output().expect("runs");
    assert!(!call.status.success());
    let stderr = String::from_utf8_lossy(&call.stderr);
    assert!(stderr.contains("486"), "{stderr}");
}

/// Runs our SIPp scenario `file` against 127.0.0.1:`port` for `calls` calls at `rate` per
/// second; it must exit 0 (every call went as the scenario says). Returns its statistics.
fn run_scenario(file: &str, port: u16, calls: u32, rate: u32) -> std::path::PathBuf {
    let stats = tempfile(file.trim_end_matches(".xml"));
    let status = sipp()
        .arg("-sf")
        .arg(scenario(file))
        .args([&format!("127.0.0.1:{port}"), "-i", "127.0.0.1", "-p"])
        .arg(free_port().to_string())
        .args(["-m", &calls.to_string(), "-r", &rate.to_string(), "-nostdin", "-timeout", "60s"])
        .args(["-trace_stat", "-stf"])
        .arg(&stats)
        .output()
        .expect("sipp runs");
    assert!(status.status.success(), "sipp {file} failed: {}", String::from_utf8_lossy(&status.stdout));
    stats
}

fn tempfile(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("session-core-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!("{name}-{}.csv", free_port()))
}
