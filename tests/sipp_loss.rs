//! Packet loss with a real peer: SIPp drops 10% of the SIP messages it sends and of those
//! it receives (`-lost 10`), and every call must still come to an end on both sides,
//! completed (thanks to retransmissions) or failed with a reason, none left open.
//!
//! `SIPP_LOSS_CALLS` sets the number of calls (20 by default); bench/loss.sh runs the
//! same setups at a larger scale, with SIPp against itself as the reference.

mod common;

use std::time::{Duration, Instant};

use common::{Running, free_port, simplepeer, sipp, sipp_stat, wait_until_bound};

/// How long SIPp may run before it gives up (and fails the test).
const SIPP_TIMEOUT: &str = "50s";
/// How long a process of ours may take to finish once SIPp is done.
const LIMIT: Duration = Duration::from_secs(60);
const LOSS_PERCENT: &str = "10";

fn calls() -> u64 {
    std::env::var("SIPP_LOSS_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(20)
}

#[test]
fn sipp_uac_losing_10_percent_gets_every_call_answered_by_listen_to_an_end() {
    let n = calls();
    let (listen, port) = common::listen(&["--auto-answer", "--stats-every", "0.5"]);
    let stats = tempfile("loss-uac");
    let sipp_run = sipp()
        .args(["-sn", "uac", &format!("127.0.0.1:{port}"), "-i", "127.0.0.1", "-p"])
        .arg(free_port().to_string())
        .args(["-m", &n.to_string(), "-r", "10", "-d", "500", "-lost", LOSS_PERCENT, "-nostdin"])
        .args(["-timeout", SIPP_TIMEOUT, "-timeout_error", "-recv_timeout", "20000"])
        .args(["-trace_stat", "-stf"])
        .arg(&stats)
        .output()
        .expect("sipp runs");
    // 0: every call succeeded; 1: some failed. Anything else (the global timeout, a
    // fatal error) means SIPp did not see every call through.
    let code = sipp_run.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "sipp exited {code:?}: {}",
        String::from_utf8_lossy(&sipp_run.stdout)
    );
    let (ok, failed) = (sipp_stat(&stats, "SuccessfulCall(C)"), sipp_stat(&stats, "FailedCall(C)"));
    assert_eq!(ok + failed, n, "each of the {n} calls completed or failed: {ok} ok, {failed} failed");
    assert!(ok * 10 >= n * 9, "retransmissions carried at least 90% of the calls through: {ok} of {n}");

    // Our side: every call that arrived has ended, and the periodic report agrees. SIPp
    // may count a call as successful that never ended here (its ACKs lost, its BYE never
    // sent: a late retransmission of our 200 taken for the BYE's 200); such a call ends
    // when our 200 has gone unacknowledged for 64·T1 (32 s), or sooner, at the ICMP error
    // of a retransmission once SIPp has exited.
    let start = Instant::now();
    let mut log = listen.output();
    let settled = |log: &str| {
        let arrived = log.matches("incoming call").count() as u64;
        balanced(log)
            && last_stats(log, "live_calls") == Some(0)
            && last_stats(log, "calls_total") == Some(arrived)
    };
    while start.elapsed() < LIMIT && !settled(&log) {
        std::thread::sleep(Duration::from_millis(100));
        log = listen.output();
    }
    let arrived = log.matches("incoming call").count() as u64;
    assert!(arrived >= ok, "listen saw {arrived} calls, SIPp completed {ok}: {log}");
    assert!(
        balanced(&log),
        "a call left open: {arrived} arrived, {} ended",
        log.matches("listen: call ended").count()
    );
    assert_eq!(last_stats(&log, "live_calls"), Some(0), "{log}");
    assert_eq!(last_stats(&log, "calls_total"), Some(arrived), "{log}");
}

#[test]
fn call_with_many_calls_gets_each_to_an_end_against_sipp_uas_losing_10_percent() {
    let n = calls();
    let port = free_port();
    let stats = tempfile("loss-uas");
    let mut uas = Running::start(
        sipp()
            .args(["-sn", "uas", "-i", "127.0.0.1", "-p", &port.to_string(), "-m", &n.to_string()])
            .args(["-lost", LOSS_PERCENT, "-nostdin", "-timeout", SIPP_TIMEOUT, "-timeout_error"])
            .args(["-recv_timeout", "20000", "-trace_stat", "-stf"])
            .arg(&stats),
    );
    wait_until_bound(port);
    let mut call = Running::start(simplepeer().args([
        "call",
        &format!("sip:service@127.0.0.1:{port}"),
        "--calls",
        &n.to_string(),
        "--duration",
        "1",
    ]));
    let exit = call.wait(LIMIT);
    let log = call.output();
    let exit = exit.unwrap_or_else(|| panic!("simplepeer call still running after {LIMIT:?}: {log}"));
    let (completed, failed) = (field(&log, "completed"), field(&log, "failed"));
    assert_eq!(completed + failed, n, "every call ended, completed or failed: {log}");
    assert_eq!(exit.success(), failed == 0, "exit status {exit} with {failed} failed: {log}");
    // Each failure is logged with its reason (a warning line per call).
    let reasons = log.lines().filter(|l| l.contains("WARN simplepeer::call:")).count() as u64;
    assert!(reasons >= failed, "{failed} failed, {reasons} reasons given: {log}");
    assert!(completed * 10 >= n * 9, "retransmissions carried at least 90% of the calls through: {log}");

    let uas_exit = uas.wait(LIMIT);
    assert!(uas_exit.is_some(), "sipp uas still running: {}", uas.output());
    let (ok, sipp_failed) = (sipp_stat(&stats, "SuccessfulCall(C)"), sipp_stat(&stats, "FailedCall(C)"));
    assert_eq!(ok + sipp_failed, n, "SIPp saw each call end: {ok} ok, {sipp_failed} failed");
}

/// As many calls ended as arrived.
fn balanced(log: &str) -> bool {
    log.matches("incoming call").count() == log.matches("listen: call ended").count()
}

/// A figure of the last `stats:` line of `listen --stats-every`.
fn last_stats(log: &str, name: &str) -> Option<u64> {
    let line = log.lines().rev().find_map(|l| l.strip_prefix("stats: "))?;
    let pair = line.split_whitespace().find_map(|p| p.strip_prefix(name)?.strip_prefix('='))?;
    pair.parse().ok()
}

/// `name=N` of the `all calls ended` log line of `call --calls`.
fn field(log: &str, name: &str) -> u64 {
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("all calls ended"))
        .unwrap_or_else(|| panic!("no summary: {log}"));
    let value = line.split_whitespace().find_map(|p| p.strip_prefix(name)?.strip_prefix('='));
    value.and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no {name}= in {line}"))
}

fn tempfile(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("session-core-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!("{name}-{}.csv", free_port()))
}
