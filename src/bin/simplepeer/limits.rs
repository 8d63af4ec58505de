//! `listen --max-concurrent`, `--max-transactions`, `--max-cps`, `--retry-after`: when new calls are refused
//! with 503 instead of being taken.

use std::time::Duration;

use session_core::OverloadLimits;

use crate::plan::at_least_one;

/// The overload options of `listen`.
#[derive(clap::Args, Clone, Debug)]
pub struct LimitArgs {
    /// Take at most this many calls at once; a new one past it is refused with 503
    /// Service Unavailable and Retry-After.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    max_concurrent: Option<usize>,
    /// Take no new call while this many SIP transactions are live (finished ones linger
    /// 32 s to absorb retransmissions); a new one past it is refused with 503.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    max_transactions: Option<usize>,
    /// Take at most this many new calls per second (with a burst of as many); the rest
    /// are refused with 503 and Retry-After. New calls are refused too, whatever the
    /// limits, while the input backs up faster than it is served.
    #[arg(long, value_name = "RATE", value_parser = clap::value_parser!(u32).range(1..))]
    max_cps: Option<u32>,
    /// The Retry-After, in seconds, of the 503s that turn calls away.
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=86400))]
    retry_after: u64,
}

impl LimitArgs {
    /// The limits these options ask for.
    pub fn limits(&self) -> OverloadLimits {
        OverloadLimits {
            max_calls: self.max_concurrent,
            max_transactions: self.max_transactions,
            max_call_rate: self.max_cps,
            retry_after: Duration::from_secs(self.retry_after),
        }
    }
}
