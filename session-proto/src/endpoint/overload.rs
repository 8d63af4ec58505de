//! Overload protection: past its limits an endpoint turns new calls away at once, with
//! `503 Service Unavailable` and `Retry-After` (RFC 3261 section 21.5.4), answered
//! statelessly before any transaction, call or media is set up, so that refusing costs
//! far less than serving and the calls already in progress keep their share. Requests
//! in a dialog (ACK, BYE, re-INVITE), CANCELs and retransmissions of requests already
//! taken are never refused: a call that got in can always end.
//!
//! The limits are the endpoint's own (live calls, live transactions, new calls per
//! second), and the driver's word that it cannot keep up ([`crate::Endpoint::set_overloaded`]:
//! its socket's receive queue does not drain).

use std::time::{Duration, Instant};

use bytes::Bytes;
use rsipstack::rsip::Method;

use super::Endpoint;
use crate::sip::inbound::Inbound;
use crate::sip::peek;
use crate::sip::write::{self, ReplyHead};

/// When new calls are refused. Every limit is off by default but the driver's backlog
/// (`max_queue_delay`).
#[derive(Clone, Debug, PartialEq)]
pub struct OverloadLimits {
    /// At most this many calls at once; a new INVITE past it is refused.
    pub max_calls: Option<usize>,
    /// At most this many live transactions (client and server, including those kept to
    /// absorb retransmissions, 32 s after they end); a new INVITE past it is refused.
    pub max_transactions: Option<usize>,
    /// At most this many new calls per second, with a burst of as many (a token bucket).
    pub max_call_rate: Option<u32>,
    /// What `Retry-After` asks of the refused callers.
    pub retry_after: Duration,
    /// The longest a datagram may wait in the socket's receive queue before the driver
    /// counts as behind its input and new calls are refused
    /// ([`crate::Endpoint::set_overloaded`]); they are taken again once a datagram read
    /// waited less than a fifth of it, or the queue is empty. `None`: the driver never
    /// counts as behind, and only the limits above refuse calls. The endpoint cannot see
    /// its queue: the driver that reads the socket applies this.
    pub max_queue_delay: Option<Duration>,
}

impl Default for OverloadLimits {
    fn default() -> Self {
        Self {
            max_calls: None,
            max_transactions: None,
            max_call_rate: None,
            retry_after: Duration::from_secs(5),
            // Far below T1 (500 ms), so that the calls in progress are not retransmitted
            // for having waited; a burst the driver can carry drains well within it.
            max_queue_delay: Some(Duration::from_millis(50)),
        }
    }
}

/// Why new calls are refused at the moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Over {
    Calls,
    Transactions,
    Rate,
    Backlog,
}

impl Over {
    fn why(self) -> &'static str {
        match self {
            Over::Calls => "the most calls allowed are in progress",
            Over::Transactions => "the most transactions allowed are live",
            Over::Rate => "new calls arrive faster than the rate allowed",
            Over::Backlog => "the driver is behind on its input",
        }
    }
}

/// The admission state: the rate's token bucket, the driver's backlog flag, and what
/// was refused.
#[derive(Debug)]
pub(crate) struct Admission {
    limits: OverloadLimits,
    /// Calls the bucket holds, and when it was last filled.
    tokens: f64,
    filled: Option<Instant>,
    backlogged: bool,
    /// Whether the last new INVITE was refused, to log the changes only.
    refusing: Option<Over>,
    /// New INVITEs refused so far.
    pub refused: u64,
}

impl Admission {
    pub fn new(limits: OverloadLimits) -> Self {
        let tokens = limits.max_call_rate.map_or(0.0, f64::from);
        Self { limits, tokens, filled: None, backlogged: false, refusing: None, refused: 0 }
    }

    /// The `Retry-After` value of a refusal, in whole seconds.
    pub fn retry_after(&self) -> String {
        self.limits.retry_after.as_secs().max(1).to_string()
    }

    /// Whether any limit is set or the driver is behind: whether a new call could be
    /// refused at all.
    pub fn may_refuse(&self) -> bool {
        let limits = &self.limits;
        self.backlogged
            || limits.max_calls.is_some()
            || limits.max_transactions.is_some()
            || limits.max_call_rate.is_some()
    }

    /// The driver is, or is no longer, behind.
    pub fn set_backlogged(&mut self, backlogged: bool) {
        self.backlogged = backlogged;
    }

    /// Whether a new call arriving at `now` would be refused, with `calls` and
    /// `transactions` live; it takes nothing from the rate's bucket ([`Admission::admitted`]
    /// does, once the call is set up).
    pub fn check(&mut self, now: Instant, calls: usize, transactions: usize) -> Option<Over> {
        self.fill(now);
        let over = if self.backlogged {
            Some(Over::Backlog)
        } else if self.limits.max_calls.is_some_and(|max| calls >= max) {
            Some(Over::Calls)
        } else if self.limits.max_transactions.is_some_and(|max| transactions >= max) {
            Some(Over::Transactions)
        } else if self.limits.max_call_rate.is_some() && self.tokens < 1.0 {
            Some(Over::Rate)
        } else {
            None
        };
        if over != self.refusing {
            match over {
                Some(over) => tracing::warn!(why = over.why(), "overloaded: new calls are refused with 503"),
                None => {
                    tracing::info!(refused = self.refused, "no longer overloaded: new calls are taken again")
                }
            }
            self.refusing = over;
        }
        self.refused += u64::from(over.is_some());
        over
    }

    /// A new call was taken: it uses one of the rate's tokens.
    pub fn admitted(&mut self, now: Instant) {
        self.fill(now);
        if self.limits.max_call_rate.is_some() {
            self.tokens = (self.tokens - 1.0).max(0.0);
        }
    }

    fn fill(&mut self, now: Instant) {
        let Some(rate) = self.limits.max_call_rate else { return };
        let rate = f64::from(rate);
        let since = self.filled.map_or(Duration::ZERO, |at| now.saturating_duration_since(at));
        self.tokens = (self.tokens + since.as_secs_f64() * rate).min(rate);
        self.filled = Some(now);
    }
}

/// What a quick look at a datagram decides before it is parsed.
pub(super) enum Early {
    /// Send this stateless 503.
    Refuse(Bytes),
    /// Nothing to do (the ACK of such a 503).
    Drop,
    /// A new INVITE the admission check has just taken: parse it and handle it as
    /// usual, without checking it again.
    Admitted,
    /// Parse it and handle it as usual.
    Parse,
}

impl Endpoint {
    /// A new INVITE refused by a quick look at its head, without parsing it, while new
    /// calls are refused ([`peek`]); the ACKs of those refusals are dropped the same way.
    pub(super) fn early(&mut self, now: Instant, datagram: &[u8]) -> Early {
        if peek::is_ack_with_tag(datagram, &write::raw_tag(503)) {
            return Early::Drop;
        }
        if !self.admission.may_refuse() {
            return Early::Parse;
        }
        let Some(invite) = peek::new_invite(datagram) else { return Early::Parse };
        if !self.core.tx.is_new_invite(invite.branch, invite.top_via) {
            return Early::Parse;
        }
        let Some(over) = self.admission.check(now, self.calls.len(), self.core.tx.len()) else {
            return Early::Admitted;
        };
        let (retry_after, warning) = (self.admission.retry_after(), write::warning(over.why()));
        let extra = [("Retry-After", retry_after.as_str()), ("Warning", warning.as_str())];
        write::raw_response(invite.head, 503, &extra).map_or(Early::Drop, |bytes| Early::Refuse(bytes.into()))
    }

    /// The stateless 503 for `message`, when it is a new call (an INVITE without a To
    /// tag that no transaction has taken yet) and new calls are refused at `now`.
    pub(super) fn shed(&mut self, now: Instant, message: &Inbound) -> Option<Bytes> {
        let Inbound::Request(request, essentials) = message else { return None };
        if request.method != Method::Invite || essentials.to_tag.is_some() {
            return None;
        }
        if !self.core.tx.is_new_request(request, essentials) {
            return None;
        }
        let over = self.admission.check(now, self.calls.len(), self.core.tx.len())?;
        let retry_after = self.admission.retry_after();
        let warning = write::warning(over.why());
        let extra = [("Retry-After", retry_after.as_str()), ("Warning", warning.as_str())];
        // A fixed tag: nothing is kept of a refused request, a retransmission of it gets
        // the same answer, and its ACK is told by it.
        let tag = write::raw_tag(503);
        Some(Bytes::from(ReplyHead::of(request).write(503, Some(&tag), &extra, None)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_a_bucket_that_refills_over_time() {
        let limits = OverloadLimits { max_call_rate: Some(2), ..OverloadLimits::default() };
        let mut admission = Admission::new(limits);
        let start = Instant::now();
        for _ in 0..2 {
            assert_eq!(admission.check(start, 0, 0), None);
            admission.admitted(start);
        }
        assert_eq!(admission.check(start, 0, 0), Some(Over::Rate));
        let later = start + Duration::from_millis(500);
        assert_eq!(admission.check(later, 0, 0), None, "half a second earns one call");
        admission.admitted(later);
        assert_eq!(admission.check(later, 0, 0), Some(Over::Rate));
        assert_eq!(admission.refused, 2);
    }

    #[test]
    fn each_limit_and_the_backlog_refuse() {
        let limits =
            OverloadLimits { max_calls: Some(3), max_transactions: Some(10), ..OverloadLimits::default() };
        let mut admission = Admission::new(limits);
        let now = Instant::now();
        assert_eq!(admission.check(now, 2, 9), None);
        assert_eq!(admission.check(now, 3, 0), Some(Over::Calls));
        assert_eq!(admission.check(now, 0, 10), Some(Over::Transactions));
        admission.set_backlogged(true);
        assert_eq!(admission.check(now, 0, 0), Some(Over::Backlog));
        admission.set_backlogged(false);
        assert_eq!(admission.check(now, 0, 0), None);
        assert_eq!(admission.retry_after(), "5");
    }
}
