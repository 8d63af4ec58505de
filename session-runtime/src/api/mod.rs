//! The public API: calls, and the peer that places and answers them.

mod audio;
mod call;
mod call_controller;
mod coordinator;
mod events;
mod registration;
mod server;
mod simple;
mod stats;
mod trace;
mod transfer;

pub use crate::registrations::RegistrationStatus;
pub use audio::AudioStream;
pub use call::{Call, CallEvents};
pub use call_controller::CallController;
pub use coordinator::{PeerConfig, PeerError, PeerServices, UnifiedCoordinator};
pub use events::{CallError, CallEvent, EndReason, check_dtmf, check_target, target_host_port};
pub use registration::{RegisterError, Registration};
pub use server::{Server, ServerBuilder};
pub use session_proto::auth::Credentials;
pub use session_proto::{IncomingMessage, IpVersionMismatch, Stats};
pub use session_proto::{RegisterSpec, RegistrationError, RegistrationId, RegistrationState};
pub use simple::{PeerBuilder, SimplePeer};
pub use stats::PeerStats;
pub use trace::{REDACTED, SipMessageTrace, SipTrace, TraceDirection};
