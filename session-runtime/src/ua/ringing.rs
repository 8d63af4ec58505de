//! The no-answer timer. A call that rings for longer than [`UaConfig::no_answer`] is
//! given up through the table's `Timeout { timer: NoAnswer }`: an incoming call is
//! answered 480 Temporarily Unavailable, our own is CANCELled. Without it, an INVITE
//! whose caller vanished without a CANCEL would ring, and hold its RTP ports, forever.
//!
//! [`UaConfig::no_answer`]: super::UaConfig::no_answer

use std::collections::BTreeSet;
use std::time::Instant;

use super::DialogAdapter;
use crate::machine::{Event, State};
use crate::types::{SessionId, Timer};

/// The deadlines of ringing calls, soonest first. A `BTreeSet` rather than a heap so
/// that a call that ends early takes its deadline with it.
#[derive(Debug, Default)]
pub struct RingTimers {
    due: BTreeSet<(Instant, SessionId)>,
}

impl RingTimers {
    /// When the next deadline falls.
    pub fn next(&self) -> Option<Instant> {
        self.due.first().map(|&(at, _)| at)
    }

    /// Forgets a deadline (the call ended first).
    pub fn disarm(&mut self, at: Instant, session: SessionId) {
        self.due.remove(&(at, session));
    }

    fn pop_due(&mut self, now: Instant) -> Option<SessionId> {
        let &(at, session) = self.due.first()?;
        (at <= now).then(|| {
            self.due.pop_first();
            session
        })
    }
}

impl DialogAdapter {
    /// Starts the no-answer timer of a call that is about to ring.
    pub(super) fn arm_no_answer(&mut self, now: Instant, session: SessionId) {
        // A timeout too large to add to the clock means "never".
        let Some(at) = now.checked_add(self.config.no_answer) else { return };
        let Some(leg) = self.legs.get_mut(&session) else { return };
        leg.no_answer_at = Some(at);
        self.ringing.due.insert((at, session));
    }

    /// Gives up the calls still ringing at their deadline.
    pub(super) async fn no_answer_due(&mut self, now: Instant) {
        while let Some(session) = self.ringing.pop_due(now) {
            let Some(leg) = self.legs.get_mut(&session) else { continue };
            leg.no_answer_at = None;
            let event = match leg.shared.status.borrow().state {
                State::RingingInbound | State::RingingOutbound => Event::Timeout { timer: Timer::NoAnswer },
                // Our INVITE got at most a 100 Trying, which stops Timer B: give up as a
                // hang-up does, with a CANCEL (sent once any provisional has arrived).
                State::Initiating => Event::Hangup,
                _ => continue,
            };
            leg.unanswered = true;
            let _ = self.drive(now, session, event).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn deadlines_fall_in_order_and_a_disarmed_one_never_does() {
        let start = Instant::now();
        let mut timers = RingTimers::default();
        let at = |ms| start + Duration::from_millis(ms);
        timers.due.insert((at(300), SessionId(3)));
        timers.due.insert((at(100), SessionId(1)));
        timers.due.insert((at(200), SessionId(2)));
        timers.disarm(at(200), SessionId(2));
        assert_eq!(timers.next(), Some(at(100)));
        assert_eq!(timers.pop_due(at(99)), None);
        assert_eq!(timers.pop_due(at(250)), Some(SessionId(1)));
        assert_eq!(timers.pop_due(at(250)), None, "2 was disarmed, 3 is not due");
        assert_eq!(timers.pop_due(at(300)), Some(SessionId(3)));
        assert_eq!(timers.next(), None);
    }
}
