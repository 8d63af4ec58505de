//! Plain data types shared across the runtime.

use std::fmt;

/// Which timer fired, carried by [`crate::machine::Event::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// No final response to our request (RFC 3261 Timer B / F).
    NoResponse,
    /// No ACK for our 2xx (RFC 3261 Timer H).
    NoAck,
    /// Nobody answered in time (the application's ring timeout, or Timer C).
    NoAnswer,
    /// The peer's media stopped arriving.
    MediaInactive,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::NoResponse => "no response",
            Timer::NoAck => "no ACK",
            Timer::NoAnswer => "no answer",
            Timer::MediaInactive => "media inactive",
        })
    }
}

/// Identifies one session (one call) within a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session-{}", self.0)
    }
}
