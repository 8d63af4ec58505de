//! SIP over UDP, sans-IO: message checks and writing, RFC 3261 transactions, dialogs.
//!
//! rsipstack's `rsip` module parses messages. The transaction and dialog layers are our
//! own: a spike (docs/notes/rsipstack-spike.md) measured rsipstack's at 3.2× the CPU and
//! 5× the memory per call of SIPp's UAS, and it drops malformed requests before the
//! application could answer them 400, so those layers are plain state machines here.

pub mod body;
pub mod dialog;
pub mod forward;
mod grammar;
pub mod headers;
pub mod inbound;
pub mod peek;
pub(crate) mod redact;
pub mod trace;
pub mod transaction;
pub mod write;

/// The SIP extensions we implement, as the option tags of our `Supported` header
/// (RFC 3261 section 20.37): `replaces` (RFC 3891, taking over a call for an attended
/// transfer). A request that requires any other is refused 420 Bad Extension.
pub const SUPPORTED: &str = "replaces";
