//! Reading the SIP socket: bursts of datagrams, each handed to the endpoint, and the
//! driver's lag, which decides whether new calls are refused.
//!
//! The lag is how long a datagram waited in the socket's receive queue (the kernel's
//! arrival stamp against the clock, [`super::stamp`]). Past [`BEHIND`] the endpoint is
//! told to refuse new calls (503, [`session_proto::Endpoint::set_overloaded`]), until
//! a datagram read has waited less than [`CAUGHT_UP`] or the queue is empty: INVITEs
//! that queued too long are turned away cheaply while the requests of calls in
//! progress are served, so that those complete before their senders retransmit. Where
//! the kernel gives no stamps, the driver counts as behind after reading for [`BEHIND`]
//! without the socket running dry.

use std::io;
use std::time::{Duration, Instant};

use super::{BURST, Driver, stamp};
use crate::api::TraceDirection;

/// How long a datagram may wait in the queue before new calls are refused: a burst of
/// arrivals drains well within it, a load the driver cannot carry does not. Far below
/// T1 (500 ms), so the calls in progress are not retransmitted for having waited.
pub(super) const BEHIND: Duration = Duration::from_millis(100);
/// A wait short enough to take new calls again.
pub(super) const CAUGHT_UP: Duration = Duration::from_millis(20);

/// The driver's lag: whether the endpoint was told it is behind, and (without stamps)
/// since when the socket has not run dry.
#[derive(Debug, Default)]
pub(super) struct Lag {
    behind: bool,
    busy_since: Option<Instant>,
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
                    match waited {
                        Some(waited) if waited >= BEHIND => self.set_behind(true),
                        Some(waited) if waited <= CAUGHT_UP => self.set_behind(false),
                        _ => {}
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
        self.lag.busy_since = if dry { None } else { Some(self.lag.busy_since.unwrap_or(now)) };
        if dry {
            self.set_behind(false);
        } else if !stamped && self.lag.busy_since.is_some_and(|since| now - since >= BEHIND) {
            self.set_behind(true);
        }
        if self.endpoint.poll_timeout().is_some_and(|at| at <= now) {
            self.timers();
        }
    }

    fn set_behind(&mut self, behind: bool) {
        if behind != self.lag.behind {
            self.lag.behind = behind;
            tracing::debug!(behind, "input lag");
            self.endpoint.set_overloaded(behind);
        }
    }

    fn datagram(&mut self, from: std::net::SocketAddr, datagram: &[u8]) {
        if let Some(trace) = &self.trace {
            trace.emit(TraceDirection::Received, self.endpoint.config().local, from, datagram);
        }
        self.endpoint.handle_datagram(Instant::now(), from, datagram);
        self.dispatch();
    }
}
