//! The live server transactions, found by id and by key (RFC 3261 section 17.2.3).
//!
//! A carrier's load keeps hundreds of thousands of server transactions alive: a
//! finished non-INVITE one lingers 32 s (Timer J) to absorb retransmissions. A hash
//! table that grows moves every entry at once, and with a whole transaction in each
//! slot and every key hashed again that step stalled the endpoint for tens of
//! milliseconds at each doubling: long enough for the overload guard to turn calls
//! away at a rate the endpoint could carry. Both views here keep the step small:
//!
//! - by id, a slot holds a pointer to the boxed transaction;
//! - by key, a slot holds the key's hash and the id, so growing never hashes a key
//!   again (std's `HashMap` cannot keep a hash beside an entry; hashbrown's
//!   `HashTable`, the table under std's, is made for it).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::key::ServerKey;
use super::{Server, ServerTxId};

/// The server transactions of one layer.
#[derive(Debug, Default)]
pub(super) struct ServerTable {
    by_id: HashMap<ServerTxId, Box<Server>>,
    /// `(hash of the key, id)`; the key itself is the transaction's own.
    by_key: HashTable<(u64, ServerTxId)>,
    /// Keyed at random per layer, so a peer cannot choose branches that collide.
    hasher: RandomState,
}

impl ServerTable {
    /// The transaction `key` belongs to.
    pub fn find(&self, key: &ServerKey) -> Option<ServerTxId> {
        let hash = self.hasher.hash_one(key);
        let same =
            |&(h, id): &(u64, ServerTxId)| h == hash && self.by_id.get(&id).is_some_and(|s| s.key == *key);
        self.by_key.find(hash, same).map(|&(_, id)| id)
    }

    /// Adds `server` as `id`; its key must not belong to a live transaction.
    pub fn insert(&mut self, id: ServerTxId, server: Server) {
        let hash = self.hasher.hash_one(&server.key);
        self.by_key.insert_unique(hash, (hash, id), |&(h, _)| h);
        self.by_id.insert(id, Box::new(server));
    }

    /// Takes transaction `id` out of both views.
    pub fn remove(&mut self, id: ServerTxId) -> Option<Box<Server>> {
        let server = self.by_id.remove(&id)?;
        let hash = self.hasher.hash_one(&server.key);
        if let Ok(entry) = self.by_key.find_entry(hash, |&(_, i)| i == id) {
            entry.remove();
        }
        Some(server)
    }

    /// Transaction `id`.
    pub fn get(&self, id: ServerTxId) -> Option<&Server> {
        self.by_id.get(&id).map(|s| &**s)
    }

    /// Transaction `id`, to change.
    pub fn get_mut(&mut self, id: ServerTxId) -> Option<&mut Server> {
        self.by_id.get_mut(&id).map(|s| &mut **s)
    }

    /// Live transactions.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Gives back the room both views grew to beyond what they hold.
    pub fn shrink_to_fit(&mut self) {
        self.by_id.shrink_to_fit();
        self.by_key.shrink_to_fit(|&(h, _)| h);
    }
}

#[cfg(test)]
mod tests {
    use rsipstack::rsip::Method;

    use super::*;
    use crate::sip::transaction::server::ServerTx;

    fn server(branch: &str, sent_by: &str, method: Method) -> Server {
        let key = ServerKey::Branch { branch: branch.into(), sent_by: sent_by.into(), method };
        let source = "127.0.0.1:5060".parse().expect("address");
        Server { tx: ServerTx::new(method == Method::Invite), key, source, head: None }
    }

    #[test]
    fn keys_stay_found_across_growth_and_removal() {
        let mut table = ServerTable::default();
        for id in 0..5000u64 {
            table.insert(id, server(&format!("z9hG4bK{id}"), "h:1", Method::Options));
        }
        for id in (0..5000u64).step_by(2) {
            assert!(table.remove(id).is_some());
        }
        table.shrink_to_fit();
        assert_eq!(table.len(), 2500);
        for id in 0..5000u64 {
            let key = server(&format!("z9hG4bK{id}"), "h:1", Method::Options).key;
            let want = (id % 2 == 1).then_some(id);
            assert_eq!(table.find(&key), want, "id {id}");
            assert_eq!(table.get(id).is_some(), want.is_some());
        }
        assert!(table.remove(0).is_none(), "a removed transaction is gone");
    }

    #[test]
    fn sent_by_and_method_tell_transactions_with_one_branch_apart() {
        let mut table = ServerTable::default();
        table.insert(1, server("z9hG4bK1", "a:1", Method::Invite));
        table.insert(2, server("z9hG4bK1", "b:1", Method::Invite));
        table.insert(3, server("z9hG4bK1", "a:1", Method::Cancel));
        for (sent_by, method, id) in
            [("a:1", Method::Invite, 1), ("b:1", Method::Invite, 2), ("a:1", Method::Cancel, 3)]
        {
            assert_eq!(table.find(&server("z9hG4bK1", sent_by, method).key), Some(id));
        }
        assert_eq!(table.find(&server("z9hG4bK1", "b:1", Method::Cancel).key), None);
    }
}
