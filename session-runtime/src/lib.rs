//! The SIP session runtime: the tokio layer over the sans-IO protocol core.
//!
//! The protocol (messages, transactions, dialogs, the call machine compiled from
//! `state_table.yaml`) is `session_proto`'s `Endpoint`. This crate runs one
//! driver task per endpoint (its socket, timers, RTP sockets, media engines and name
//! lookups) and offers the public API: [`SimplePeer`], [`Call`] and their parts, and
//! conferences of calls ([`ConferenceManager`]).
//!
//! Applications use this crate through the facade, `session-core`, whose root
//! re-exports what they touch (and whose crate docs start with placing and answering a
//! call); the examples here use its paths, `session_core::…`. This crate's own modules
//! (`api`, `types`, `conference`, the protocol's `machine`, ...) are its layout, kept
//! public for the facade and for tests.

#![warn(missing_docs)]

pub mod api;
pub mod conference;
pub(crate) mod driver;
pub mod location;
pub(crate) mod media;
pub(crate) mod registrations;
pub(crate) mod shared;

pub use session_proto::{
    BadDisplayName, OverloadLimits, auth, check_display_name, interceptor, machine, server, types,
};

pub use api::{
    AudioStream, Call, CallError, CallEvent, CallEvents, Credentials, EndReason, IncomingMessage,
    PeerBuilder, PeerError, PeerStats, RegisterError, RegisterSpec, Registration, RegistrationError,
    RegistrationId, RegistrationState, RegistrationStatus, Server, ServerBuilder, SimplePeer, check_dtmf,
    check_target, target_host_port,
};
pub use api::{IpVersionMismatch, SipMessageTrace, TraceDirection};
pub use conference::{ConferenceError, ConferenceId, ConferenceManager};
pub use machine::State;
pub use media::MediaInfo;
pub use session_media::rtcp_report::RtcpStats;
pub use session_media::{AudioFrame, Codec, MediaDirection, RtpStats};
pub use types::{CallDirection, DtmfMode, RecordMode, SessionId};
