//! Reading the SIP socket: bursts of datagrams, each handed to the endpoint, and the
//! driver's lag, which decides whether new calls are refused.
//!
//! The lag is how long a datagram waited in the socket's receive queue (the kernel's
//! arrival stamp against the clock, [`super::stamp`]). Past the endpoint's
//! [`session_proto::OverloadLimits::max_queue_delay`] the endpoint is told to refuse new
//! calls (503, [`session_proto::Endpoint::set_overloaded`]), until a datagram read has
//! waited less than a fifth of it or the queue is empty: INVITEs that queued too long
//! are turned away cheaply while the requests of calls in progress are served, so that
//! those complete before their senders retransmit. Where the kernel gives no stamps,
//! the driver counts as behind after reading for as long without the socket running dry.

use std::io;
use std::time::{Duration, Instant};

use super::{BURST, Driver, stamp};
use crate::api::TraceDirection;

/// The driver's lag: the waits that make it behind and caught up again, whether it is
/// behind, and (without stamps) since when the socket has not run dry.
#[derive(Debug)]
pub(super) struct Lag {
    /// `None`: never behind; caught up again below a fifth of it.
    behind_at: Option<Duration>,
    behind: bool,
    busy_since: Option<Instant>,
}

impl Lag {
    /// The lag of a driver that counts as behind once a datagram waited `max_wait`.
    pub fn new(max_wait: Option<Duration>) -> Self {
        Self { behind_at: max_wait, behind: false, busy_since: None }
    }

    /// A datagram read waited `waited` in the queue; true when that changed whether the
    /// driver is behind.
    fn read(&mut self, waited: Duration) -> bool {
        if self.behind_at.is_some_and(|at| waited >= at) {
            self.set(true)
        } else if waited <= self.behind_at.map_or(Duration::ZERO, |at| at / 5) {
            self.set(false)
        } else {
            false
        }
    }

    /// A burst of reads ended at `now`, with the queue empty (`dry`) or not, and with or
    /// without stamps on its datagrams; true when that changed whether it is behind.
    fn burst_ended(&mut self, now: Instant, dry: bool, stamped: bool) -> bool {
        self.busy_since = if dry { None } else { Some(self.busy_since.unwrap_or(now)) };
        if dry {
            self.set(false)
        } else if let Some(at) = self.behind_at.filter(|_| !stamped)
            && self.busy_since.is_some_and(|since| now - since >= at)
        {
            self.set(true)
        } else {
            false
        }
    }

    fn set(&mut self, behind: bool) -> bool {
        let changed = behind != self.behind;
        self.behind = behind;
        changed
    }
}

impl Driver {
    /// Reads up to a burst of the datagrams queued, then runs the timers due, which a
    /// socket that never runs dry would otherwise starve.
    pub(super) fn burst(&mut self, buf: &mut [u8]) {
        let (mut dry, mut stamped) = (false, false);
        for _ in 0..=BURST {
            match stamp::try_recv(&self.socket, buf) {
                Ok((len, from, waited)) => {
                    stamped |= waited.is_some();
                    if waited.is_some_and(|waited| self.lag.read(waited)) {
                        self.lag_changed();
                    }
                    self.datagram(from, &buf[..len]);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    dry = true;
                    break;
                }
                // A pending ICMP error (Linux, IP_RECVERR) is reported once by a receive
                // too; the error queue tells what it was about.
                Err(error) => {
                    tracing::debug!(%error, "receive failed");
                    break;
                }
            }
        }
        let now = Instant::now();
        if self.lag.burst_ended(now, dry, stamped) {
            self.lag_changed();
        }
        if self.endpoint.poll_timeout().is_some_and(|at| at <= now) {
            self.timers();
        }
    }

    fn lag_changed(&mut self) {
        tracing::debug!(behind = self.lag.behind, "input lag");
        self.endpoint.set_overloaded(self.lag.behind);
    }

    fn datagram(&mut self, from: std::net::SocketAddr, datagram: &[u8]) {
        if let Some(trace) = &self.trace {
            trace.emit(TraceDirection::Received, self.endpoint.config().local, from, datagram);
        }
        self.endpoint.handle_datagram(Instant::now(), from, datagram);
        self.dispatch();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn behind_past_the_delay_until_a_wait_under_a_fifth_of_it_or_an_empty_queue() {
        let mut lag = Lag::new(Some(50 * MS));
        let now = Instant::now();
        assert!(!lag.read(49 * MS) && !lag.behind, "under the delay");
        assert!(lag.read(50 * MS) && lag.behind, "at the delay");
        assert!(!lag.read(11 * MS) && lag.behind, "still over a fifth of it");
        assert!(lag.read(10 * MS) && !lag.behind, "caught up");
        assert!(lag.read(80 * MS) && lag.behind);
        assert!(!lag.burst_ended(now, false, true) && lag.behind, "the queue still holds more");
        assert!(lag.burst_ended(now, true, true) && !lag.behind, "the queue ran dry");
    }

    #[test]
    fn without_a_delay_it_is_never_behind() {
        let mut lag = Lag::new(None);
        let now = Instant::now();
        assert!(!lag.read(10_000 * MS) && !lag.behind);
        assert!(!lag.burst_ended(now, false, false) && !lag.burst_ended(now + 60_000 * MS, false, false));
        assert!(!lag.behind);
    }

    #[test]
    fn without_stamps_it_is_behind_once_the_socket_has_not_run_dry_for_the_delay() {
        let mut lag = Lag::new(Some(50 * MS));
        let start = Instant::now();
        assert!(!lag.burst_ended(start, false, false));
        assert!(!lag.burst_ended(start + 49 * MS, false, false) && !lag.behind);
        assert!(lag.burst_ended(start + 50 * MS, false, false) && lag.behind);
        assert!(lag.burst_ended(start + 51 * MS, true, false) && !lag.behind);
    }
}
