//! `listen --max-concurrent`, `--max-transactions`, `--max-cps`, `--max-queue-delay`,
//! `--retry-after`: when new calls are refused with 503 instead of being taken.

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
    /// limits, while the input backs up faster than it is served (--max-queue-delay).
    #[arg(long, value_name = "RATE", value_parser = clap::value_parser!(u32).range(1..))]
    max_cps: Option<u32>,
    /// Refuse new calls with 503 while SIP datagrams wait longer than this many
    /// milliseconds in the socket's queue before they are read (the server is behind its
    /// input); `off` never refuses for that.
    #[arg(long, value_name = "MS|off", default_value = "50", value_parser = queue_delay)]
    max_queue_delay: QueueDelay,
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
            max_queue_delay: self.max_queue_delay.0,
        }
    }
}

/// A `--max-queue-delay`: `None` for `off`.
#[derive(Clone, Copy, Debug)]
pub struct QueueDelay(Option<Duration>);

fn queue_delay(text: &str) -> Result<QueueDelay, String> {
    if text == "off" {
        return Ok(QueueDelay(None));
    }
    match text.parse::<u64>() {
        Ok(ms @ 1..=10_000) => Ok(QueueDelay(Some(Duration::from_millis(ms)))),
        _ => Err(format!("'{text}' is not a delay: give milliseconds from 1 to 10000, or 'off'")),
    }
}
