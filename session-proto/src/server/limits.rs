//! Failed authentications counted per source address: an address that keeps guessing
//! is answered more slowly, then refused for a while. A success clears its count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How failed authentications from one IP address are held back.
///
/// A failure is a request whose credentials were wrong (wrong password, unknown user,
/// forged nonce, a replayed nonce count); a request without credentials, or with a
/// right answer to a stale nonce, is no failure. Failures are counted per source IP
/// address over `window`; a success that the location store confirmed clears the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailureLimits {
    /// How long failures are counted from the first one of a series; a series older
    /// than this starts again from zero (60 s).
    pub window: Duration,
    /// Once an address has failed this many times within the window, the answer to
    /// each of its failures (the one that reached the count included) is held back by
    /// `delay` (3).
    pub slow_after: u32,
    /// How long a held-back answer waits (2 s).
    pub delay: Duration,
    /// Once an address has failed this many times within the window, every request
    /// from it that needs authentication is answered 403 Forbidden at once, without
    /// looking at its credentials, for `block_for` (10).
    pub block_after: u32,
    /// How long an address stays refused (5 minutes).
    pub block_for: Duration,
}

impl Default for FailureLimits {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(60),
            slow_after: 3,
            delay: Duration::from_secs(2),
            block_after: 10,
            block_for: Duration::from_secs(300),
        }
    }
}

/// What an address may expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Answered at once.
    Clear,
    /// Answers to its failures wait this long.
    Slowed(Duration),
    /// Refused with 403.
    Blocked,
}

/// One address's series of failures.
#[derive(Clone, Copy, Debug)]
struct Series {
    count: u32,
    since: Instant,
    blocked_until: Option<Instant>,
}

/// Addresses kept before stale series are swept out (a sweep runs at most when the
/// table grows past this, so a flood from many addresses costs bounded memory per
/// window).
const SWEEP_AT: usize = 4096;

/// The failure counts of every address that failed recently.
#[derive(Debug)]
pub(crate) struct Failures {
    limits: FailureLimits,
    by_address: HashMap<IpAddr, Series>,
}

impl Failures {
    pub fn new(limits: FailureLimits) -> Self {
        Self { limits, by_address: HashMap::new() }
    }

    /// The standing of `address` at `now`, before anything it sends now is judged.
    pub fn standing(&mut self, address: IpAddr, now: Instant) -> Standing {
        let Some(series) = self.current(address, now) else {
            return Standing::Clear;
        };
        self.judge(series, now)
    }

    /// Counts one failure of `address`; returns its standing with it.
    pub fn failed(&mut self, address: IpAddr, now: Instant) -> Standing {
        if self.by_address.len() >= SWEEP_AT {
            self.sweep(now);
        }
        let limits = self.limits;
        let series = match self.current(address, now) {
            Some(series) => series,
            None => Series { count: 0, since: now, blocked_until: None },
        };
        let mut series = Series { count: series.count.saturating_add(1), ..series };
        if series.count >= limits.block_after && series.blocked_until.is_none() {
            series.blocked_until = Some(now + limits.block_for);
            tracing::info!(%address, failures = series.count, "address refused after repeated authentication failures");
        }
        self.by_address.insert(address, series);
        self.judge(series, now)
    }

    /// `address` authenticated: its count starts again.
    pub fn succeeded(&mut self, address: IpAddr) {
        self.by_address.remove(&address);
    }

    /// Addresses with a series under way.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    /// The series of `address` that still counts at `now`; a lapsed one is forgotten.
    fn current(&mut self, address: IpAddr, now: Instant) -> Option<Series> {
        let series = *self.by_address.get(&address)?;
        if lapsed(&self.limits, &series, now) {
            self.by_address.remove(&address);
            return None;
        }
        Some(series)
    }

    fn judge(&self, series: Series, now: Instant) -> Standing {
        if series.blocked_until.is_some_and(|until| now < until) {
            Standing::Blocked
        } else if series.count >= self.limits.slow_after {
            Standing::Slowed(self.limits.delay)
        } else {
            Standing::Clear
        }
    }

    fn sweep(&mut self, now: Instant) {
        let limits = self.limits;
        self.by_address.retain(|_, series| !lapsed(&limits, series, now));
    }
}

/// Whether a series no longer counts: its block ended, or (unblocked) its window passed.
fn lapsed(limits: &FailureLimits, series: &Series, now: Instant) -> bool {
    match series.blocked_until {
        Some(until) => now >= until,
        None => now.saturating_duration_since(series.since) > limits.window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7));
    const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 8));

    fn failures() -> Failures {
        Failures::new(FailureLimits { slow_after: 2, block_after: 4, ..FailureLimits::default() })
    }

    #[test]
    fn failures_slow_then_block_an_address_and_no_other() {
        let (mut failures, now) = (failures(), Instant::now());
        assert_eq!(failures.failed(ADDRESS, now), Standing::Clear);
        assert_eq!(failures.failed(ADDRESS, now), Standing::Slowed(Duration::from_secs(2)));
        assert_eq!(failures.failed(ADDRESS, now), Standing::Slowed(Duration::from_secs(2)));
        assert_eq!(failures.failed(ADDRESS, now), Standing::Blocked);
        assert_eq!(failures.standing(ADDRESS, now + Duration::from_secs(299)), Standing::Blocked);
        assert_eq!(failures.standing(OTHER, now), Standing::Clear);
        assert_eq!(failures.standing(ADDRESS, now + Duration::from_secs(300)), Standing::Clear);
        assert_eq!(failures.len(), 0, "a block that ended is forgotten");
    }

    #[test]
    fn a_success_or_a_quiet_window_starts_the_count_again() {
        let (mut failures, now) = (failures(), Instant::now());
        failures.failed(ADDRESS, now);
        failures.failed(ADDRESS, now);
        failures.succeeded(ADDRESS);
        assert_eq!(failures.failed(ADDRESS, now), Standing::Clear);
        failures.failed(ADDRESS, now);
        let later = now + Duration::from_secs(61);
        assert_eq!(failures.standing(ADDRESS, later), Standing::Clear);
        assert_eq!(failures.failed(ADDRESS, later), Standing::Clear, "a new series");
    }
}
