//! The whole SIP protocol without I/O: messages, transactions, dialogs, the
//! [`Endpoint`] and its usages, and the compiled call machine.
//!
//! Nothing here owns a socket, spawns a task or reads a clock: time is always an
//! argument, randomness is seeded by the caller, and everything that needs the outside
//! world (RTP sockets, media engines, name lookups) is an [`Event`] that the driver in
//! `session-runtime` carries out and answers with an input.

#![warn(missing_docs)]

pub mod auth;
pub(crate) mod call;
pub mod deadlines;
pub mod endpoint;
pub mod interceptor;
pub mod location;
pub mod machine;
pub mod media;
pub mod registration;
pub mod server;
pub mod sip;
pub mod subscription;
pub mod types;

pub use call::{IpVersionMismatch, check_target, target_host_port};
pub use endpoint::{
    BadDisplayName, CommandError, EndReason, Endpoint, EndpointConfig, Event, IncomingMessage,
    OverloadLimits, Stats, Unreachable, check_display_name,
};
pub use registration::{RegisterSpec, RegistrationError, RegistrationId, RegistrationState};
