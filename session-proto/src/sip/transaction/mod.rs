//! The transaction layer: matches messages to RFC 3261 transactions, retransmits,
//! absorbs retransmissions and runs the timers. Sans-IO: datagrams and time go in,
//! datagrams, events and the next deadline come out.
//!
//! ```text
//! handle(now, source, inbound)  ─┐            ┌─ poll_transmit() → Transmit
//! start_client / respond / …     ├─ layer ────┼─ poll_event()    → TxEvent
//! handle_timeout(now)           ─┘            └─ poll_timeout()  → Instant
//! ```

pub mod client;
pub mod server;
pub mod timers;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Method, Request, Response};

pub use self::client::ClientKind;
use self::client::{ClientState, ClientTx};
use self::server::{ServerState, ServerTx};
pub use self::timers::Timers;
use super::headers::Essentials;
use super::inbound::Inbound;

/// Identifies a client transaction (it is encoded in the branch we generate).
pub type ClientTxId = u64;
/// Identifies a server transaction.
pub type ServerTxId = u64;

/// RFC 3261 branch prefix.
const MAGIC: &str = "z9hG4bK";

/// A datagram to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Destination.
    pub to: SocketAddr,
    /// The message.
    pub bytes: Bytes,
}

/// What the layer tells the dialog layer.
#[derive(Debug)]
pub enum TxEvent {
    /// A new request (not a retransmission).
    Request {
        /// Its server transaction.
        tx: ServerTxId,
        /// The request.
        request: Request,
        /// Its header essentials.
        essentials: Essentials,
        /// Where it came from (responses go back there).
        source: SocketAddr,
        /// For a CANCEL: the INVITE transaction it cancels, if it exists.
        cancels: Option<ServerTxId>,
    },
    /// An ACK that matched no transaction: the ACK to a 2xx, for the dialog.
    Ack {
        /// The ACK.
        request: Request,
        /// Its header essentials.
        essentials: Essentials,
    },
    /// A response for one of our transactions (provisional, final, or a repeated 2xx).
    Response {
        /// The transaction.
        tx: ClientTxId,
        /// The response.
        response: Response,
        /// Its header essentials.
        essentials: Essentials,
    },
    /// No final response in time (Timer B or F): the request failed.
    Timeout {
        /// The transaction.
        tx: ClientTxId,
    },
    /// No ACK for our 2xx in 64·T1.
    AckTimeout {
        /// The INVITE's transaction.
        tx: ServerTxId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Slot {
    Client(ClientTxId, bool),
    Server(ServerTxId),
}

/// Server transactions are matched on the branch and the method, ACK counting as
/// INVITE (section 17.2.3; branches carry the RFC 3261 magic cookie).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ServerKey(Box<str>, Method);

impl ServerKey {
    fn of(essentials: &Essentials, method: Method) -> Self {
        let method = if method == Method::Ack { Method::Invite } else { method };
        Self(essentials.branch.as_str().into(), method)
    }
}

struct Server {
    tx: ServerTx,
    key: ServerKey,
    source: SocketAddr,
}

/// All transactions of one endpoint.
pub struct TransactionLayer {
    timers: Timers,
    prefix: String,
    next_id: u64,
    clients: HashMap<(ClientTxId, bool), ClientTx>,
    servers: HashMap<ServerTxId, Server>,
    server_index: HashMap<ServerKey, ServerTxId>,
    wheel: BinaryHeap<Reverse<(Instant, Slot)>>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<TxEvent>,
}

impl TransactionLayer {
    /// An empty layer; `instance` makes our branches unique among endpoints.
    pub fn new(timers: Timers, instance: u32) -> Self {
        Self {
            timers,
            prefix: format!("{MAGIC}{instance:08x}."),
            next_id: 1,
            clients: HashMap::new(),
            servers: HashMap::new(),
            server_index: HashMap::new(),
            wheel: BinaryHeap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The timers in use.
    pub fn timers(&self) -> &Timers {
        &self.timers
    }

    /// A fresh client transaction id and the Via branch that carries it.
    pub fn new_branch(&mut self) -> (ClientTxId, String) {
        let id = self.next_id;
        self.next_id += 1;
        (id, format!("{}{id:x}", self.prefix))
    }

    /// Sends a request in a new client transaction. `id` comes from
    /// [`TransactionLayer::new_branch`]; a [`ClientKind::Cancel`] reuses its INVITE's id.
    pub fn start_client(
        &mut self,
        now: Instant,
        id: ClientTxId,
        kind: ClientKind,
        dest: SocketAddr,
        request: Bytes,
    ) {
        let cancel = kind == ClientKind::Cancel;
        if cancel && let Some(invite) = self.clients.get_mut(&(id, false)) {
            invite.on_cancel_sent(now, &self.timers);
            self.wheel.push(Reverse((invite.next_timer(), Slot::Client(id, false))));
        }
        let tx = ClientTx::new(now, &self.timers, kind, dest, request.clone());
        self.wheel.push(Reverse((tx.next_timer(), Slot::Client(id, cancel))));
        self.clients.insert((id, cancel), tx);
        self.transmits.push_back(Transmit { to: dest, bytes: request });
    }

    /// Sends a datagram outside any transaction (the ACK to a 2xx, stateless errors).
    pub fn send_stateless(&mut self, to: SocketAddr, bytes: Bytes) {
        self.transmits.push_back(Transmit { to, bytes });
    }

    /// Answers a server transaction; a second final response is ignored.
    pub fn respond(&mut self, now: Instant, tx: ServerTxId, code: u16, response: Bytes) {
        let Some(server) = self.servers.get_mut(&tx) else {
            return;
        };
        let reaction = server.tx.respond(now, &self.timers, code, response);
        if let Some(bytes) = reaction.transmit {
            self.transmits.push_back(Transmit { to: server.source, bytes });
        }
        if let Some(at) = server.tx.next_timer() {
            self.wheel.push(Reverse((at, Slot::Server(tx))));
        }
    }

    /// The dialog matched the ACK to our 2xx: stop retransmitting it.
    pub fn ack_received(&mut self, now: Instant, tx: ServerTxId) {
        if let Some(server) = self.servers.get_mut(&tx) {
            server.tx.on_ack(now, &self.timers);
        }
    }

    /// Whether a server transaction has sent its final response (false once it is gone).
    pub fn is_answered(&self, tx: ServerTxId) -> bool {
        self.servers.get(&tx).is_some_and(|s| s.tx.is_answered())
    }

    /// Number of live transactions, client and server.
    pub fn len(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    /// True when no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Feeds a checked message that arrived from `source`.
    pub fn handle(&mut self, now: Instant, source: SocketAddr, inbound: Inbound) {
        match inbound {
            Inbound::Response(response, essentials) => self.on_response(now, response, essentials),
            Inbound::Request(request, essentials) => self.on_request(now, source, request, essentials),
        }
    }

    fn on_response(&mut self, now: Instant, response: Response, essentials: Essentials) {
        let Some(id) =
            essentials.branch.strip_prefix(&self.prefix).and_then(|h| u64::from_str_radix(h, 16).ok())
        else {
            tracing::debug!(branch = %essentials.branch, "response for a branch we did not send; dropped");
            return;
        };
        let key = (id, essentials.cseq_method == Method::Cancel);
        let Some(tx) = self.clients.get_mut(&key) else {
            return;
        };
        let code = response.status_code.code();
        if tx.is_invite() && code >= 300 {
            let to = super::headers::first(&response.headers, |h| match h {
                rsipstack::rsip::Header::To(v) => Some(v.value()),
                _ => None,
            });
            if let Some(ack) = to.and_then(|to| super::write::ack_for_non_2xx(tx.request(), to)) {
                tx.set_ack(Bytes::from(ack));
            }
        }
        let reaction = tx.on_response(now, &self.timers, code);
        if let Some(bytes) = reaction.transmit {
            self.transmits.push_back(Transmit { to: tx.dest(), bytes });
        }
        self.wheel.push(Reverse((tx.next_timer(), Slot::Client(key.0, key.1))));
        if reaction.deliver {
            self.events.push_back(TxEvent::Response { tx: id, response, essentials });
        }
    }

    fn on_request(&mut self, now: Instant, source: SocketAddr, request: Request, essentials: Essentials) {
        let method = request.method;
        let key = ServerKey::of(&essentials, method);
        if let Some(&id) = self.server_index.get(&key) {
            let Some(server) = self.servers.get_mut(&id) else {
                return;
            };
            if method == Method::Ack {
                if server.tx.state() == ServerState::Completed {
                    server.tx.on_ack(now, &self.timers);
                    self.wheel.push(Reverse((server.tx.next_timer().unwrap_or(now), Slot::Server(id))));
                    return;
                }
            } else {
                if let Some(bytes) = server.tx.on_retransmission().transmit {
                    self.transmits.push_back(Transmit { to: server.source, bytes });
                }
                return;
            }
        }
        if method == Method::Ack {
            self.events.push_back(TxEvent::Ack { request, essentials });
            return;
        }
        let cancels = (method == Method::Cancel)
            .then(|| self.server_index.get(&ServerKey(key.0.clone(), Method::Invite)).copied())
            .flatten();
        let id = self.next_id;
        self.next_id += 1;
        let invite = method == Method::Invite;
        self.server_index.insert(key.clone(), id);
        self.servers.insert(id, Server { tx: ServerTx::new(invite), key, source });
        if invite {
            // 100 Trying at once: the callee may take its time (section 17.2.1).
            let trying = super::write::response(&request, 100, None, &[], None);
            self.respond(now, id, 100, Bytes::from(trying));
        }
        self.events.push_back(TxEvent::Request { tx: id, request, essentials, source, cancels });
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the dialog layer.
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }

    /// When [`TransactionLayer::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.wheel.peek().map(|Reverse((at, _))| *at)
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, slot))) = self.wheel.peek().copied() {
            if at > now {
                break;
            }
            self.wheel.pop();
            match slot {
                Slot::Client(id, cancel) => self.client_timer(now, id, cancel),
                Slot::Server(id) => self.server_timer(now, id),
            }
        }
    }

    fn client_timer(&mut self, now: Instant, id: ClientTxId, cancel: bool) {
        let Some(tx) = self.clients.get_mut(&(id, cancel)) else {
            return;
        };
        if tx.next_timer() > now {
            // The transaction moved its timers since this entry was queued (a response
            // stopped a retransmission): queue its current deadline instead.
            self.wheel.push(Reverse((tx.next_timer(), Slot::Client(id, cancel))));
            return;
        }
        let reaction = tx.on_timer(now, &self.timers);
        if let Some(bytes) = reaction.transmit {
            self.transmits.push_back(Transmit { to: tx.dest(), bytes });
        }
        if tx.state() == ClientState::Terminated {
            self.clients.remove(&(id, cancel));
            if reaction.timed_out && !cancel {
                self.events.push_back(TxEvent::Timeout { tx: id });
            }
        } else {
            self.wheel.push(Reverse((tx.next_timer(), Slot::Client(id, cancel))));
        }
    }

    fn server_timer(&mut self, now: Instant, id: ServerTxId) {
        let Some(server) = self.servers.get_mut(&id) else {
            return;
        };
        match server.tx.next_timer() {
            None => return,
            Some(at) if at > now => {
                // An ACK stopped the retransmissions this entry was for: keep the deadline.
                self.wheel.push(Reverse((at, Slot::Server(id))));
                return;
            }
            Some(_) => {}
        }
        let reaction = server.tx.on_timer(now, &self.timers);
        if let Some(bytes) = reaction.transmit {
            self.transmits.push_back(Transmit { to: server.source, bytes });
        }
        if server.tx.state() == ServerState::Terminated {
            if let Some(server) = self.servers.remove(&id) {
                self.server_index.remove(&server.key);
            }
            if reaction.ack_timed_out {
                self.events.push_back(TxEvent::AckTimeout { tx: id });
            }
        } else if let Some(at) = server.tx.next_timer() {
            self.wheel.push(Reverse((at, Slot::Server(id))));
        }
    }
}

#[cfg(test)]
mod tests;
