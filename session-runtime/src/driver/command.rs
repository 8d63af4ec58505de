//! What the API, the media engines and the name lookups ask of the driver task.

use std::net::SocketAddr;

use session_proto::Stats;
use tokio::sync::oneshot;

use crate::api::{Call, CallError};
use crate::machine::Event;
use crate::types::SessionId;

/// A request to the driver task.
#[derive(Debug)]
pub enum Command {
    /// Place a call.
    Dial {
        /// The callee's SIP URI.
        target: String,
        /// Where to send the new call's handle.
        reply: oneshot::Sender<Result<Call, CallError>>,
    },
    /// Feed a command event (accept, hangup, hold, …) to a call.
    Event {
        /// The call.
        session: SessionId,
        /// The event.
        event: Event,
        /// Whether the table allowed it.
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    /// A call's media engine received a DTMF digit.
    Dtmf {
        /// The call.
        session: SessionId,
        /// The digit.
        digit: char,
    },
    /// A name lookup the endpoint asked for finished.
    Resolved {
        /// The call waiting for it.
        session: SessionId,
        /// The address, or why there is none.
        result: Result<SocketAddr, String>,
    },
    /// Report what the endpoint holds.
    Stats(oneshot::Sender<Stats>),
    /// Stop the driver.
    Shutdown,
}
