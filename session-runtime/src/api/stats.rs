//! `SimplePeer::stats`: what a peer holds and what its process uses, for soak tests and
//! monitoring.

use std::fmt;

use super::SimplePeer;

/// A snapshot of a peer's load: what its endpoint holds now, how many calls it has had,
/// and (on Linux) the resident memory and open file descriptors of the whole process.
///
/// [`Display`](fmt::Display) writes it on one line of `name=value` pairs, as
/// `simplepeer listen --stats-every SECS` prints it:
///
/// ```
/// let stats = session_core::PeerStats { live_calls: 2, calls_total: 7, ..Default::default() };
/// assert!(stats.to_string().starts_with("live_calls=2 live_transactions=0 "));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeerStats {
    /// Calls not yet ended, either way.
    pub live_calls: usize,
    /// Live SIP transactions, client and server; a finished one lingers up to 64·T1
    /// (32 s by default) to absorb retransmissions.
    pub live_transactions: usize,
    /// Dialogs the endpoint routes requests to.
    pub dialogs: usize,
    /// Subscriptions not yet ended (the implicit ones of the REFERs we accepted).
    pub subscriptions: usize,
    /// Calls so far: placed with [`SimplePeer::dial`] or [`SimplePeer::call`], and
    /// incoming ones handed out by [`SimplePeer::next_call`]. Offers the endpoint refused
    /// itself (488, no codec in common) and calls placed for a peer's transfer are not
    /// counted.
    pub calls_total: u64,
    /// New calls refused with 503 so far, past the peer's overload limits or while its
    /// input backed up ([`PeerBuilder::overload`](crate::PeerBuilder::overload)).
    pub refused_overload: u64,
    /// Resident memory of the process in KiB (`VmRSS` of `/proc/self/status`); `None`
    /// where that cannot be read (not Linux).
    pub rss_kb: Option<u64>,
    /// Open file descriptors of the process (the entries of `/proc/self/fd`), sockets
    /// included; `None` where that cannot be read (not Linux).
    pub open_fds: Option<usize>,
    /// Heap the process's allocations hold now, in KiB: what glibc's malloc has handed
    /// out and not had back (`mallinfo2`, its mmapped blocks included); `None` with
    /// another C library. Against [`PeerStats::rss_kb`] it tells memory in use from
    /// memory the allocator keeps for reuse (pages it cannot give back while a few
    /// small blocks on them live).
    pub heap_kb: Option<u64>,
}

impl SimplePeer {
    /// What the peer holds now and what its process uses (see [`PeerStats`]).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let peer = session_core::SimplePeer::new("127.0.0.1:0").await?;
    /// let stats = peer.stats().await;
    /// println!("{} calls up, {} so far; {stats}", stats.live_calls, stats.calls_total);
    /// # Ok(()) }
    /// ```
    pub async fn stats(&self) -> PeerStats {
        let endpoint = self.coordinator().stats().await;
        PeerStats {
            live_calls: endpoint.calls,
            live_transactions: endpoint.transactions,
            dialogs: endpoint.dialogs,
            subscriptions: endpoint.subscriptions,
            calls_total: self.coordinator().calls().calls_total(),
            refused_overload: endpoint.refused_overload,
            rss_kb: rss_kb(),
            open_fds: open_fds(),
            heap_kb: heap_kb(),
        }
    }
}

impl fmt::Display for PeerStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "live_calls={} live_transactions={} dialogs={} subscriptions={} calls_total={} refused_overload={}",
            self.live_calls,
            self.live_transactions,
            self.dialogs,
            self.subscriptions,
            self.calls_total,
            self.refused_overload
        )?;
        match self.rss_kb {
            Some(kb) => write!(f, " rss_kb={kb}")?,
            None => write!(f, " rss_kb=?")?,
        }
        match self.open_fds {
            Some(fds) => write!(f, " open_fds={fds}")?,
            None => write!(f, " open_fds=?")?,
        }
        match self.heap_kb {
            Some(kb) => write!(f, " heap_kb={kb}"),
            None => write!(f, " heap_kb=?"),
        }
    }
}

/// `VmRSS` of `/proc/self/status`, in KiB.
fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The bytes glibc's malloc has handed out, in KiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap_kb() -> Option<u64> {
    // SAFETY: mallinfo2 takes no arguments and returns its figures by value.
    let info = unsafe { libc::mallinfo2() };
    u64::try_from(info.uordblks + info.hblkhd).ok().map(|bytes| bytes / 1024)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap_kb() -> Option<u64> {
    None
}

/// The entries of `/proc/self/fd`, less the one `read_dir` itself holds open.
fn open_fds() -> Option<usize> {
    let entries = std::fs::read_dir("/proc/self/fd").ok()?.count();
    Some(entries.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_every_figure() {
        let stats = PeerStats {
            live_calls: 3,
            live_transactions: 4,
            dialogs: 5,
            subscriptions: 1,
            calls_total: 9,
            refused_overload: 2,
            rss_kb: Some(1234),
            open_fds: None,
            heap_kb: Some(56),
        };
        assert_eq!(
            stats.to_string(),
            "live_calls=3 live_transactions=4 dialogs=5 subscriptions=1 calls_total=9 refused_overload=2 \
             rss_kb=1234 open_fds=? heap_kb=56"
        );
    }
}
