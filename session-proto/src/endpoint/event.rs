//! What the endpoint hands back besides datagrams: events for the application and work
//! for the driver, in the order they happened; and why a command was refused.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::location::{JobId, LocationJob};
use crate::machine::State;
use crate::media::MediaCommand;
use crate::registration::{RegistrationError, RegistrationId, RegistrationState};
use crate::sip::write::reason_phrase;
use crate::types::{CallDirection, SessionId};

/// One thing that happened, from [`super::Endpoint::poll_event`].
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A call exists: one we dialled, or an INVITE that arrived. Always the call's
    /// first event.
    CallCreated {
        /// The call.
        call: SessionId,
        /// Who placed it.
        direction: CallDirection,
        /// The peer's URI.
        remote_uri: String,
    },
    /// An incoming call rings (180 sent): accept or reject it with a command.
    IncomingCall {
        /// The call.
        call: SessionId,
    },
    /// A call entered a new state.
    CallState {
        /// The call.
        call: SessionId,
        /// Its new state.
        state: State,
        /// When (the `now` of the input that moved it).
        at: Instant,
    },
    /// A call ended; nothing of it is left in the endpoint.
    CallEnded {
        /// The call.
        call: SessionId,
        /// Why.
        reason: EndReason,
        /// When.
        at: Instant,
    },
    /// A provisional response to the INVITE of a call we placed: 100 Trying (a hop took
    /// the request), 180 Ringing, 183 Session Progress, … Each one that arrives, before
    /// the [`Event::CallState`] it may cause.
    CallProgress {
        /// The call.
        call: SessionId,
        /// Its status code (100 to 199).
        code: u16,
    },
    /// The INVITE of a call we placed has had no response at all yet (not even 100
    /// Trying), so it was sent again (RFC 3261 Timer A). Once per call, at the first
    /// retransmission; it goes on being retransmitted until a response or Timer B.
    NoResponseYet {
        /// The call.
        call: SessionId,
        /// How long since the INVITE was first sent (T1).
        waited: Duration,
    },
    /// The peer put the call on hold (its re-INVITE offers `sendonly` or `inactive`
    /// media, or the `c=0.0.0.0` of RFC 2543), or took it off hold again.
    HeldByPeer {
        /// The call.
        call: SessionId,
        /// True when it was put on hold, false when resumed.
        held: bool,
    },
    /// The peer sent a DTMF digit (RFC 4733 or SIP INFO).
    Dtmf {
        /// The call.
        call: SessionId,
        /// `0-9`, `*`, `#` or `A-D`.
        digit: char,
    },
    /// The peer asked us to call `target` (we are being transferred): the REFER was
    /// accepted and the new call placed; its progress goes to the peer by NOTIFY.
    TransferRequested {
        /// The call the REFER came in.
        call: SessionId,
        /// Whom to call (the Refer-To URI).
        target: String,
        /// The call placed to `target`, which a [`Event::CallCreated`] announced; `None`
        /// when the target cannot be called (the NOTIFY tells the peer so).
        new_call: Option<SessionId>,
    },
    /// The transfer we asked for reached this status.
    TransferProgress {
        /// The call.
        call: SessionId,
        /// The new call's status, from the NOTIFY.
        code: u16,
    },
    /// A MESSAGE arrived (RFC 3428) and was answered 200.
    Message(IncomingMessage),
    /// For the driver: open the call's RTP and RTCP sockets and start its media engine,
    /// then answer with [`super::Endpoint::handle_media_opened`].
    OpenMedia {
        /// The call.
        call: SessionId,
    },
    /// For the driver: pass this to the call's media engine.
    Media {
        /// The call.
        call: SessionId,
        /// What to do.
        command: MediaCommand,
    },
    /// A registration entered a new state: `Registered` after each accepted REGISTER,
    /// `Unregistered` or `Failed` at its end (nothing of it is left then).
    Registration {
        /// The registration.
        id: RegistrationId,
        /// Its new state.
        state: RegistrationState,
        /// The expiry the registrar granted, in seconds, while the binding holds.
        expires: Option<u32>,
        /// Why it failed, in `Failed`.
        error: Option<RegistrationError>,
    },
    /// For the driver: look up the registrar's `host`, then answer with
    /// [`super::Endpoint::handle_registrar_resolved`].
    ResolveRegistrar {
        /// The registration waiting for the address.
        registration: RegistrationId,
        /// The host name.
        host: String,
        /// The port to use with it.
        port: u16,
    },
    /// For the driver: look up `host`, then answer with
    /// [`super::Endpoint::handle_resolved`].
    Resolve {
        /// The call waiting for the address.
        call: SessionId,
        /// The host name.
        host: String,
        /// The port to use with it.
        port: u16,
    },
    /// For the driver: run `work` on the location store, then answer with
    /// [`super::Endpoint::handle_location`] and the same `job` (a registrar and proxy
    /// endpoint only).
    Location {
        /// Identifies the answer.
        job: JobId,
        /// What to do.
        work: LocationJob,
    },
}

/// A MESSAGE request's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingMessage {
    /// The sender's URI (From).
    pub from: String,
    /// The addressee's URI (To).
    pub to: String,
    /// The text.
    pub text: String,
    /// Where the request came from.
    pub source: SocketAddr,
}

/// Why a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up (BYE, CANCEL, or 603 while ringing).
    LocalHangup,
    /// The peer hung up (BYE, or CANCEL before we answered).
    RemoteHangup,
    /// The peer refused our call with this status (486 Busy Here, 603 Decline, …).
    Rejected(u16),
    /// We refused the incoming call with this status.
    RejectedLocally(u16),
    /// No response, no ACK or no answer in time.
    Timeout,
    /// The offer could not be answered (488), or the peer's SDP was unusable.
    MediaNegotiation(String),
    /// The call's RTP sockets could not be opened.
    MediaFailed(String),
    /// A request could not be delivered, or the target's address not found.
    TransportError(String),
    /// The peer cannot be reached: the network said so (an ICMP port, host or network
    /// unreachable for its address), so no response can come. The text names the
    /// address and the ICMP error.
    Unreachable(String),
    /// We transferred the peer elsewhere and the transfer succeeded, so we hung up.
    Transferred,
}

impl EndReason {
    /// True for the endings of a call that was answered and then hung up by either side
    /// (or handed on by a transfer).
    pub fn is_normal(&self) -> bool {
        matches!(self, EndReason::LocalHangup | EndReason::RemoteHangup | EndReason::Transferred)
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndReason::LocalHangup => f.write_str("we hung up"),
            EndReason::RemoteHangup => f.write_str("the peer hung up"),
            EndReason::Rejected(code) => {
                write!(f, "the peer rejected the call with {code} {}", reason_phrase(*code))
            }
            EndReason::RejectedLocally(code) => write!(f, "we rejected the call with {code}"),
            EndReason::Timeout => f.write_str("timed out waiting for the peer"),
            EndReason::MediaNegotiation(why) => write!(f, "media negotiation failed: {why}"),
            EndReason::MediaFailed(why) => write!(f, "media could not start: {why}"),
            EndReason::TransportError(why) => write!(f, "transport error: {why}"),
            EndReason::Unreachable(why) => f.write_str(why),
            EndReason::Transferred => f.write_str("the peer was transferred"),
        }
    }
}

/// Why the endpoint refused a command; nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The call's state does not allow this (hold while ringing, say).
    #[error("cannot {action} while the call is {state}")]
    InvalidState {
        /// What was asked.
        action: String,
        /// The call's state.
        state: State,
    },
    /// No call has this id: it never existed, or it has ended.
    #[error("{0} does not exist; it may have ended already")]
    NoSuchCall(SessionId),
    /// The target is not a SIP URI we can call.
    #[error("invalid target `{target}`: {why}; use sip:user@IP:PORT, e.g. sip:bob@127.0.0.1:5060")]
    InvalidTarget {
        /// What was given.
        target: String,
        /// What is wrong with it.
        why: String,
    },
    /// The target's (or the registrar's) IP address is of the other version than the
    /// address this peer is bound to.
    #[error(transparent)]
    IpVersion(#[from] crate::call::IpVersionMismatch),
    /// What to register cannot be registered (a registrar that is not a SIP URI, say).
    #[error("cannot register: {why}")]
    InvalidRegistration {
        /// What is wrong, and what to give instead.
        why: String,
    },
    /// No registration has this id: it never existed, or it has ended.
    #[error("{0} does not exist; it may have ended already")]
    NoSuchRegistration(RegistrationId),
    /// The registration's state does not allow this.
    #[error("cannot {action} while the registration is {state}")]
    InvalidRegistrationState {
        /// What was asked.
        action: String,
        /// The registration's state.
        state: RegistrationState,
    },
    /// The event is not one the application may send (a request or a response).
    #[error("`{0}` is not a command; only command events can be sent to a call")]
    NotACommand(String),
}

/// What an endpoint holds, for tests and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Calls not yet ended.
    pub calls: usize,
    /// Subscriptions not yet ended (the REFERs we accepted).
    pub subscriptions: usize,
    /// Live transactions, client and server.
    pub transactions: usize,
    /// Dialogs routed to a usage.
    pub dialogs: usize,
    /// Entries in the deadline queue (some may be stale).
    pub deadlines: usize,
    /// New calls refused with 503 so far, past the [`crate::OverloadLimits`] or while the
    /// driver was behind.
    pub refused_overload: u64,
    /// Registrations not yet ended.
    pub registrations: usize,
    /// What the registrar and proxy hold (0 without them): requests waiting for the
    /// location store, answers held back, and the contexts and branches of requests
    /// being forwarded.
    pub server: usize,
}
