//! The location store of one process: bindings and nonce counts in a map behind one
//! lock, each job done whole under it.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::{Binding, BindingChange, LocationAnswer, LocationFuture, LocationJob, LocationStore, NonceUse};

/// How often, in seconds of the jobs' `now`, the store forgets the AoRs whose bindings
/// all expired and the nonces past their `expires_at`, however nobody asked for them.
const SWEEP_EVERY: u64 = 60;

/// Bindings and nonce counts in memory: the default store, for one process.
///
/// Every job is done inside [`LocationStore::run`] under one lock (held for a few map
/// operations), so its future is ready at once and the driver answers inline. Nothing
/// is shared with another process: for several nodes, see
/// [`RedisStore`](super::RedisStore).
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// By AoR, sorted by contact.
    bindings: HashMap<String, Vec<Binding>>,
    nonces: HashMap<String, NonceRecord>,
    /// When the next sweep is due, in Unix seconds.
    next_sweep: u64,
}

#[derive(Debug)]
struct NonceRecord {
    /// The highest count seen.
    nc: u32,
    /// When the record may be forgotten.
    expires_at: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `job` to its answer.
    pub fn answer(&self, job: &LocationJob) -> LocationAnswer {
        let (aor, nonce, now) = super::parts(job);
        let mut state = self.lock();
        state.sweep(now);
        if let Some(nonce) = nonce
            && !state.use_nonce(nonce, now)
        {
            return LocationAnswer::Replayed;
        }
        let bindings = state.bindings.entry(aor.to_owned()).or_default();
        for change in super::changes(job) {
            apply(bindings, change);
        }
        bindings.retain(|binding| binding.expires_at > now);
        let answer = bindings.clone();
        if answer.is_empty() {
            state.bindings.remove(aor);
        }
        LocationAnswer::Bindings(answer)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while the lock was held leaves maps that are still whole
        // (each operation on them completes or does not start).
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl LocationStore for MemoryStore {
    fn run(&self, job: LocationJob) -> LocationFuture {
        Box::pin(std::future::ready(self.answer(&job)))
    }
}

impl State {
    /// Records the use of a nonce: false when it is a replay.
    fn use_nonce(&mut self, nonce: &NonceUse, now: u64) -> bool {
        if let Some(seen) = self.nonces.get(&nonce.nonce)
            && seen.expires_at > now
            && nonce.nc <= seen.nc
        {
            return false;
        }
        self.nonces.insert(nonce.nonce.clone(), NonceRecord { nc: nonce.nc, expires_at: nonce.expires_at });
        true
    }

    /// Forgets what has lapsed, once every [`SWEEP_EVERY`] seconds.
    fn sweep(&mut self, now: u64) {
        if now < self.next_sweep {
            return;
        }
        self.next_sweep = now.saturating_add(SWEEP_EVERY);
        self.nonces.retain(|_, record| record.expires_at > now);
        self.bindings.retain(|_, bindings| {
            bindings.retain(|binding| binding.expires_at > now);
            !bindings.is_empty()
        });
    }
}

/// Applies one change to an AoR's bindings, kept sorted by contact.
fn apply(bindings: &mut Vec<Binding>, change: &BindingChange) {
    match change {
        BindingChange::Upsert(binding) => {
            match bindings.binary_search_by(|held| held.contact.cmp(&binding.contact)) {
                Ok(at) => bindings[at] = binding.clone(),
                Err(at) => bindings.insert(at, binding.clone()),
            }
        }
        BindingChange::Remove { contact } => bindings.retain(|held| held.contact != *contact),
        BindingChange::RemoveAll => bindings.clear(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(contact: &str, expires_at: u64) -> Binding {
        Binding {
            contact: contact.into(),
            source: "127.0.0.1:5060".parse().unwrap(),
            expires_at,
            call_id: "c".into(),
            cseq: 1,
        }
    }

    fn register(store: &MemoryStore, aor: &str, expires_at: u64, now: u64) -> LocationAnswer {
        let changes = vec![BindingChange::Upsert(binding("sip:a@127.0.0.1", expires_at))];
        store.answer(&LocationJob::Register { aor: aor.into(), changes, nonce: None, now })
    }

    #[test]
    fn the_sweep_forgets_aors_and_nonces_nobody_asks_for_again() {
        let store = MemoryStore::new();
        register(&store, "sip:old@example.com", 100, 10);
        let nonce = NonceUse { nonce: "n".into(), nc: 1, expires_at: 50 };
        let job = LocationJob::Lookup { aor: "sip:x@example.com".into(), nonce: Some(nonce), now: 10 };
        store.answer(&job);
        assert_eq!(store.lock().bindings.len(), 1);
        assert_eq!(store.lock().nonces.len(), 1);
        // Another AoR's job after both lapsed and a sweep is due.
        register(&store, "sip:new@example.com", 1000, 100 + SWEEP_EVERY);
        let state = store.lock();
        assert!(!state.bindings.contains_key("sip:old@example.com"), "the lapsed AoR is forgotten");
        assert!(state.bindings.contains_key("sip:new@example.com"));
        assert!(state.nonces.is_empty(), "the lapsed nonce is forgotten");
    }

    #[test]
    fn an_aor_left_without_bindings_takes_no_room() {
        let store = MemoryStore::new();
        register(&store, "sip:a@example.com", 100, 10);
        let job = LocationJob::Register {
            aor: "sip:a@example.com".into(),
            changes: vec![BindingChange::RemoveAll],
            nonce: None,
            now: 11,
        };
        assert_eq!(store.answer(&job), LocationAnswer::Bindings(Vec::new()));
        assert!(store.lock().bindings.is_empty());
        let lookup = LocationJob::Lookup { aor: "sip:b@example.com".into(), nonce: None, now: 12 };
        store.answer(&lookup);
        assert!(store.lock().bindings.is_empty(), "a lookup of an unknown AoR leaves nothing behind");
    }
}
