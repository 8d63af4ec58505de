//! Media negotiation against SIPp: our answers to its offers, in the initial INVITE and
//! in re-INVITEs that hold and resume the call.

mod common;

use std::path::{Path, PathBuf};

use common::{free_port, scenario, sipp, sipp_stat};

const CALLS: u64 = 5;

/// Proves that `simplepeer listen --auto-answer` negotiates media with a caller it did
/// not write, through a whole call: SIPp (`tests/sipp/reinvite_hold.xml`) offers PCMU,
/// PCMA and telephone-event; our 200 must answer PCMU (the first common codec) without
/// putting the call on hold. SIPp then holds the call with a re-INVITE offering
/// `a=sendonly`, which our 200 must answer `a=recvonly` (RFC 3264 8.4), resumes it with
/// `a=sendrecv`, answered `a=sendrecv`, and hangs up with BYE. Five such calls must all
/// succeed: any answer that does not match fails the call in SIPp.
#[test]
fn sipp_holds_and_resumes_by_reinvite() {
    let (listen, port) = common::listen(&["--auto-answer"]);

    let dir = temp_dir("reinvite-hold");
    let stats = dir.join("stats.csv");
    let errors = dir.join("errors.log");
    let messages = dir.join("messages.log");
    let run = sipp()
        .arg(format!("127.0.0.1:{port}"))
        .arg("-sf")
        .arg(scenario("reinvite_hold.xml"))
        .args(["-m", &CALLS.to_string(), "-i", "127.0.0.1", "-p", &free_port().to_string()])
        .args(["-nostdin", "-timeout", "30s", "-trace_stat", "-stf"])
        .arg(&stats)
        .args(["-trace_err", "-error_file"])
        .arg(&errors)
        .args(["-trace_msg", "-message_file"])
        .arg(&messages)
        .output()
        .expect("sipp runs");

    let explain = || {
        format!(
            "sipp exited {}\n--- sipp stdout (tail) ---\n{}\n--- sipp stderr ---\n{}\n\
             --- SIPp error log {} ---\n{}\n--- SIPp message log: {} ---\n\
             --- simplepeer listen ---\n{}",
            run.status,
            tail(&String::from_utf8_lossy(&run.stdout), 40),
            String::from_utf8_lossy(&run.stderr),
            errors.display(),
            read(&errors),
            messages.display(),
            tail(&listen.output(), 60),
        )
    };
    assert!(run.status.success(), "SIPp reported failed calls:\n{}", explain());
    assert_eq!(sipp_stat(&stats, "SuccessfulCall(C)"), CALLS, "{}", explain());
    assert_eq!(sipp_stat(&stats, "FailedCall(C)"), 0, "{}", explain());
}

/// A fresh directory for this run's SIPp logs; kept so a failure can be read afterwards.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("session-core-{}", std::process::id()))
        .join(format!("{name}-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("(not written: {e})"))
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
