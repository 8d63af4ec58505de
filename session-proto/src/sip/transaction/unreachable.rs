//! What the network says of a destination: an ICMP unreachable (port, host, network)
//! for a datagram we sent there means that no response to our requests will come.

use std::net::SocketAddr;

use super::{TransactionLayer, TxEvent};

impl TransactionLayer {
    /// `dest` was reported unreachable: every client transaction that still sends its
    /// request there (before any response; a non-INVITE until its final one) ends at
    /// once, and each but a CANCEL is reported as [`TxEvent::Unreachable`] with
    /// `reason` (RFC 3261 section 17.1.4: the TU hears of the transport failure and the
    /// transaction is terminated). A CANCEL that fails takes its INVITE with it: the
    /// INVITE waits for a response from the same place. Transactions that only wait
    /// (an INVITE that got a provisional, one answered already) are left alone, as is
    /// every server transaction. Returns how many transactions ended.
    pub fn on_unreachable(&mut self, dest: SocketAddr, reason: &str) -> usize {
        let mut failed: Vec<(u64, bool)> = self
            .clients
            .iter()
            .filter(|(_, tx)| same_place(tx.dest(), dest) && tx.is_sending())
            .map(|(key, _)| *key)
            .collect();
        for &(id, cancel) in &failed.clone() {
            let invite = (id, false);
            if cancel
                && self.clients.get(&invite).is_some_and(|tx| tx.dest() == dest)
                && !failed.contains(&invite)
            {
                failed.push(invite);
            }
        }
        // In the order they were started, for a deterministic order of events.
        failed.sort_unstable();
        for key in &failed {
            // Its deadlines find it gone and do nothing.
            self.clients.remove(key);
            if !key.1 {
                self.events.push_back(TxEvent::Unreachable { tx: key.0, reason: reason.to_owned() });
            }
        }
        failed.len()
    }
}

/// The same IP address and port (an IPv6 address's flow label and scope as the
/// kernel reports them need not match the ones the request was sent with).
fn same_place(a: SocketAddr, b: SocketAddr) -> bool {
    a.ip() == b.ip() && a.port() == b.port()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use bytes::Bytes;

    use super::*;
    use crate::deadlines::Deadlines;
    use crate::sip::transaction::{ClientKind, Timers};

    fn layer() -> (TransactionLayer, Deadlines, Instant) {
        (TransactionLayer::new(Timers::default(), 1), Deadlines::default(), Instant::now())
    }

    fn start(layer: &mut TransactionLayer, deadlines: &mut Deadlines, now: Instant, dest: &str) -> u64 {
        let (id, _) = layer.new_branch();
        let dest = dest.parse().unwrap();
        layer.start_client(now, id, ClientKind::NonInvite, dest, Bytes::from_static(b"OPTIONS"), deadlines);
        id
    }

    #[test]
    fn only_the_transactions_to_the_unreachable_address_fail() {
        let (mut layer, mut deadlines, now) = layer();
        let gone = start(&mut layer, &mut deadlines, now, "127.0.0.1:5099");
        let alive = start(&mut layer, &mut deadlines, now, "127.0.0.1:5098");
        while layer.poll_transmit().is_some() {}
        let dest = "127.0.0.1:5099".parse().unwrap();
        assert_eq!(layer.on_unreachable(dest, "127.0.0.1:5099 is unreachable"), 1);
        match layer.poll_event() {
            Some(TxEvent::Unreachable { tx, reason }) => {
                assert_eq!(tx, gone);
                assert_eq!(reason, "127.0.0.1:5099 is unreachable");
            }
            other => panic!("{other:?}"),
        }
        assert!(layer.poll_event().is_none());
        assert_eq!(layer.len(), 1, "transaction {alive} goes on");
        // The failed one's timers find nothing to do: no retransmission, no timeout.
        let later = now + Duration::from_secs(40);
        while let Some((_, deadline)) = deadlines.pop_due(later) {
            layer.on_deadline(later, deadline, &mut deadlines);
        }
        assert!(layer.poll_transmit().is_none_or(|t| t.to != dest));
        let events: Vec<TxEvent> = std::iter::from_fn(|| layer.poll_event()).collect();
        assert!(
            events.iter().all(
                |e| matches!(e, TxEvent::Timeout { tx } | TxEvent::NoResponseYet { tx, .. } if *tx == alive)
            ),
            "{events:?}"
        );
        assert_eq!(layer.on_unreachable(dest, "again"), 0, "nothing left to fail");
    }
}
