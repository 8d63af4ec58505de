//! A location store in memory for the in-memory network, faithful to the contract of
//! `session_proto::location`: the nonce count is checked before anything changes,
//! expired bindings are gone at `now`, changes apply in order; and a server node.

use std::collections::HashMap;
use std::net::SocketAddr;

use session_proto::auth::Users;
use session_proto::location::{Binding, BindingChange, JobId, LocationAnswer, LocationJob, NonceUse};
use session_proto::server::ServerConfig;

use super::Net;

/// Unix seconds at the network's start, for server nodes.
pub const EPOCH_UNIX: u64 = 1_700_000_000;

/// How the network's store answers jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreMode {
    /// At once, from [`MemoryLocation`].
    Answer,
    /// At once, with `Failed`.
    Fail(String),
    /// Not until [`Net::release_jobs`].
    Hold,
}

/// Bindings per AoR, and the highest nonce count seen per nonce.
#[derive(Debug, Default)]
pub struct MemoryLocation {
    pub bindings: HashMap<String, Vec<Binding>>,
    nonces: HashMap<String, (u32, u64)>,
    /// Every job run, in order.
    pub jobs: Vec<LocationJob>,
}

impl MemoryLocation {
    /// Runs one job.
    pub fn run(&mut self, work: &LocationJob) -> LocationAnswer {
        self.jobs.push(work.clone());
        let (aor, nonce, now, changes) = match work {
            LocationJob::Register { aor, changes, nonce, now } => (aor, nonce, *now, changes.as_slice()),
            LocationJob::Lookup { aor, nonce, now } => (aor, nonce, *now, &[][..]),
        };
        if let Some(NonceUse { nonce, nc, expires_at }) = nonce {
            self.nonces.retain(|_, (_, expires)| *expires >= now);
            if self.nonces.get(nonce).is_some_and(|(last, _)| nc <= last) {
                return LocationAnswer::Replayed;
            }
            self.nonces.insert(nonce.clone(), (*nc, *expires_at));
        }
        let list = self.bindings.entry(aor.clone()).or_default();
        list.retain(|b| b.expires_at > now);
        for change in changes {
            match change {
                BindingChange::Upsert(binding) => {
                    list.retain(|b| b.contact != binding.contact);
                    list.push(binding.clone());
                }
                BindingChange::Remove { contact } => list.retain(|b| b.contact != *contact),
                BindingChange::RemoveAll => list.clear(),
            }
        }
        LocationAnswer::Bindings(list.clone())
    }

    /// Binds `contact` (reached at `source`) to `aor` until `expires_at` (Unix seconds).
    pub fn bind(&mut self, aor: &str, contact: &str, source: SocketAddr, expires_at: u64) {
        let binding =
            Binding { contact: contact.into(), source, expires_at, call_id: "seeded".into(), cseq: 1 };
        self.bindings.entry(aor.into()).or_default().push(binding);
    }

    /// The contacts bound to `aor` now, in order.
    pub fn contacts(&self, aor: &str) -> Vec<String> {
        self.bindings.get(aor).map(|l| l.iter().map(|b| b.contact.clone()).collect()).unwrap_or_default()
    }
}

impl Net {
    /// Adds a registrar and proxy node for `realm` with `users` (`name:password`
    /// lines); `configure` adjusts its settings.
    pub fn add_server(
        &mut self,
        realm: &str,
        users: &str,
        configure: impl FnOnce(&mut session_proto::EndpointConfig),
    ) -> usize {
        let users = Users::parse(users, realm).expect("valid users");
        let start = self.start;
        self.add("registrar", |config| {
            config.server = Some(ServerConfig::new(realm, users, [42; 32], start, EPOCH_UNIX));
            configure(config);
        })
    }

    /// Answers every held job from the store, in the order they came.
    pub fn release_jobs(&mut self) {
        let now = self.now;
        for (index, job, work) in std::mem::take(&mut self.held_jobs) {
            let answer = self.location.run(&work);
            self.answer_job(index, job, answer, now);
        }
    }

    fn answer_job(&mut self, index: usize, job: JobId, answer: LocationAnswer, now: std::time::Instant) {
        self.nodes[index].endpoint.handle_location(now, job, answer);
        self.run_for(std::time::Duration::ZERO);
    }

    /// From now on the network treats datagrams so.
    pub fn set_conditions(&mut self, conditions: super::Conditions) {
        self.conditions = conditions;
    }

    /// Runs the network for `span`, and the clock moves on by `span` even when
    /// nothing happens.
    pub fn advance(&mut self, span: std::time::Duration) {
        let until = self.now + span;
        self.run_for(span);
        self.now = self.now.max(until);
    }

    /// The Unix time now, as server nodes count it.
    pub fn unix_now(&self) -> u64 {
        EPOCH_UNIX + self.now.duration_since(self.start).as_secs()
    }

    /// The datagrams that reached `addr`, where no node is.
    pub fn received(&self, addr: SocketAddr) -> Vec<&str> {
        self.wire.iter().filter(|(_, to, _)| *to == addr).map(|(_, _, text)| text.as_str()).collect()
    }

    /// The responses that reached `addr` on `branch` (its top Via), in order.
    pub fn responses(&self, addr: SocketAddr, branch: &str) -> Vec<String> {
        let via = format!("branch={branch}");
        self.received(addr)
            .into_iter()
            .filter(|m| {
                m.starts_with("SIP/2.0 ") && super::phone::header(m, "Via").is_some_and(|v| v.contains(&via))
            })
            .map(str::to_owned)
            .collect()
    }

    /// The requests that reached `addr` with method `method`, in order.
    pub fn requests(&self, addr: SocketAddr, method: &str) -> Vec<String> {
        let start = format!("{method} ");
        self.received(addr).into_iter().filter(|m| m.starts_with(&start)).map(str::to_owned).collect()
    }
}
