//! The location service as the registrar and the proxy see it: bindings of an address
//! of record (AoR) to contacts, and the jobs the driver runs on its location store.
//!
//! The store itself is I/O (memory in one process, Redis for several nodes), so it
//! lives in the runtime. The endpoint asks for what it needs with
//! [`crate::Event::Location`] and continues when the driver answers with
//! `Endpoint::handle_location`. Times are Unix seconds, not `Instant`s, because
//! several nodes share the bindings.

use std::net::SocketAddr;

/// One contact bound to an address of record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI as registered, e.g. `sip:alice@192.0.2.4:5062`.
    pub contact: String,
    /// Where the REGISTER came from: requests for this contact go there, so that a
    /// client behind NAT is reached on the address it registered from (RFC 5626's
    /// flow reuse, in its simplest form).
    pub source: SocketAddr,
    /// When the binding lapses, in Unix seconds.
    pub expires_at: u64,
    /// The REGISTER's Call-ID and CSeq, for ordering refreshes (RFC 3261 10.3 step 7).
    pub call_id: String,
    /// See `call_id`.
    pub cseq: u32,
}

/// What a REGISTER does to one AoR's bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindingChange {
    /// Add the binding, or replace the one with the same contact.
    Upsert(Binding),
    /// Remove the binding with this contact (`Expires: 0`).
    Remove {
        /// The contact URI.
        contact: String,
    },
    /// Remove every binding of the AoR (`Contact: *` with `Expires: 0`).
    RemoveAll,
}

/// A use of a digest nonce, which the store refuses when its count is not above every
/// count seen before for that nonce (replay protection shared by every node).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceUse {
    /// The nonce.
    pub nonce: String,
    /// The request's nonce count (`nc`).
    pub nc: u32,
    /// When the nonce stops being accepted, in Unix seconds: the store may forget it
    /// then.
    pub expires_at: u64,
}

/// Identifies one job, so its answer finds the request waiting for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// Work for the location store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationJob {
    /// Apply a REGISTER's changes, then answer with the AoR's bindings.
    Register {
        /// The address of record, normalised (`sip:alice@example.com`).
        aor: String,
        /// In order.
        changes: Vec<BindingChange>,
        /// Checked before anything changes.
        nonce: Option<NonceUse>,
        /// The time now, in Unix seconds: bindings that expired by then are gone.
        now: u64,
    },
    /// Answer with the AoR's bindings (the proxy routing a request).
    Lookup {
        /// The address of record, normalised.
        aor: String,
        /// Checked first, as for `Register`.
        nonce: Option<NonceUse>,
        /// The time now, in Unix seconds.
        now: u64,
    },
}

/// The driver's answer to a [`LocationJob`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationAnswer {
    /// The AoR's bindings that have not expired, after the job's changes.
    Bindings(Vec<Binding>),
    /// The nonce count was not above the last one seen: a replay; nothing changed.
    Replayed,
    /// The store could not be reached or failed; nothing is known to have changed.
    Failed(String),
}
