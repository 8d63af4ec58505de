//! One deadline queue for every timer of an endpoint: retransmissions and transaction
//! timeouts (RFC 3261 section 17) as well as the calls' own timers.
//!
//! Entries are never removed early. An owner whose deadline moves (a response stops a
//! retransmission, a call ends before it rings out) schedules the new one and, when the
//! old entry falls due, checks whether it still stands. That keeps scheduling a push onto
//! a binary heap, with no bookkeeping of where each entry sits.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::registration::RegistrationId;
use crate::sip::transaction::{ClientTxId, ServerTxId};
use crate::types::SessionId;

/// What falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deadline {
    /// A client transaction's retransmission or timeout; `true` for its CANCEL.
    Client(ClientTxId, bool),
    /// A server transaction's retransmission or timeout.
    Server(ServerTxId),
    /// A call rang too long unanswered (either way).
    NoAnswer(SessionId),
    /// A registration's refresh is due (90% of the granted expiry).
    Refresh(RegistrationId),
    /// A request the proxy forwards, by its server transaction: Timer C (RFC 3261
    /// section 16.6 step 11), or the end of the time its forked branches may still
    /// deliver a 2xx retransmission.
    Forward(ServerTxId),
    /// An answer held back from an address that keeps failing authentication.
    Reply(ServerTxId),
}

/// Deadlines, soonest first.
///
/// ```
/// use std::time::{Duration, Instant};
/// use session_proto::deadlines::{Deadline, Deadlines};
/// use session_proto::types::SessionId;
///
/// let start = Instant::now();
/// let mut queue = Deadlines::default();
/// queue.schedule(start + Duration::from_secs(2), Deadline::NoAnswer(SessionId(2)));
/// queue.schedule(start + Duration::from_secs(1), Deadline::NoAnswer(SessionId(1)));
/// assert_eq!(queue.next(), Some(start + Duration::from_secs(1)));
/// assert_eq!(queue.pop_due(start), None);
/// let due = queue.pop_due(start + Duration::from_secs(5)).map(|(_, d)| d);
/// assert_eq!(due, Some(Deadline::NoAnswer(SessionId(1))));
/// ```
#[derive(Debug, Default)]
pub struct Deadlines {
    heap: BinaryHeap<Reverse<(Instant, Deadline)>>,
}

impl Deadlines {
    /// Gives back the room the queue grew to beyond what it holds.
    pub fn shrink_to_fit(&mut self) {
        self.heap.shrink_to_fit();
    }

    /// Schedules `deadline` at `at`.
    pub fn schedule(&mut self, at: Instant, deadline: Deadline) {
        self.heap.push(Reverse((at, deadline)));
    }

    /// The soonest instant anything falls due.
    pub fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// The next deadline due at `now`, and when it was due.
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, Deadline)> {
        let &Reverse((at, _)) = self.heap.peek()?;
        if at > now {
            return None;
        }
        self.heap.pop().map(|Reverse(entry)| entry)
    }

    /// Entries queued, stale ones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}
