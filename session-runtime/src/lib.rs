//! The SIP session runtime.
//!
//! Call behaviour lives in `state_table.yaml`; [`machine`] is that table compiled into
//! Rust. The runtime implements the table's actions ([`session`]) and feeds each call's
//! events through the machine ([`api::SessionManager`]).

#![warn(missing_docs)]

pub mod api;
pub mod media;
pub mod registry;
pub mod ua;

pub use session_proto::{interceptor, machine, session, sip, types};

pub use api::{AudioStream, Call, CallError, CallEvent, CallEvents, EndReason, SimplePeer};
pub use machine::State;
pub use media::MediaInfo;
pub use session_media::{AudioFrame, Codec, MediaDirection, RtpStats};
pub use types::{DtmfMode, RecordMode};
