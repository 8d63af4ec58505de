//! An in-memory network of endpoints on virtual time, as quinn-proto and str0m test
//! theirs: datagrams between endpoints with seeded latency, loss, duplication and
//! reordering, and a driver that answers the endpoints' I/O requests at once. No
//! sockets, no sleeps.

#![allow(dead_code)] // each test file uses a different part

pub mod location;
pub mod pair;
pub mod phone;
pub mod proxied;
pub mod script;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use session_proto::media::MediaCommand;
use session_proto::types::SessionId;
use session_proto::{EndReason, Endpoint, EndpointConfig, Event};

use self::location::{MemoryLocation, StoreMode};
use self::script::{Replies, ScriptNode};

/// How the network treats datagrams.
#[derive(Clone, Copy, Debug)]
pub struct Conditions {
    /// Chance that a datagram is lost.
    pub loss: f64,
    /// Chance that a datagram arrives twice.
    pub duplicate: f64,
    /// Extra delay, drawn up to this, on top of 1 ms: datagrams overtake each other.
    pub jitter: Duration,
}

impl Conditions {
    /// A perfect network: 1 ms, nothing lost.
    pub const CLEAN: Conditions = Conditions { loss: 0.0, duplicate: 0.0, jitter: Duration::ZERO };
}

/// One endpoint and everything it said.
pub struct Node {
    pub endpoint: Endpoint,
    pub addr: SocketAddr,
    /// Every event, in order (driver work included).
    pub events: Vec<Event>,
    /// Every datagram it sent, as text.
    pub sent: Vec<String>,
    /// The same datagrams as they were sent, byte for byte.
    pub raw: Vec<bytes::Bytes>,
    /// The media commands each call's engine got.
    pub media: HashMap<SessionId, Vec<MediaCommand>>,
    /// Open media engines.
    pub engines: usize,
}

impl Node {
    /// The states a call went through.
    pub fn states(&self, call: SessionId) -> Vec<session_proto::machine::State> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::CallState { call: c, state, .. } if *c == call => Some(*state),
                _ => None,
            })
            .collect()
    }

    /// How a call ended, if it has.
    pub fn ended(&self, call: SessionId) -> Option<EndReason> {
        self.events.iter().find_map(|e| match e {
            Event::CallEnded { call: c, reason, .. } if *c == call => Some(reason.clone()),
            _ => None,
        })
    }

    /// The calls that rang here, in order.
    pub fn incoming(&self) -> Vec<SessionId> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::IncomingCall { call } => Some(*call),
                _ => None,
            })
            .collect()
    }

    /// Every call it created.
    pub fn calls(&self) -> Vec<SessionId> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::CallCreated { call, .. } => Some(*call),
                _ => None,
            })
            .collect()
    }

    /// The first lines of the datagrams it sent that start with `prefix`.
    pub fn sent_starting(&self, prefix: &str) -> Vec<&String> {
        self.sent.iter().filter(|m| m.starts_with(prefix)).collect()
    }
}

/// A datagram on its way: when it arrives, a tie-breaking sequence number, where it
/// goes, where it came from, and its bytes.
type InFlight = Reverse<(Instant, u64, SocketAddr, SocketAddr, Vec<u8>)>;

/// Endpoints joined by a network, on one virtual clock.
pub struct Net {
    pub now: Instant,
    /// When the network started (a server node's Unix epoch, [`location::EPOCH_UNIX`]).
    pub start: Instant,
    pub nodes: Vec<Node>,
    /// Scripted peers, at 127.0.0.1:(5090 + index).
    pub scripts: Vec<ScriptNode>,
    conditions: Conditions,
    rng: StdRng,
    in_flight: BinaryHeap<InFlight>,
    sequence: u64,
    next_rtp: u16,
    /// The location store that answers every node's [`Event::Location`] jobs.
    pub location: MemoryLocation,
    /// How it answers.
    pub store_mode: StoreMode,
    /// Jobs held by [`StoreMode::Hold`]: the node, the job and its work.
    pub held_jobs: Vec<(usize, session_proto::location::JobId, session_proto::location::LocationJob)>,
    /// Datagrams sent to an address where no node is (a raw test peer), in order: from,
    /// to, text.
    pub wire: Vec<(SocketAddr, SocketAddr, String)>,
}

impl Net {
    pub fn new(seed: u64, conditions: Conditions) -> Self {
        let now = Instant::now();
        Self {
            now,
            start: now,
            nodes: Vec::new(),
            scripts: Vec::new(),
            conditions,
            rng: StdRng::seed_from_u64(seed),
            in_flight: BinaryHeap::new(),
            sequence: 0,
            next_rtp: 20_000,
            location: MemoryLocation::default(),
            store_mode: StoreMode::Answer,
            held_jobs: Vec::new(),
            wire: Vec::new(),
        }
    }

    /// Adds an endpoint at 127.0.0.1:(5060 + index); `configure` adjusts its settings.
    pub fn add(&mut self, user: &str, configure: impl FnOnce(&mut EndpointConfig)) -> usize {
        let index = self.nodes.len();
        let addr: SocketAddr = format!("127.0.0.1:{}", 5060 + index).parse().unwrap();
        let mut config = EndpointConfig::new(addr);
        config.user = user.into();
        configure(&mut config);
        let endpoint = Endpoint::new(config, self.rng.random());
        self.nodes.push(Node {
            endpoint,
            addr,
            events: Vec::new(),
            sent: Vec::new(),
            raw: Vec::new(),
            media: HashMap::new(),
            engines: 0,
        });
        index
    }

    /// Adds a scripted peer named `name` at 127.0.0.1:(5090 + index); returns its index
    /// in [`Net::scripts`].
    pub fn add_script(
        &mut self,
        name: &str,
        handler: impl FnMut(Instant, SocketAddr, &str) -> Replies + 'static,
    ) -> usize {
        let index = self.scripts.len();
        let addr: SocketAddr = format!("127.0.0.1:{}", 5090 + index).parse().unwrap();
        self.scripts.push(ScriptNode {
            name: name.into(),
            addr,
            handler: Box::new(handler),
            received: Vec::new(),
        });
        index
    }

    /// The SIP URI of node `index`.
    pub fn uri(&self, index: usize) -> String {
        format!("sip:{}@{}", self.nodes[index].endpoint.config().user, self.nodes[index].addr)
    }

    /// Node `index` dials `target`.
    pub fn dial(&mut self, index: usize, target: &str) -> SessionId {
        let now = self.now;
        let call = self.nodes[index].endpoint.dial(now, target).expect("a valid target");
        self.settle();
        call
    }

    /// Node `index` sends a command to `call`.
    pub fn command(
        &mut self,
        index: usize,
        call: SessionId,
        event: session_proto::machine::Event,
    ) -> Result<(), session_proto::CommandError> {
        let now = self.now;
        let done = self.nodes[index].endpoint.handle_command(now, call, event);
        self.settle();
        done
    }

    /// Hands `datagram` to node `index` as if it came from `from`, now.
    pub fn inject(&mut self, index: usize, from: SocketAddr, datagram: &str) {
        self.inject_bytes(index, from, datagram.as_bytes());
    }

    /// Hands the bytes of `datagram` to node `index` as if they came from `from`, now.
    pub fn inject_bytes(&mut self, index: usize, from: SocketAddr, datagram: &[u8]) {
        let now = self.now;
        self.nodes[index].endpoint.handle_datagram(now, from, datagram);
        self.settle();
    }

    /// Node `index`'s driver read an ICMP error for `dest`, now.
    pub fn unreachable(&mut self, index: usize, dest: SocketAddr, why: session_proto::Unreachable) {
        let now = self.now;
        self.nodes[index].endpoint.handle_unreachable(now, dest, why);
        self.settle();
    }

    /// Runs the network for `span` of virtual time.
    pub fn run_for(&mut self, span: Duration) {
        let until = self.now + span;
        self.run_until(until, |_| false);
    }

    /// Runs until `done` holds or `until` passes; returns whether `done` held.
    pub fn run_until(&mut self, until: Instant, mut done: impl FnMut(&Net) -> bool) -> bool {
        loop {
            self.settle();
            if done(self) {
                return true;
            }
            let next_timer = self.nodes.iter().filter_map(|n| n.endpoint.poll_timeout()).min();
            let next_arrival = self.in_flight.peek().map(|Reverse((at, ..))| *at);
            let Some(next) = [next_timer, next_arrival].into_iter().flatten().min() else {
                return done(self);
            };
            if next > until {
                self.now = self.now.max(until);
                return done(self);
            }
            self.now = self.now.max(next);
            self.step();
        }
    }

    /// Runs until no timer and no datagram is left (at most `limit` of virtual time).
    pub fn run_out(&mut self, limit: Duration) {
        let until = self.now + limit;
        self.run_until(until, |_| false);
    }

    /// Delivers what has arrived and fires the timers due, at `now`.
    fn step(&mut self) {
        let now = self.now;
        while let Some(Reverse((at, ..))) = self.in_flight.peek() {
            if *at > now {
                break;
            }
            let Reverse((_, _, to, from, bytes)) = self.in_flight.pop().unwrap();
            if let Some(node) = self.nodes.iter_mut().find(|n| n.addr == to) {
                node.endpoint.handle_datagram(now, from, &bytes);
            } else if let Some(script) = self.scripts.iter_mut().find(|s| s.addr == to) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let replies = (script.handler)(now, from, &text);
                script.received.push((now, from, text));
                let addr = script.addr;
                for (dest, reply) in replies {
                    self.send(addr, dest, reply.into_bytes());
                }
            }
            self.settle();
        }
        for index in 0..self.nodes.len() {
            if self.nodes[index].endpoint.poll_timeout().is_some_and(|t| t <= now) {
                self.nodes[index].endpoint.handle_timeout(now);
                self.settle();
            }
        }
    }

    /// Takes every node's datagrams onto the wire and carries out their driver work.
    fn settle(&mut self) {
        loop {
            let mut quiet = true;
            for index in 0..self.nodes.len() {
                while let Some(transmit) = self.nodes[index].endpoint.poll_transmit() {
                    quiet = false;
                    let from = self.nodes[index].addr;
                    self.nodes[index].sent.push(String::from_utf8_lossy(&transmit.bytes).into_owned());
                    self.nodes[index].raw.push(transmit.bytes.clone());
                    self.send(from, transmit.to, transmit.bytes.to_vec());
                }
                while let Some(event) = self.nodes[index].endpoint.poll_event() {
                    quiet = false;
                    self.drive(index, &event);
                    self.nodes[index].events.push(event);
                }
            }
            if quiet {
                return;
            }
        }
    }

    /// What a driver does with an endpoint's request for I/O.
    fn drive(&mut self, index: usize, event: &Event) {
        let now = self.now;
        let node = &mut self.nodes[index];
        match event {
            Event::OpenMedia { call } => {
                let rtp = SocketAddr::new(node.addr.ip(), self.next_rtp);
                self.next_rtp += 2;
                node.engines += 1;
                node.endpoint.handle_media_opened(now, *call, Ok(rtp));
            }
            Event::Media { call, command } => {
                if *command == MediaCommand::Stop {
                    node.engines -= 1;
                }
                node.media.entry(*call).or_default().push(command.clone());
            }
            Event::Resolve { call, host, port } => {
                let found = self.nodes.iter().position(|n| n.endpoint.config().user == *host);
                let result = found
                    .map(|i| SocketAddr::new(self.nodes[i].addr.ip(), *port))
                    .ok_or("no such host".into());
                self.nodes[index].endpoint.handle_resolved(now, *call, result);
            }
            Event::ResolveRegistrar { registration, host, port } => {
                let found = self.scripts.iter().find(|s| s.name == *host);
                let result = found.map(|s| SocketAddr::new(s.addr.ip(), *port)).ok_or("no such host".into());
                self.nodes[index].endpoint.handle_registrar_resolved(now, *registration, result);
            }
            Event::Location { job, work } => match &self.store_mode {
                StoreMode::Answer => {
                    let answer = self.location.run(work);
                    self.nodes[index].endpoint.handle_location(now, *job, answer);
                }
                StoreMode::Fail(why) => {
                    let answer = session_proto::location::LocationAnswer::Failed(why.clone());
                    self.nodes[index].endpoint.handle_location(now, *job, answer);
                }
                StoreMode::Hold => self.held_jobs.push((index, *job, work.clone())),
            },
            _ => {}
        }
    }

    fn send(&mut self, from: SocketAddr, to: SocketAddr, bytes: Vec<u8>) {
        if !self.nodes.iter().any(|n| n.addr == to) && !self.scripts.iter().any(|s| s.addr == to) {
            self.wire.push((from, to, String::from_utf8_lossy(&bytes).into_owned()));
            return;
        }
        if self.rng.random_bool(self.conditions.loss) {
            return;
        }
        let copies = if self.rng.random_bool(self.conditions.duplicate) { 2 } else { 1 };
        for _ in 0..copies {
            let jitter = self.conditions.jitter.mul_f64(self.rng.random::<f64>());
            let at = self.now + Duration::from_millis(1) + jitter;
            self.sequence += 1;
            self.in_flight.push(Reverse((at, self.sequence, to, from, bytes.clone())));
        }
    }
}
