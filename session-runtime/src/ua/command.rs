//! What the API asks of the user agent's driver task.

use tokio::sync::oneshot;

use crate::api::{Call, CallError};
use crate::machine::Event;
use crate::types::SessionId;

/// A request from the API to the user agent.
#[derive(Debug)]
pub enum Command {
    /// Place a call.
    Dial {
        /// The callee's SIP URI.
        target: String,
        /// Where to send the new call's handle.
        reply: oneshot::Sender<Result<Call, CallError>>,
    },
    /// Feed a command event (accept, hangup, hold, …) to a session.
    Event {
        /// The session.
        session: SessionId,
        /// The event.
        event: Event,
        /// Whether the table allowed it.
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    /// An event from a call's media engine (a DTMF digit), fed to the session.
    Media {
        /// The session.
        session: SessionId,
        /// The event.
        event: Event,
    },
    /// Stop the driver.
    Shutdown,
}
