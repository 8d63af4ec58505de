//! `listen --stats-every SECS`: a one-line report of the peer's load, now and then, for
//! soak tests (live calls and transactions, calls so far, resident memory, open fds).

use std::time::Duration;

use session_core::SimplePeer;

/// What starts each report line on stdout.
pub const PREFIX: &str = "stats:";

/// Prints `stats: <PeerStats>` on stdout at once and then every `every`; never returns.
/// With no interval it waits forever and prints nothing.
pub async fn report(peer: &SimplePeer, every: Option<Duration>) {
    let Some(every) = every else { return std::future::pending().await };
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        println!("{PREFIX} {}", peer.stats().await);
    }
}

/// An interval for clap: seconds, more than 0 (fractions allowed).
pub fn interval(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    match Duration::try_from_secs_f64(secs) {
        Ok(every) if every >= Duration::from_millis(10) => Ok(every),
        _ => Err(format!("{text} s is too short; give 0.01 or more (seconds)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_is_positive_seconds() {
        assert_eq!(interval("5"), Ok(Duration::from_secs(5)));
        assert_eq!(interval("0.5"), Ok(Duration::from_millis(500)));
        assert!(interval("0").is_err());
        assert!(interval("-1").is_err());
        assert!(interval("soon").is_err());
    }
}
