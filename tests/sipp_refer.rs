//! SIPp as a transferor (tests/sipp/uac_refer.xml): it calls `simplepeer listen`, sends
//! REFER to another `simplepeer listen`, and checks the 202 and the NOTIFY sequence
//! (100 Trying first, the final 200 OK last) before it hangs up.

mod common;

use std::time::Duration;

use common::{Running, free_port, scenario, simplepeer, sipp, sipp_stat, wait_until_bound};

fn listen(port: u16) -> Running {
    let bind = format!("127.0.0.1:{port}");
    let running = Running::start(simplepeer().args(["listen", "--bind", &bind, "--auto-answer"]));
    wait_until_bound(port);
    running
}

#[test]
fn sipp_transfers_a_call_with_listen_and_sees_202_and_the_notifies() {
    let (alice_port, carol_port) = (free_port(), free_port());
    let (alice, carol) = (listen(alice_port), listen(carol_port));
    let stats =
        std::env::temp_dir().join(format!("session-core-refer-{}-{}.csv", std::process::id(), free_port()));
    let target = format!("sip:carol@127.0.0.1:{carol_port}");
    let mut transferor = Running::start(
        sipp()
            .arg("-sf")
            .arg(scenario("uac_refer.xml"))
            .args([&format!("127.0.0.1:{alice_port}"), "-i", "127.0.0.1", "-p", &free_port().to_string()])
            .args(["-s", "alice", "-key", "target", &target, "-m", "1", "-nostdin", "-timeout", "30s"])
            .args(["-trace_stat", "-stf"])
            .arg(&stats),
    );
    let status = transferor.wait(Duration::from_secs(40));
    assert!(
        status.is_some_and(|s| s.success()),
        "SIPp: {}\nalice: {}\ncarol: {}",
        transferor.output(),
        alice.output(),
        carol.output()
    );
    assert_eq!(sipp_stat(&stats, "SuccessfulCall(C)"), 1);
    assert!(carol.output().contains("call"), "Carol was called: {}", carol.output());
}
