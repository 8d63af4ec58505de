//! The whole SIP protocol without I/O: messages, transactions, dialogs and the compiled
//! call machine.
//!
//! Nothing here owns a socket, spawns a task or reads a clock: time is always an
//! argument, randomness is seeded by the caller, and everything that needs the outside
//! world is an output that the driver in `session-runtime` carries out.

#![warn(missing_docs)]

pub mod interceptor;
pub mod machine;
pub mod session;
pub mod sip;
pub mod types;
