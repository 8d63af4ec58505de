//! The proxy forking to Bob's two phones: the first 2xx wins and the other branch is
//! CANCELled; the caller's CANCEL reaches every branch; nobody answering ends in 480;
//! the best failure is chosen; a CANCEL while the lookup is out.

mod net;

use std::net::SocketAddr;
use std::time::Duration;

use net::Conditions;
use net::location::{EPOCH_UNIX, StoreMode};
use net::phone::{header, status};
use net::proxied::{BOB_AOR, SERVER, finals, invite_bob, scene};
use session_proto::EndReason;
use session_proto::machine::{Event as Cmd, State};

/// Runs until both of Bob's phones ring; returns their calls.
fn both_ring(net: &mut net::Net) -> (session_proto::types::SessionId, session_proto::types::SessionId) {
    let until = net.now + Duration::from_secs(1);
    let rang =
        net.run_until(until, |n| !n.nodes[1].incoming().is_empty() && !n.nodes[2].incoming().is_empty());
    assert!(rang, "both of Bob's phones ring");
    (net.nodes[1].incoming()[0], net.nodes[2].incoming()[0])
}

fn cancels_sent(net: &net::Net) -> Vec<String> {
    net.nodes[SERVER].sent_starting("CANCEL ").into_iter().cloned().collect()
}

#[test]
fn the_first_2xx_is_passed_on_and_the_other_branch_is_cancelled() {
    let (mut net, mut alice) = scene(31, 2, |_| {}, |_| {});
    let (invite, branch) = invite_bob(&mut net, &mut alice);
    let (first, second) = both_ring(&mut net);
    net.command(2, second, Cmd::Accept).unwrap();
    net.run_for(Duration::from_millis(20));
    let ok = finals(&net, &alice, &branch);
    assert!(!ok.is_empty() && ok.iter().all(|r| status(r) == 200), "{ok:?}");
    assert!(header(&ok[0], "Contact").unwrap().contains(&net.nodes[2].addr.to_string()));
    // The phone that lost was CANCELled, once, on its INVITE's branch.
    let cancels = cancels_sent(&net);
    assert_eq!(cancels.len(), 1, "{cancels:?}");
    assert!(cancels[0].starts_with(&format!("CANCEL sip:bob@{} ", net.nodes[1].addr)), "{}", cancels[0]);
    assert_eq!(net.nodes[1].ended(first), Some(EndReason::RemoteHangup));
    net.inject(SERVER, alice.addr, &alice.ack_success(&invite, &ok[0]));
    net.run_for(Duration::from_secs(2));
    assert_eq!(net.nodes[2].states(second).last(), Some(&State::Active));
    // The loser's 487 stayed with the proxy.
    assert!(finals(&net, &alice, &branch).iter().all(|r| status(r) == 200));
    net.command(2, second, Cmd::Hangup).unwrap();
    net.run_for(Duration::from_millis(20));
    let bye = net.requests(alice.addr, "BYE").pop().expect("Bob's BYE, through the proxy");
    net.inject(SERVER, alice.addr, &net::phone::reply(&bye, 200, "OK", "x"));
    net.run_out(Duration::from_secs(600));
    for node in &net.nodes {
        assert!(node.endpoint.is_idle(), "{} holds {:?}", node.addr, node.endpoint.stats());
    }
}

#[test]
fn the_callers_cancel_is_answered_and_reaches_every_branch_then_one_487() {
    let (mut net, mut alice) = scene(32, 2, |_| {}, |_| {});
    let (invite, branch) = invite_bob(&mut net, &mut alice);
    let (first, second) = both_ring(&mut net);
    net.inject(SERVER, alice.addr, &alice.cancel(&invite));
    net.run_for(Duration::from_millis(20));
    let cancel_ok: Vec<_> = net
        .responses(alice.addr, &branch)
        .into_iter()
        .filter(|r| header(r, "CSeq").unwrap().ends_with("CANCEL"))
        .collect();
    assert_eq!(cancel_ok.len(), 1);
    assert_eq!(status(&cancel_ok[0]), 200);
    assert_eq!(cancels_sent(&net).len(), 2);
    assert_eq!(net.nodes[1].ended(first), Some(EndReason::RemoteHangup));
    assert_eq!(net.nodes[2].ended(second), Some(EndReason::RemoteHangup));
    let terminated = finals(&net, &alice, &branch);
    assert_eq!(terminated.len(), 1, "one final response: {terminated:?}");
    assert!(terminated[0].starts_with("SIP/2.0 487 Request Terminated\r\n"), "{}", terminated[0]);
    net.inject(SERVER, alice.addr, &alice.ack_failure(&invite, &terminated[0]));
    net.run_out(Duration::from_secs(600));
    assert!(net.nodes[SERVER].endpoint.is_idle(), "{:?}", net.nodes[SERVER].endpoint.stats());
}

#[test]
fn a_ringing_phone_nobody_answers_gets_480_at_timer_c_and_is_cancelled() {
    let no_answer = Duration::from_secs(30);
    let (mut net, mut alice) =
        scene(33, 1, |c| c.no_answer = no_answer, |c| c.no_answer = Duration::from_secs(600));
    let (invite, branch) = invite_bob(&mut net, &mut alice);
    let rang_at = net.now;
    net.run_for(Duration::from_millis(20));
    let bob_call = net.nodes[1].incoming()[0];
    let until = net.now + Duration::from_secs(60);
    assert!(net.run_until(until, |n| !finals(n, &alice, &branch).is_empty()));
    let gave_up = finals(&net, &alice, &branch);
    assert!(gave_up[0].starts_with("SIP/2.0 480 Temporarily Unavailable\r\n"), "{}", gave_up[0]);
    let waited = net.now - rang_at;
    assert!(waited >= no_answer && waited < no_answer + Duration::from_secs(1), "{waited:?}");
    net.inject(SERVER, alice.addr, &alice.ack_failure(&invite, &gave_up[0]));
    net.run_for(Duration::from_millis(20));
    assert_eq!(cancels_sent(&net).len(), 1);
    assert_eq!(net.nodes[1].ended(bob_call), Some(EndReason::RemoteHangup));
    assert_eq!(finals(&net, &alice, &branch).len(), 1, "Bob's 487 is not passed on");
}

#[test]
fn a_contact_that_never_answers_ends_in_480_after_timer_b() {
    let (mut net, mut alice) = scene(34, 0, |_| {}, |_| {});
    let nowhere: SocketAddr = "127.0.0.1:5998".parse().unwrap();
    net.location.bind(BOB_AOR, "sip:bob@127.0.0.1:5998", nowhere, EPOCH_UNIX + 3600);
    let (_, branch) = invite_bob(&mut net, &mut alice);
    let sent_at = net.now;
    let until = net.now + Duration::from_secs(60);
    assert!(net.run_until(until, |n| !finals(n, &alice, &branch).is_empty()));
    assert_eq!(net.now - sent_at, Duration::from_secs(32), "Timer B, 64·T1");
    let answer = finals(&net, &alice, &branch);
    assert!(answer[0].starts_with("SIP/2.0 480 "), "{}", answer[0]);
    assert!(net.received(nowhere).len() > 1, "the INVITE was retransmitted to the silent contact");
}

#[test]
fn when_every_branch_fails_the_best_response_is_passed_on() {
    let (mut net, mut alice) = scene(35, 2, |_| {}, |_| {});
    let (_, branch) = invite_bob(&mut net, &mut alice);
    let (first, second) = both_ring(&mut net);
    net.command(1, first, Cmd::Reject { code: 486 }).unwrap();
    net.run_for(Duration::from_millis(20));
    assert!(finals(&net, &alice, &branch).is_empty(), "the other branch is still ringing");
    net.command(2, second, Cmd::Reject { code: 480 }).unwrap();
    net.run_for(Duration::from_millis(20));
    let best = finals(&net, &alice, &branch);
    assert_eq!(best.len(), 1, "{best:?}");
    assert!(best[0].starts_with("SIP/2.0 486 "), "the first of the lowest class: {}", best[0]);
    assert_eq!(header(&best[0], "Via").map(|v| v.contains("5999")), Some(true), "only Alice's Via is left");
}

#[test]
fn a_6xx_cancels_the_other_branches_and_wins() {
    let (mut net, mut alice) = scene(36, 2, |_| {}, |_| {});
    let (_, branch) = invite_bob(&mut net, &mut alice);
    let (first, second) = both_ring(&mut net);
    net.command(1, first, Cmd::Reject { code: 603 }).unwrap();
    net.run_for(Duration::from_millis(20));
    assert_eq!(net.nodes[2].ended(second), Some(EndReason::RemoteHangup), "CANCELled");
    let best = finals(&net, &alice, &branch);
    assert_eq!(best.len(), 1, "{best:?}");
    assert!(best[0].starts_with("SIP/2.0 603 "), "{}", best[0]);
}

#[test]
fn a_cancel_while_the_lookup_is_out_ends_the_invite_and_nothing_is_forwarded() {
    let (mut net, mut alice) = scene(37, 1, |_| {}, |_| {});
    net.store_mode = StoreMode::Hold;
    let (invite, branch) = invite_bob(&mut net, &mut alice);
    assert_eq!(net.held_jobs.len(), 1);
    net.inject(SERVER, alice.addr, &alice.cancel(&invite));
    let answered = finals(&net, &alice, &branch);
    assert_eq!(answered.len(), 1);
    assert!(answered[0].starts_with("SIP/2.0 487 "), "{}", answered[0]);
    net.release_jobs();
    net.run_for(Duration::from_millis(20));
    assert!(net.nodes[SERVER].sent_starting("INVITE ").is_empty(), "nothing forwarded");
    assert!(net.nodes[1].incoming().is_empty());
    net.inject(SERVER, alice.addr, &alice.ack_failure(&invite, &answered[0]));
    net.run_out(Duration::from_secs(600));
    assert!(net.nodes[SERVER].endpoint.is_idle(), "{:?}", net.nodes[SERVER].endpoint.stats());
}

#[test]
fn forking_survives_duplicated_and_reordered_datagrams() {
    for seed in 0..40 {
        let (mut net, mut alice) = scene(100 + seed, 2, |_| {}, |_| {});
        net.set_conditions(Conditions { loss: 0.0, duplicate: 0.3, jitter: Duration::from_millis(8) });
        let (invite, branch) = invite_bob(&mut net, &mut alice);
        let (first, second) = both_ring(&mut net);
        net.command(1, first, Cmd::Accept).unwrap();
        let until = net.now + Duration::from_secs(2);
        assert!(net.run_until(until, |n| !finals(n, &alice, &branch).is_empty()), "seed {seed}");
        let ok = finals(&net, &alice, &branch);
        assert!(ok.iter().all(|r| status(r) == 200), "seed {seed}: {ok:?}");
        net.inject(SERVER, alice.addr, &alice.ack_success(&invite, &ok[0]));
        net.run_for(Duration::from_secs(1));
        assert_eq!(net.nodes[1].states(first).last(), Some(&State::Active), "seed {seed}");
        assert_eq!(net.nodes[2].ended(second), Some(EndReason::RemoteHangup), "seed {seed}");
        assert!(
            finals(&net, &alice, &branch).iter().all(|r| status(r) == 200),
            "seed {seed}: no 487 passed on"
        );
    }
}
