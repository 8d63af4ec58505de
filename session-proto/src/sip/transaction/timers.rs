//! RFC 3261 timer values (section 17, table 4) for UDP.

use std::time::Duration;

/// The base timers; every other timer derives from them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timers {
    /// RTT estimate: first retransmission interval (500 ms).
    pub t1: Duration,
    /// Cap on the retransmission interval of non-INVITE requests and of responses (4 s).
    pub t2: Duration,
    /// How long a message can stay in the network (5 s).
    pub t4: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Self { t1: Duration::from_millis(500), t2: Duration::from_secs(4), t4: Duration::from_secs(5) }
    }
}

impl Timers {
    /// Timers scaled from a different T1, keeping the RFC's ratios (T2 = 8·T1, T4 = 10·T1).
    /// Tests use a small T1 so that a call to a silent address times out in seconds.
    pub fn with_t1(t1: Duration) -> Self {
        Self { t1, t2: t1 * 8, t4: t1 * 10 }
    }

    /// 64·T1: Timers B, F, H, J, L and M (32 s by default).
    pub fn transaction_timeout(&self) -> Duration {
        self.t1 * 64
    }

    /// The retransmission interval after `current`: doubled, capped at T2 when `capped`.
    pub fn backoff(&self, current: Duration, capped: bool) -> Duration {
        let doubled = current * 2;
        if capped { doubled.min(self.t2) } else { doubled }
    }
}
