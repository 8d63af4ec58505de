//! Calls over a network that loses, duplicates and reorders datagrams, over many seeds:
//! every call either completes or fails with a reason, and nothing (calls,
//! transactions, routes, timers, media engines) is left once the timers run out.

mod net;

use std::time::Duration;

use net::{Conditions, Net};
use proptest::prelude::*;
use session_proto::machine::{Event as Cmd, State};
use session_proto::types::SessionId;

/// What the two applications do with the call.
#[derive(Clone, Copy, Debug)]
struct Script {
    /// Bob answers after this long, or rejects when `None`.
    answer_after: Option<Duration>,
    /// Whoever hangs up does after this long in the call (or ringing, for Alice).
    hangup_after: Duration,
    /// Bob hangs up rather than Alice.
    bob_hangs_up: bool,
}

fn script() -> impl Strategy<Value = Script> {
    let answer = prop::option::weighted(0.85, (0u64..3_000).prop_map(Duration::from_millis));
    (answer, (0u64..5_000).prop_map(Duration::from_millis), any::<bool>()).prop_map(
        |(answer_after, hangup_after, bob_hangs_up)| Script { answer_after, hangup_after, bob_hangs_up },
    )
}

fn conditions() -> impl Strategy<Value = Conditions> {
    (0.0..0.3f64, 0.0..0.2f64, 0u64..60).prop_map(|(loss, duplicate, jitter)| Conditions {
        loss,
        duplicate,
        jitter: Duration::from_millis(jitter),
    })
}

/// Runs one call to its end as `script` says; returns Alice's call.
fn play(net: &mut Net, script: Script) -> SessionId {
    let target = net.uri(1);
    let alice = net.dial(0, &target);
    let until = net.now + Duration::from_secs(40);
    let rang =
        net.run_until(until, |n| !n.nodes[1].incoming().is_empty() || n.nodes[0].ended(alice).is_some());
    if let Some(&bob) = net.nodes[1].incoming().first().filter(|_| rang) {
        match script.answer_after {
            Some(after) => {
                net.run_for(after);
                let _ = net.command(1, bob, Cmd::Accept);
            }
            None => {
                let _ = net.command(1, bob, Cmd::Reject { code: 486 });
            }
        }
        let until = net.now + Duration::from_secs(40);
        net.run_until(until, |n| {
            n.nodes[0].states(alice).last() == Some(&State::Active) || n.nodes[0].ended(alice).is_some()
        });
        net.run_for(script.hangup_after);
        if script.bob_hangs_up {
            let _ = net.command(1, bob, Cmd::Hangup);
        }
    }
    let _ = net.command(0, alice, Cmd::Hangup);
    alice
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_call_ends_with_a_reason_and_leaves_nothing(
        seed in any::<u64>(),
        conditions in conditions(),
        script in script(),
    ) {
        let mut net = Net::new(seed, conditions);
        net.add("alice", |_| {});
        net.add("bob", |_| {});
        let alice = play(&mut net, script);
        // Past the no-answer time and every transaction's 64·T1.
        net.run_out(Duration::from_secs(900));
        prop_assert!(net.nodes[0].ended(alice).is_some(), "Alice's call never ended: {:?}", net.nodes[0].states(alice));
        for node in &net.nodes {
            for call in node.calls() {
                prop_assert!(node.ended(call).is_some(), "{} {call} never ended: {:?}", node.addr, node.states(call));
            }
            prop_assert!(node.endpoint.is_idle(), "{} holds {:?}", node.addr, node.endpoint.stats());
            prop_assert_eq!(node.engines, 0, "a media engine left open at {}", node.addr);
        }
    }
}

#[test]
fn on_a_clean_network_the_script_ends_normally() {
    let mut net = Net::new(9, Conditions::CLEAN);
    net.add("alice", |_| {});
    net.add("bob", |_| {});
    let script = Script {
        answer_after: Some(Duration::from_millis(100)),
        hangup_after: Duration::from_secs(1),
        bob_hangs_up: false,
    };
    let alice = play(&mut net, script);
    net.run_out(Duration::from_secs(900));
    assert!(net.nodes[0].ended(alice).is_some_and(|r| r.is_normal()), "{:?}", net.nodes[0].ended(alice));
    let bob = net.nodes[1].calls()[0];
    assert!(net.nodes[1].ended(bob).is_some_and(|r| r.is_normal()));
}
