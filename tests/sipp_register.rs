//! SIPp's `[authentication]` against `simplepeer server`: digest REGISTER with the right
//! password is accepted (and the unregister with the same nonce at the next nc), with a
//! wrong one refused.

mod common;

use common::{free_port, scenario, sipbench_server, sipp, sipp_stat, tempdir};

/// Runs `file` as bench1 with `password`; true when SIPp counted every call successful.
fn register(dir: &std::path::Path, port: u16, file: &str, password: &str) -> bool {
    let inf = dir.join(format!("{file}.csv"));
    std::fs::write(&inf, "SEQUENTIAL\nbench1;bench1-secret\n").expect("injection file");
    let stats = dir.join(format!("{file}-stats.csv"));
    let output = sipp()
        .arg("-sf")
        .arg(scenario(file))
        .args([&format!("127.0.0.1:{port}"), "-i", "127.0.0.1", "-p"])
        .arg(free_port().to_string())
        .arg("-inf")
        .arg(&inf)
        .args(["-au", "[field0]", "-ap", password, "-m", "3", "-r", "10", "-nostdin", "-timeout", "30s"])
        .args(["-trace_stat", "-stf"])
        .arg(&stats)
        .output()
        .expect("sipp runs");
    output.status.success() && sipp_stat(&stats, "SuccessfulCall(C)") == 3
}

#[test]
fn sipp_registers_with_digest_and_unregisters() {
    let dir = tempdir("register");
    let (_server, port) = sipbench_server(&dir, "bench1:bench1-secret\n");
    assert!(register(&dir, port, "register_auth.xml", "[field1]"), "SIPp's REGISTER with the right password");
}

#[test]
fn sipp_with_a_wrong_password_is_refused() {
    let dir = tempdir("register-wrong");
    let (_server, port) = sipbench_server(&dir, "bench1:bench1-secret\n");
    assert!(
        register(&dir, port, "register_wrong.xml", "not-the-password"),
        "the server refused every attempt"
    );
    assert!(
        !register(&dir, port, "register_auth.xml", "not-the-password"),
        "the accepting scenario fails with a wrong password"
    );
}
