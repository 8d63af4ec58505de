//! SIPp through `simplepeer server` as a proxy: a SIPp callee registers with digest auth,
//! a SIPp caller answers the proxy's 407 and reaches the callee by its address of record,
//! and the ACK and BYE follow the Record-Route route set back through the server. Calling a
//! user who never registered gets 404 Not Found.

mod common;

use common::{Running, free_port, scenario, sipbench_server, sipp, sipp_stat, tempdir, wait_until_bound};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// SIPp running `file` against the server at `port` from local port `local`, as `user`
/// (password `user-secret`); its statistics go to `DIR/NAME-stats.csv`.
fn scenario_as(
    dir: &Path,
    file: &str,
    port: u16,
    local: u16,
    user: &str,
) -> (std::process::Command, PathBuf) {
    let inf = dir.join(format!("{user}.csv"));
    std::fs::write(&inf, format!("SEQUENTIAL\n{user};{user}-secret\n")).expect("injection file");
    let stats = dir.join(format!("{file}-{local}-stats.csv"));
    let mut command = sipp();
    command
        .arg("-sf")
        .arg(scenario(file))
        .args([&format!("127.0.0.1:{port}"), "-i", "127.0.0.1", "-p", &local.to_string()])
        .arg("-inf")
        .arg(&inf)
        .args(["-au", "[field0]", "-ap", "[field1]", "-nostdin", "-timeout", "30s"])
        .args(["-trace_stat", "-stf"])
        .arg(&stats);
    (command, stats)
}

/// bench1 calls `callee` `calls` times through the server with scenario `file`; the number
/// of calls SIPp counted successful.
///
/// SIPp's digest `uri` is `sip:` + `-auth_uri`, by default the remote address rather than
/// the Request-URI; the server holds the `uri` to the Request-URI (RFC 7616 3.4.6), so the
/// caller names it, as every SIP phone does.
fn call(dir: &Path, port: u16, file: &str, callee: &str, calls: u32) -> u64 {
    let (mut caller, stats) = scenario_as(dir, file, port, free_port(), "bench1");
    caller.args(["-auth_uri", &format!("{callee}@127.0.0.1:{port}")]);
    caller.args(["-s", callee, "-m", &calls.to_string(), "-r", "5"]);
    let mut running = Running::start(&mut caller);
    let status = running.wait(Duration::from_secs(40));
    if !status.is_some_and(|s| s.success()) {
        eprintln!("{file}: {status:?}\n{}", running.output());
    }
    sipp_stat(&stats, "SuccessfulCall(C)")
}

#[test]
fn sipp_caller_reaches_a_registered_sipp_callee_through_the_proxy() {
    let dir = tempdir("sipp-proxy");
    let (server, port) = sipbench_server(&dir, "bench1:bench1-secret\nbench2:bench2-secret\n");
    let callee_port = free_port();
    let (mut register, _) = scenario_as(&dir, "register_callee.xml", port, callee_port, "bench2");
    let registered = register.args(["-m", "1"]).output().expect("sipp runs");
    assert!(registered.status.success(), "bench2 registers: {}", String::from_utf8_lossy(&registered.stdout));

    let (mut uas, uas_stats) = scenario_as(&dir, "uas_record_route.xml", port, callee_port, "bench2");
    let mut callee = Running::start(uas.args(["-m", "3"]));
    wait_until_bound(callee_port);

    assert_eq!(
        call(&dir, port, "uac_auth.xml", "bench2", 3),
        3,
        "every call completed; server log:\n{}",
        server.output()
    );
    let status = callee.wait(Duration::from_secs(20)).expect("the callee exits after three calls");
    assert!(status.success(), "the callee saw INVITE, ACK and BYE on each call: {}", callee.output());
    assert_eq!(sipp_stat(&uas_stats, "SuccessfulCall(C)"), 3);
}

#[test]
fn sipp_caller_to_an_unregistered_user_gets_404() {
    let dir = tempdir("sipp-proxy-404");
    let (_server, port) = sipbench_server(&dir, "bench1:bench1-secret\nbench2:bench2-secret\n");
    assert_eq!(call(&dir, port, "uac_auth_404.xml", "bench2", 2), 2, "404 for a user with no binding");
    assert_eq!(call(&dir, port, "uac_auth.xml", "bench2", 1), 0, "and so no 200");
}
