//! The commonest scene: Alice (node 0) and Bob (node 1) on a clean network, and the
//! first steps of a call from her to him.

use std::time::Duration;

use session_proto::machine::{Event as Cmd, State};
use session_proto::types::SessionId;

use super::{Conditions, Net};

impl Net {
    /// Alice (node 0) and Bob (node 1) on a clean network seeded with `seed`.
    pub fn pair(seed: u64) -> Net {
        let mut net = Net::new(seed, Conditions::CLEAN);
        net.add("alice", |_| {});
        net.add("bob", |_| {});
        net
    }

    /// Alice dials Bob; her call and Bob's once his phone rings.
    pub fn ring(&mut self) -> (SessionId, SessionId) {
        let target = self.uri(1);
        let call = self.dial(0, &target);
        let until = self.now + Duration::from_secs(1);
        assert!(self.run_until(until, |n| !n.nodes[1].incoming().is_empty()), "Bob's phone rings");
        (call, self.nodes[1].incoming()[0])
    }

    /// Rings, then Bob answers and both are in the call.
    pub fn answered(&mut self) -> (SessionId, SessionId) {
        let (alice, bob) = self.ring();
        self.command(1, bob, Cmd::Accept).expect("Bob accepts");
        self.run_for(Duration::from_millis(50));
        assert_eq!(self.nodes[0].states(alice).last(), Some(&State::Active));
        assert_eq!(self.nodes[1].states(bob).last(), Some(&State::Active));
        (alice, bob)
    }
}
