//! A registration with a registrar, as the application holds it.

use std::sync::Arc;

use session_proto::{CommandError, RegistrationError, RegistrationId, RegistrationState};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::driver::command::Command;
use crate::registrations::{RegistrationShared, RegistrationStatus};

/// Why a registration could not be made, or withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// What was given cannot be registered (a registrar that is not a SIP URI, say);
    /// nothing was sent.
    #[error("{0}")]
    Invalid(String),
    /// The registrar refused, or could not be reached.
    #[error(transparent)]
    Failed(#[from] RegistrationError),
    /// The peer has stopped (its driver task is gone).
    #[error("the peer has shut down")]
    Shutdown,
}

impl From<CommandError> for RegisterError {
    fn from(error: CommandError) -> Self {
        RegisterError::Invalid(error.to_string())
    }
}

/// A registration the registrar accepted: kept refreshed until [`Registration::unregister`]
/// or the peer's shutdown.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let peer = session_core::SimplePeer::new("127.0.0.1:0").await?;
/// let registration = peer.register("sip:127.0.0.1:5070", "alice", "secret").await?;
/// println!("registered for {:?} s", registration.expires());
/// registration.unregister().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Registration {
    shared: Arc<RegistrationShared>,
    commands: mpsc::UnboundedSender<Command>,
    changes: Mutex<Option<mpsc::UnboundedReceiver<RegistrationStatus>>>,
}

impl Registration {
    pub(crate) fn new(shared: Arc<RegistrationShared>, commands: mpsc::UnboundedSender<Command>) -> Self {
        let changes = Mutex::new(shared.take_changes());
        Self { shared, commands, changes }
    }

    /// Its id within the peer.
    pub fn id(&self) -> RegistrationId {
        self.shared.id
    }

    /// Its state now.
    pub fn state(&self) -> RegistrationState {
        self.shared.status.borrow().state
    }

    /// The expiry the registrar granted last, in seconds, while the binding holds.
    pub fn expires(&self) -> Option<u32> {
        self.shared.status.borrow().expires
    }

    /// Its whole status now: state, expiry, error.
    pub fn status(&self) -> RegistrationStatus {
        self.shared.status.borrow().clone()
    }

    /// The next change of state (each refresh is `Refreshing` then `Registered`), in
    /// order, from the first one this handle has not returned yet; `None` after the
    /// last one (`Unregistered` or `Failed`).
    pub async fn next_change(&self) -> Option<RegistrationStatus> {
        self.changes.lock().await.as_mut()?.recv().await
    }

    /// Waits until the registration is past `Idle` and `Registering`: `Registered`, or
    /// ended.
    /// `None` when the peer stops first.
    pub(crate) async fn settled(&self) -> Option<RegistrationStatus> {
        self.wait_until(|s| !matches!(s.state, RegistrationState::Idle | RegistrationState::Registering))
            .await
    }

    /// The first status that passes `done`; `None` when the peer stops first.
    async fn wait_until(&self, done: impl FnMut(&RegistrationStatus) -> bool) -> Option<RegistrationStatus> {
        let mut status = self.shared.status.subscribe();
        tokio::select! {
            reached = status.wait_for(done) => reached.ok().map(|s| s.clone()),
            () = self.commands.closed() => None,
        }
    }

    /// Withdraws the binding (REGISTER with Expires: 0) and waits until the registrar
    /// has removed it. Ok at once when the registration has ended already.
    pub async fn unregister(&self) -> Result<(), RegisterError> {
        let (reply, done) = oneshot::channel();
        let id = self.shared.id;
        if self.commands.send(Command::Unregister { id, reply }).is_err() {
            return Err(RegisterError::Shutdown);
        }
        match done.await {
            Err(_) => return Err(RegisterError::Shutdown),
            Ok(Err(CommandError::NoSuchRegistration(_))) => return self.outcome(self.status()),
            Ok(Err(error)) => return Err(error.into()),
            Ok(Ok(())) => {}
        }
        let ended = self.wait_until(RegistrationStatus::is_over).await;
        self.outcome(ended.ok_or(RegisterError::Shutdown)?)
    }

    fn outcome(&self, status: RegistrationStatus) -> Result<(), RegisterError> {
        match status.error {
            Some(error) => Err(RegisterError::Failed(error)),
            None => Ok(()),
        }
    }
}
