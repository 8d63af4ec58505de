//! Overload on the in-memory network: callers flood Bob with new calls at five times the
//! rate he takes. The calls he took are served to the end (answered, ACKed, hung up);
//! the rest are refused at once with 503 and Retry-After, none left to time out; and
//! requests of calls already up (BYE, CANCEL, a retransmitted INVITE) are never refused.

mod net;

use std::collections::HashSet;
use std::time::Duration;

use net::{Conditions, Net};
use session_proto::machine::{Event as Cmd, State};
use session_proto::types::SessionId;
use session_proto::{EndReason, OverloadLimits};

/// Bob's rate, in new calls per second.
const RATE: u32 = 20;
const CALLERS: usize = 6;

/// Bob (node 0), taking at most [`RATE`] new calls per second, and the callers.
fn scene(limits: OverloadLimits) -> Net {
    let mut net = Net::new(11, Conditions::CLEAN);
    net.add("bob", |c| c.overload = limits);
    for i in 0..CALLERS {
        net.add(&format!("caller{i}"), |_| {});
    }
    net
}

/// Bob answers every call that rings; each caller hangs up 300 ms after its answer.
fn play_the_parts(
    net: &mut Net,
    answered: &mut HashSet<SessionId>,
    since: &mut Vec<(usize, SessionId, std::time::Instant)>,
) {
    for call in net.nodes[0].incoming() {
        if answered.insert(call) {
            net.command(0, call, Cmd::Accept).expect("Bob answers");
        }
    }
    for caller in 1..=CALLERS {
        for call in net.nodes[caller].calls() {
            let up = net.nodes[caller].states(call).last() == Some(&State::Active);
            if up && !since.iter().any(|(n, c, _)| *n == caller && *c == call) {
                since.push((caller, call, net.now));
            }
        }
    }
    let due: Vec<_> = since
        .iter()
        .filter(|(caller, call, at)| {
            net.now >= *at + Duration::from_millis(300) && net.nodes[*caller].ended(*call).is_none()
        })
        .map(|(caller, call, _)| (*caller, *call))
        .collect();
    for (caller, call) in due {
        let _ = net.command(caller, call, Cmd::Hangup);
    }
}

#[test]
fn a_flood_of_new_calls_is_refused_503_while_the_calls_taken_complete() {
    let limits = OverloadLimits { max_call_rate: Some(RATE), ..OverloadLimits::default() };
    let mut net = scene(limits);
    let bob = net.uri(0);
    let mut placed = Vec::new();
    let (mut answered, mut since) = (HashSet::new(), Vec::new());
    // 100 new calls per second for 3 s: five times what Bob takes.
    for step in 0..300 {
        let caller = 1 + step % CALLERS;
        placed.push((caller, net.dial(caller, &bob)));
        net.run_for(Duration::from_millis(10));
        play_the_parts(&mut net, &mut answered, &mut since);
    }
    for _ in 0..200 {
        net.run_for(Duration::from_millis(10));
        play_the_parts(&mut net, &mut answered, &mut since);
    }
    let (mut completed, mut refused) = (0, 0);
    for (caller, call) in &placed {
        match net.nodes[*caller].ended(*call) {
            Some(EndReason::LocalHangup) => completed += 1,
            Some(EndReason::Rejected(503)) => refused += 1,
            other => panic!("call {call:?} of caller {caller} ended {other:?}"),
        }
    }
    // The bucket holds a second's worth at the start, then refills at the rate.
    let most = RATE as usize * 4;
    assert!((RATE as usize * 3..=most).contains(&completed), "{completed} calls completed");
    assert_eq!(completed + refused, placed.len());
    assert_eq!(answered.len(), completed, "only the calls taken rang at Bob");
    assert_eq!(net.nodes[0].endpoint.stats().refused_overload, refused as u64);
    let refusals = net.nodes[0].sent_starting("SIP/2.0 503");
    assert_eq!(refusals.len(), refused, "one 503 per refused call, each at once, none retransmitted");
    assert!(refusals.iter().all(|r| r.contains("Retry-After: 5\r\n")), "{}", refusals[0]);
    assert!(refusals.iter().all(|r| !r.contains("100 Trying")));
    net.run_out(Duration::from_secs(600));
    assert!(net.nodes.iter().all(|n| n.endpoint.is_idle()), "nothing is left once the timers run out");
}

#[test]
fn a_driver_that_falls_behind_refuses_new_calls_but_not_those_in_progress() {
    let mut net = scene(OverloadLimits::default());
    let bob = net.uri(0);
    let up = net.dial(1, &bob);
    let ringing = net.dial(2, &bob);
    net.run_for(Duration::from_millis(50));
    let incoming = net.nodes[0].incoming();
    assert_eq!(incoming.len(), 2);
    net.command(0, incoming[0], Cmd::Accept).expect("Bob answers the first");
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[1].states(up).last(), Some(&State::Active));

    net.nodes[0].endpoint.set_overloaded(true);
    let refused = net.dial(3, &bob);
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[3].ended(refused), Some(EndReason::Rejected(503)));
    // The ringing call can still be cancelled, and the one up hung up.
    net.command(2, ringing, Cmd::Hangup).expect("the second caller gives up");
    net.command(1, up, Cmd::Hangup).expect("the first caller hangs up");
    net.run_for(Duration::from_secs(1));
    assert_eq!(net.nodes[2].ended(ringing), Some(EndReason::LocalHangup), "CANCEL answered");
    assert_eq!(net.nodes[1].ended(up), Some(EndReason::LocalHangup), "BYE answered");
    assert_eq!(net.nodes[0].ended(incoming[0]), Some(EndReason::RemoteHangup));

    net.nodes[0].endpoint.set_overloaded(false);
    let taken = net.dial(3, &bob);
    net.run_for(Duration::from_millis(50));
    assert_eq!(net.nodes[3].states(taken).last(), Some(&State::RingingOutbound), "taken again");
}

#[test]
fn a_retransmission_of_an_invite_already_taken_is_not_refused() {
    let mut net = scene(OverloadLimits::default());
    let peer: std::net::SocketAddr = "127.0.0.1:5999".parse().unwrap();
    let invite = |branch: &str| {
        format!(
            "INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP {peer};branch=z9hG4bK{branch}\r\n\
             From: <sip:raw@{peer}>;tag=r1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: {branch}@raw\r\n\
             CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:raw@{peer}>\r\nContent-Length: 0\r\n\r\n"
        )
    };
    let answers = |net: &Net, branch: &str| -> Vec<String> {
        let via = format!("branch=z9hG4bK{branch}");
        let lines = net.wire.iter().filter(|(_, to, m)| *to == peer && m.contains(&via));
        lines.map(|(_, _, m)| m.lines().next().unwrap_or_default().to_owned()).collect()
    };
    net.inject(0, peer, &invite("taken"));
    assert_eq!(answers(&net, "taken"), ["SIP/2.0 100 Trying", "SIP/2.0 180 Ringing"]);
    net.nodes[0].endpoint.set_overloaded(true);
    net.inject(0, peer, &invite("taken"));
    assert_eq!(answers(&net, "taken").last().map(String::as_str), Some("SIP/2.0 180 Ringing"));
    net.inject(0, peer, &invite("new"));
    assert_eq!(answers(&net, "new"), ["SIP/2.0 503 Service Unavailable"]);
    assert_eq!(net.nodes[0].incoming().len(), 1, "the refused call never rang");
}
