//! SIPp's `[authentication]` against `simplepeer server`: digest REGISTER with the right
//! password is accepted (and the unregister with the same nonce at the next nc), with a
//! wrong one refused.

mod common;

use common::{Running, free_port, scenario, simplepeer, sipp, sipp_stat, wait_until_bound};

/// Starts `simplepeer server` for bench1 (password bench1-secret) in realm sipbench, with
/// MD5 listed first: SIPp 3.6 answers only the first challenge, and only MD5.
fn server(dir: &std::path::Path) -> (Running, u16) {
    let users = dir.join("users.txt");
    std::fs::write(&users, "bench1:bench1-secret\n").expect("users file");
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let args = ["server", "--bind", &bind, "--realm", "sipbench", "--md5-first", "--users"];
    let running = Running::start(simplepeer().args(args).arg(&users));
    wait_until_bound(port);
    (running, port)
}

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

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("session-core-{name}-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn sipp_registers_with_digest_and_unregisters() {
    let dir = tempdir("register");
    let (_server, port) = server(&dir);
    assert!(register(&dir, port, "register_auth.xml", "[field1]"), "SIPp's REGISTER with the right password");
}

#[test]
fn sipp_with_a_wrong_password_is_refused() {
    let dir = tempdir("register-wrong");
    let (_server, port) = server(&dir);
    assert!(
        register(&dir, port, "register_wrong.xml", "not-the-password"),
        "the server refused every attempt"
    );
    assert!(
        !register(&dir, port, "register_auth.xml", "not-the-password"),
        "the accepting scenario fails with a wrong password"
    );
}
