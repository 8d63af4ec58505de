//! What every usage of an endpoint shares: the transaction layer, the one deadline
//! queue, the routing registry, the output queue, the settings and the seeded randomness.

use std::collections::VecDeque;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::config::{EndpointConfig, named};
use super::event::Event;
use super::registry::SessionRegistry;
use crate::deadlines::Deadlines;
use crate::sip::transaction::{Reply, ServerTxId, TransactionLayer};

/// The parts of an endpoint its usages work with.
#[derive(Debug)]
pub(crate) struct Core {
    pub config: EndpointConfig,
    /// Our URI in angle brackets: our Contact.
    pub local_uri: String,
    /// Who we are, in angle brackets, in From of the calls we place and in Referred-By:
    /// `local_uri` until a registration is accepted, then its address of record.
    pub identity: String,
    /// The Allow header value: the methods of the usages present.
    pub allow: String,
    pub tx: TransactionLayer,
    pub deadlines: Deadlines,
    pub events: VecDeque<Event>,
    pub registry: SessionRegistry,
    pub rng: StdRng,
}

impl Core {
    pub fn new(config: EndpointConfig, seed: u64, allow: String) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let local_uri = format!("<sip:{}@{}>", config.user, config.local);
        let identity = named(config.display_name.as_deref(), &local_uri);
        Self {
            tx: TransactionLayer::new(config.timers, rng.random()),
            config,
            identity,
            local_uri,
            allow,
            deadlines: Deadlines::default(),
            events: VecDeque::new(),
            registry: SessionRegistry::default(),
            rng,
        }
    }

    /// Our Via for a request on `branch`; `rport` asks the peer where it saw us (RFC 3581).
    pub fn via(&self, branch: &str) -> String {
        format!("SIP/2.0/UDP {};branch={branch};rport", self.config.local)
    }

    /// The Route header value of requests outside a dialog, when they go through an
    /// outbound proxy.
    pub fn route_header(&self) -> Option<String> {
        self.config.outbound_proxy.map(|proxy| format!("<sip:{proxy};lr>"))
    }

    /// A digest client nonce: 128 random bits, in hex.
    pub fn cnonce(&mut self) -> String {
        format!("{:032x}", self.rng.random::<u128>())
    }

    /// A fresh tag (or Call-ID part): 64 random bits.
    pub fn tag(&mut self) -> String {
        format!("{:016x}", self.rng.random::<u64>())
    }

    /// Answers a request outside any dialog of ours, with a fresh To tag.
    pub fn reply(&mut self, now: Instant, tx: ServerTxId, code: u16, extra: &[(&str, &str)]) {
        let tag = self.tag();
        let reply = Reply { to_tag: Some(&tag), extra, body: None };
        self.tx.respond(now, tx, code, reply, &mut self.deadlines);
    }

    /// Answers a request that failed the checks of [`super::validate`].
    pub fn refuse(&mut self, now: Instant, tx: ServerTxId, refusal: super::validate::Refusal) {
        let extra: Vec<(&str, &str)> = refusal.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        self.reply(now, tx, refusal.code, &extra);
    }

    pub fn emit(&mut self, event: Event) {
        self.events.push_back(event);
    }
}
