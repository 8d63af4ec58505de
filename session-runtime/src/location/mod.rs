//! Location stores: where the registrar keeps bindings and where every node checks
//! digest nonce counts.
//!
//! The endpoint asks for location work as a [`LocationJob`] and goes on when the driver
//! hands it the [`LocationAnswer`]. A [`LocationStore`] runs that job: [`MemoryStore`]
//! for one process (the default), [`RedisStore`] for several nodes sharing one Redis.
//!
//! # The trait's shape
//!
//! [`LocationStore::run`] returns a boxed future ([`LocationFuture`]) rather than being
//! an `async fn`, so that the driver can hold any store as an `Arc<dyn LocationStore>`
//! chosen at run time (memory or Redis, from the command line) without making the
//! driver and the whole API generic over it. The future owns what it needs (`'static`),
//! so the driver can spawn it. A store that can answer at once (the memory store) does
//! its work inside `run` and returns a future that is already ready; the driver polls
//! each future once ([`run_now`]) and answers inline when it is ready, so the memory
//! store costs no task and no channel.
//!
//! # The contract both stores keep
//!
//! - A job's nonce use is checked first: its `nc` must be above every `nc` seen for that
//!   nonce, or the answer is [`LocationAnswer::Replayed`] and nothing changes. The store
//!   may forget a nonce at its `expires_at`.
//! - `Register` then applies its changes in order; both jobs then drop the bindings that
//!   expired by `now` (`expires_at <= now`) and answer with the rest, sorted by contact.
//! - A job is atomic: two nodes running jobs on the same AoR or nonce at once see each
//!   other's whole job or none of it.
//! - A store that fails answers [`LocationAnswer::Failed`] with what failed; it never
//!   panics.
//!
//! ```
//! use session_core::location::{LocationStore, MemoryStore, run_now};
//! use session_proto::location::{Binding, BindingChange, LocationAnswer, LocationJob};
//!
//! let store = MemoryStore::new();
//! let binding = Binding {
//!     contact: "sip:alice@192.0.2.4:5062".into(),
//!     source: "192.0.2.4:5062".parse().unwrap(),
//!     expires_at: 1_000_600,
//!     call_id: "a84b4c76e66710".into(),
//!     cseq: 1,
//! };
//! let job = LocationJob::Register {
//!     aor: "sip:alice@example.com".into(),
//!     changes: vec![BindingChange::Upsert(binding.clone())],
//!     nonce: None,
//!     now: 1_000_000,
//! };
//! let answer = run_now(store.run(job)).ok().expect("the memory store answers at once");
//! assert_eq!(answer, LocationAnswer::Bindings(vec![binding]));
//! ```

mod memory;
mod redis;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

pub use self::memory::MemoryStore;
pub use self::redis::{RedisError, RedisStore};
pub use session_proto::location::{Binding, BindingChange, JobId, LocationAnswer, LocationJob, NonceUse};

/// What [`LocationStore::run`] returns: the job's answer, to come.
pub type LocationFuture = Pin<Box<dyn Future<Output = LocationAnswer> + Send + 'static>>;

/// Runs location jobs: keeps bindings of addresses of record and digest nonce counts.
///
/// Object safe: the driver holds one as an `Arc<dyn LocationStore>`. See the
/// [module documentation](self) for the contract. `Debug` so that a peer's settings
/// can show which store they hold (a store's `Debug` shows no secret, e.g. no password
/// of a Redis URL).
pub trait LocationStore: Send + Sync + std::fmt::Debug + 'static {
    /// Runs `job`. The future owns what it needs, so it may be spawned; a store that
    /// can answer at once returns one that is already ready.
    fn run(&self, job: LocationJob) -> LocationFuture;
}

/// Polls `future` once, without a task: its answer if it is ready, else the future, to
/// be spawned (or awaited).
///
/// # Errors
///
/// The future, when it is not ready yet.
pub fn run_now(mut future: LocationFuture) -> Result<LocationAnswer, LocationFuture> {
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(answer) => Ok(answer),
        Poll::Pending => Err(future),
    }
}

/// The AoR and the time of a job, and its nonce use.
fn parts(job: &LocationJob) -> (&str, Option<&NonceUse>, u64) {
    match job {
        LocationJob::Register { aor, nonce, now, .. } | LocationJob::Lookup { aor, nonce, now } => {
            (aor, nonce.as_ref(), *now)
        }
    }
}

/// The changes of a job (none for a lookup).
fn changes(job: &LocationJob) -> &[BindingChange] {
    match job {
        LocationJob::Register { changes, .. } => changes,
        LocationJob::Lookup { .. } => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_future_that_is_not_ready_is_handed_back_whole() {
        let (send, receive) = tokio::sync::oneshot::channel::<()>();
        let future: LocationFuture = Box::pin(async move {
            let _ = receive.await;
            LocationAnswer::Bindings(Vec::new())
        });
        let Err(future) = run_now(future) else { panic!("the future waits for the channel") };
        send.send(()).unwrap();
        assert_eq!(future.await, LocationAnswer::Bindings(Vec::new()));
    }
}
