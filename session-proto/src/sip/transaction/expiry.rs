//! The layer's timers: retransmissions and timeouts as their deadlines fall due.

use std::time::Instant;

use super::client::ClientState;
use super::server::ServerState;
use super::{ClientTxId, ServerTxId, TransactionLayer, Transmit, TxEvent};
use crate::deadlines::{Deadline, Deadlines};

impl TransactionLayer {
    /// A deadline of this layer fell due at `now`.
    pub fn on_deadline(&mut self, now: Instant, deadline: Deadline, deadlines: &mut Deadlines) {
        match deadline {
            Deadline::Client(id, cancel) => self.client_timer(now, id, cancel, deadlines),
            Deadline::Server(id) => self.server_timer(now, id, deadlines),
            Deadline::NoAnswer(_) | Deadline::Forward(_) | Deadline::Reply(_) | Deadline::Refresh(_) => {}
        }
    }

    fn client_timer(&mut self, now: Instant, id: ClientTxId, cancel: bool, deadlines: &mut Deadlines) {
        let Some(tx) = self.clients.get_mut(&(id, cancel)) else {
            return;
        };
        match tx.next_timer() {
            // A provisional lifted every timer of a ringing INVITE since this entry was
            // queued: nothing is due.
            None => return,
            Some(at) if at > now => {
                // The transaction moved its timers since this entry was queued (a response
                // stopped a retransmission): queue its current deadline instead.
                deadlines.schedule(at, Deadline::Client(id, cancel));
                return;
            }
            Some(_) => {}
        }
        let reaction = tx.on_timer(now, &self.timers);
        if let Some(bytes) = reaction.transmit {
            self.transmits.push_back(Transmit { to: tx.dest(), bytes });
            if tx.retransmissions() == 1 && tx.state() == ClientState::Calling && !cancel {
                let waited = now.saturating_duration_since(tx.started());
                self.events.push_back(TxEvent::NoResponseYet { tx: id, waited });
            }
        }
        if tx.state() == ClientState::Terminated {
            self.clients.remove(&(id, cancel));
            if reaction.timed_out && !cancel {
                self.events.push_back(TxEvent::Timeout { tx: id });
            }
        } else if let Some(at) = tx.next_timer() {
            deadlines.schedule(at, Deadline::Client(id, cancel));
        }
    }

    fn server_timer(&mut self, now: Instant, id: ServerTxId, deadlines: &mut Deadlines) {
        let Some(server) = self.servers.get_mut(id) else {
            return;
        };
        match server.tx.next_timer() {
            None => return,
            Some(at) if at > now => {
                // An ACK stopped the retransmissions this entry was for: keep the deadline.
                deadlines.schedule(at, Deadline::Server(id));
                return;
            }
            Some(_) => {}
        }
        let reaction = server.tx.on_timer(now, &self.timers);
        if let Some(bytes) = reaction.transmit {
            self.transmits.push_back(Transmit { to: server.source, bytes });
        }
        if server.tx.state() == ServerState::Terminated {
            self.servers.remove(id);
            if reaction.ack_timed_out {
                self.events.push_back(TxEvent::AckTimeout { tx: id });
            }
        } else if let Some(at) = server.tx.next_timer() {
            deadlines.schedule(at, Deadline::Server(id));
        }
    }
}
