//! The transaction layer: matches messages to RFC 3261 transactions, retransmits,
//! absorbs retransmissions and runs the timers. Sans-IO: datagrams and time go in,
//! datagrams, events and the next deadline come out.
//!
//! ```text
//! handle(now, source, inbound)  ─┐            ┌─ poll_transmit() → Transmit
//! start_client / respond / …     ├─ layer ────┼─ poll_event()    → TxEvent
//! on_deadline(now, deadline)    ─┘            └─ the endpoint's one Deadlines queue
//! ```
//!
//! The layer keeps no timer queue of its own: every method that can start or move a
//! timer takes the endpoint's [`Deadlines`] and schedules into it.

pub mod client;
mod debug;
mod event;
mod expiry;
mod key;
mod relay;
pub mod server;
mod table;
pub mod timers;
mod unreachable;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Method, Request, Response};

pub use self::client::ClientKind;
use self::client::ClientTx;
pub use self::event::TxEvent;
use self::key::ServerKey;
use self::server::{ServerState, ServerTx};
use self::table::ServerTable;
pub use self::timers::Timers;
use super::headers::Essentials;
use super::inbound::Inbound;
use super::write::{Body, ReplyHead};
use crate::deadlines::{Deadline, Deadlines};

/// Identifies a client transaction (it is encoded in the branch we generate).
pub type ClientTxId = u64;
/// Identifies a server transaction.
pub type ServerTxId = u64;

/// RFC 3261 branch prefix.
pub(crate) const MAGIC: &str = "z9hG4bK";

/// A datagram to send (its `Debug` shows the method or status, branch and length only).
#[derive(Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Destination.
    pub to: SocketAddr,
    /// The message.
    pub bytes: Bytes,
}

/// A response to a server transaction: everything but the lines copied from the request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reply<'a> {
    /// Our To tag (added when the request's To has none).
    pub to_tag: Option<&'a str>,
    /// Headers after the copied ones (Contact, Warning, Allow, …).
    pub extra: &'a [(&'a str, &'a str)],
    /// The body, if any.
    pub body: Option<Body<'a>>,
}

#[derive(Debug)]
struct Server {
    tx: ServerTx,
    key: ServerKey,
    source: SocketAddr,
    /// What responses copy from the request, until the final one is sent.
    head: Option<ReplyHead>,
}

/// All transactions of one endpoint.
#[derive(Debug)]
pub struct TransactionLayer {
    timers: Timers,
    prefix: String,
    next_id: u64,
    /// Boxed, as the servers' are (see [`ServerTable`]): growing moves pointers.
    clients: HashMap<(ClientTxId, bool), Box<ClientTx>>,
    servers: ServerTable,
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
            servers: ServerTable::default(),
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
    #[allow(clippy::too_many_arguments)] // each is one fact of the request; a struct would only rename them
    pub fn start_client(
        &mut self,
        now: Instant,
        id: ClientTxId,
        kind: ClientKind,
        dest: SocketAddr,
        request: Bytes,
        deadlines: &mut Deadlines,
    ) {
        let cancel = kind == ClientKind::Cancel;
        if cancel {
            self.stop_waiting(now, id, deadlines);
        }
        let tx = ClientTx::new(now, &self.timers, kind, dest, request.clone());
        if let Some(at) = tx.next_timer() {
            deadlines.schedule(at, Deadline::Client(id, cancel));
        }
        self.clients.insert((id, cancel), Box::new(tx));
        self.transmits.push_back(Transmit { to: dest, bytes: request });
    }

    /// An INVITE that may wait for its final response as long as the callee rings (its
    /// call's no-answer timer bounds it) gets 64·T1 more at most: it was CANCELled, or
    /// its call ended.
    pub fn stop_waiting(&mut self, now: Instant, id: ClientTxId, deadlines: &mut Deadlines) {
        if let Some(invite) = self.clients.get_mut(&(id, false)) {
            invite.stop_waiting(now, &self.timers);
            if let Some(at) = invite.next_timer() {
                deadlines.schedule(at, Deadline::Client(id, false));
            }
        }
    }

    /// Where a client transaction sends, and the request it sent (a CANCEL copies it).
    pub fn request_of(&self, id: ClientTxId) -> Option<(SocketAddr, &Bytes)> {
        self.clients.get(&(id, false)).map(|tx| (tx.dest(), tx.request()))
    }

    /// Sends a datagram outside any transaction (the ACK to a 2xx, stateless errors).
    pub fn send_stateless(&mut self, to: SocketAddr, bytes: Bytes) {
        self.transmits.push_back(Transmit { to, bytes });
    }

    /// Answers a server transaction with status `code`, written from the request's own
    /// lines and `reply`. A second final response, or one to a transaction that is gone,
    /// is not sent; returns whether this one was.
    pub fn respond(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        code: u16,
        reply: Reply<'_>,
        deadlines: &mut Deadlines,
    ) -> bool {
        let Some(server) = self.servers.get_mut(tx) else {
            return false;
        };
        let Some(head) = &server.head else {
            return false;
        };
        let bytes = Bytes::from(head.write(code, reply.to_tag, reply.extra, reply.body));
        if code >= 200 {
            server.head = None;
        }
        let reaction = server.tx.respond(now, &self.timers, code, bytes);
        server.carry_out(tx, reaction, &mut self.transmits, deadlines)
    }

    /// The dialog matched the ACK to our 2xx: stop retransmitting it.
    pub fn ack_received(&mut self, now: Instant, tx: ServerTxId) {
        if let Some(server) = self.servers.get_mut(tx) {
            server.tx.on_ack(now, &self.timers);
        }
    }

    /// Whether a server transaction has sent its final response (false once it is gone).
    pub fn is_answered(&self, tx: ServerTxId) -> bool {
        self.servers.get(tx).is_some_and(|s| s.tx.is_answered())
    }

    /// Number of live transactions, client and server.
    pub fn len(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    /// True when no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `request` would start a new server transaction (it is neither a
    /// retransmission nor the ACK of one).
    pub fn is_new_request(&self, request: &Request, essentials: &Essentials) -> bool {
        self.servers.find(&ServerKey::of(request, essentials)).is_none()
    }

    /// Gives back the room the tables and queues grew to beyond what they hold.
    pub fn shrink_to_fit(&mut self) {
        self.clients.shrink_to_fit();
        self.servers.shrink_to_fit();
        self.transmits.shrink_to_fit();
        self.events.shrink_to_fit();
    }

    /// Whether an INVITE with RFC 3261 `branch` and `top_via` would start a new server
    /// transaction (see [`crate::sip::peek`]).
    pub fn is_new_invite(&self, branch: &str, top_via: &str) -> bool {
        self.servers.find(&ServerKey::invite(branch, top_via)).is_none()
    }

    /// Feeds a checked message that arrived from `source`; `raw`, the datagram it was
    /// read from, is passed on with the event it makes (a proxy forwards those bytes).
    pub fn handle(
        &mut self,
        now: Instant,
        source: SocketAddr,
        inbound: Inbound,
        raw: Option<Bytes>,
        deadlines: &mut Deadlines,
    ) {
        match inbound {
            Inbound::Response(response, essentials) => {
                self.on_response(now, response, essentials, raw, deadlines)
            }
            Inbound::Request(request, essentials) => {
                self.on_request(now, source, request, essentials, raw, deadlines)
            }
        }
    }

    fn on_response(
        &mut self,
        now: Instant,
        response: Response,
        essentials: Essentials,
        raw: Option<Bytes>,
        deadlines: &mut Deadlines,
    ) {
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
        if let Some(at) = tx.next_timer() {
            deadlines.schedule(at, Deadline::Client(key.0, key.1));
        }
        if reaction.deliver {
            self.events.push_back(TxEvent::Response { tx: id, response, essentials, raw });
        }
    }

    fn on_request(
        &mut self,
        now: Instant,
        source: SocketAddr,
        request: Request,
        essentials: Essentials,
        raw: Option<Bytes>,
        deadlines: &mut Deadlines,
    ) {
        let method = request.method;
        let key = ServerKey::of(&request, &essentials);
        if let Some(id) = self.servers.find(&key) {
            let Some(server) = self.servers.get_mut(id) else {
                return;
            };
            if method == Method::Ack {
                if server.tx.state() == ServerState::Completed {
                    server.tx.on_ack(now, &self.timers);
                    deadlines.schedule(server.tx.next_timer().unwrap_or(now), Deadline::Server(id));
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
            self.events.push_back(TxEvent::Ack { request, essentials, raw });
            return;
        }
        let cancels =
            (method == Method::Cancel).then(|| self.servers.find(&key.with_method(Method::Invite))).flatten();
        let id = self.next_id;
        self.next_id += 1;
        let invite = method == Method::Invite;
        let head = Some(ReplyHead::of(&request));
        self.servers.insert(id, Server { tx: ServerTx::new(invite), key, source, head });
        if invite {
            // 100 Trying at once: the callee may take its time (section 17.2.1).
            self.respond(now, id, 100, Reply::default(), deadlines);
        }
        self.events.push_back(TxEvent::Request { tx: id, request, essentials, source, cancels, raw });
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the dialog layer.
    pub fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }
}

#[cfg(test)]
mod tests;
