//! What the API, the media engines and the name lookups ask of the driver task.

use std::net::SocketAddr;
use std::sync::Arc;

use session_proto::location::{JobId, LocationAnswer};
use session_proto::{CommandError, RegisterSpec, RegistrationId, Stats};
use tokio::sync::oneshot;

use crate::machine::Event;
use crate::registrations::RegistrationShared;
use crate::shared::CallShared;
use crate::types::SessionId;

/// A request to the driver task.
#[derive(Debug)]
pub enum Command {
    /// Place a call.
    Dial {
        /// The callee's SIP URI.
        target: String,
        /// Where to send what the new call's handles share. Dropped unanswered when the
        /// driver stops.
        reply: oneshot::Sender<Result<Arc<CallShared>, CommandError>>,
    },
    /// Feed a command event (accept, hangup, hold, …) to a call.
    Event {
        /// The call.
        session: SessionId,
        /// The event.
        event: Event,
        /// Whether the table allowed it. Dropped unanswered when the driver stops.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Attended transfer: ask the peer of `session` to call the peer of `other` in its
    /// place (REFER with Replaces).
    TransferTo {
        /// The call whose peer is transferred.
        session: SessionId,
        /// The call it replaces.
        other: SessionId,
        /// Whether the REFER went out. Dropped unanswered when the driver stops.
        reply: oneshot::Sender<Result<(), CommandError>>,
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
    /// Register with a registrar.
    Register {
        /// What to register (it carries the credentials; Debug shows the user only).
        spec: RegisterSpec,
        /// Where to send what the registration's handle shares.
        reply: oneshot::Sender<Result<Arc<RegistrationShared>, CommandError>>,
    },
    /// Withdraw a registration.
    Unregister {
        /// The registration.
        id: RegistrationId,
        /// Whether the endpoint took it.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// Withdraw every registration, and answer once all have ended.
    UnregisterAll(oneshot::Sender<()>),
    /// The look-up of a registrar's name finished.
    RegistrarResolved {
        /// The registration waiting for it.
        id: RegistrationId,
        /// The address, or why there is none.
        result: Result<SocketAddr, String>,
    },
    /// A location job that the store did not answer at once finished.
    Located {
        /// The job.
        job: JobId,
        /// The store's answer.
        answer: LocationAnswer,
    },
    /// Report what the endpoint holds.
    Stats(oneshot::Sender<Stats>),
    /// Stop the driver.
    Shutdown,
}
