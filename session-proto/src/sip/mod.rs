//! SIP over UDP, sans-IO: message checks and writing, RFC 3261 transactions, dialogs.
//!
//! rsipstack's `rsip` module parses messages. The transaction and dialog layers are our
//! own: a spike (docs/notes/rsipstack-spike.md) measured rsipstack's at 3.2× the CPU and
//! 5× the memory per call of SIPp's UAS, and it drops malformed requests before the
//! application could answer them 400, so those layers are plain state machines here.

pub mod dialog;
pub mod forward;
pub mod headers;
pub mod inbound;
pub(crate) mod redact;
pub mod trace;
pub mod transaction;
pub mod write;
