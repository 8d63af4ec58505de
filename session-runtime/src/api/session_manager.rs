//! `SessionManager`: the sessions of a process, each fed events through the generated
//! state machine, with lifecycle notifications for whoever listens.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use tokio::sync::{Mutex, broadcast};

use crate::machine::executor::{self, Step, StepError};
use crate::machine::{Event, EventKind, State};
use crate::session::{Output, SessionCore};
use crate::types::SessionId;

/// A session moved from one state to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    /// Which session.
    pub session: SessionId,
    /// The state it left.
    pub from: State,
    /// The state it entered.
    pub to: State,
    /// The event that moved it.
    pub event: EventKind,
}

/// What processing one event did.
#[derive(Debug, PartialEq, Eq)]
pub struct Processed {
    /// The step the machine took.
    pub step: Step,
    /// The session's state afterwards.
    pub state: State,
    /// What the actions ask the adapters to do, in order.
    pub outputs: Vec<Output>,
}

/// Why an event was not processed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No session has this id (it never existed or has ended and been removed).
    #[error("{0} does not exist; it may have ended already")]
    NotFound(SessionId),
    /// The machine refused the event.
    #[error(transparent)]
    Step(#[from] StepError<std::convert::Infallible>),
}

struct Slot {
    state: State,
    core: SessionCore,
}

/// The sessions of a process.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use session_runtime::api::SessionManager;
/// use session_runtime::machine::{Event, State};
///
/// let manager = SessionManager::new();
/// let id = manager.create_session();
/// let done = manager
///     .process_event(id, Event::Dial { target: "sip:bob@127.0.0.1".into() })
///     .await?;
/// assert_eq!(done.state, State::Initiating);
/// # Ok::<_, session_runtime::api::SessionError>(())
/// # }).unwrap();
/// ```
pub struct SessionManager {
    sessions: DashMap<SessionId, Arc<Mutex<Slot>>>,
    next_id: AtomicU64,
    lifecycle: broadcast::Sender<Lifecycle>,
}

impl Default for SessionManager {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionManager {
    /// An empty manager.
    pub fn new() -> Self {
        Self { sessions: DashMap::new(), next_id: AtomicU64::new(1), lifecycle: broadcast::channel(256).0 }
    }

    /// Creates a session in the initial state.
    pub fn create_session(&self) -> SessionId {
        let id = SessionId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let slot = Slot { state: State::INITIAL, core: SessionCore::new() };
        self.sessions.insert(id, Arc::new(Mutex::new(slot)));
        id
    }

    /// The session's current state.
    pub async fn state(&self, id: SessionId) -> Option<State> {
        let slot = self.sessions.get(&id).map(|s| Arc::clone(s.value()))?;
        let state = slot.lock().await.state;
        Some(state)
    }

    /// Number of sessions held.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Lifecycle notifications for every session.
    pub fn subscribe(&self) -> broadcast::Receiver<Lifecycle> {
        self.lifecycle.subscribe()
    }

    /// Feeds one event to a session: the generated `transition` picks the arm, its
    /// actions run in order, and the session enters the new state. Events for one session
    /// are processed one at a time; different sessions proceed in parallel.
    pub async fn process_event(&self, id: SessionId, event: Event) -> Result<Processed, SessionError> {
        let slot = self.sessions.get(&id).map(|s| Arc::clone(s.value())).ok_or(SessionError::NotFound(id))?;
        let mut slot = slot.lock().await;
        let from = slot.state;
        let step = executor::step(from, &event, &mut slot.core).await?;
        if let Step::Moved(t) = step {
            slot.state = t.to;
            if t.to != from {
                tracing::debug!(%id, %from, to = %t.to, event = %event, line = t.line, "transition");
                // Nobody listening is fine.
                let _ = self.lifecycle.send(Lifecycle { session: id, from, to: t.to, event: event.kind() });
            }
        }
        let outputs = std::iter::from_fn(|| slot.core.poll_output()).collect();
        Ok(Processed { step, state: slot.state, outputs })
    }

    /// Removes a session; returns whether it existed.
    pub fn terminate_session(&self, id: SessionId) -> bool {
        self.sessions.remove(&id).is_some()
    }
}
