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

/// What a call recording captures, carried by [`crate::machine::Event::StartRecording`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RecordMode {
    /// The peer's audio as we play it out.
    #[default]
    Received,
    /// Our audio as we send it (silence while muted or not sending).
    Sent,
    /// Both directions mixed into one track.
    Mixed,
}

impl fmt::Display for RecordMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordMode::Received => "received",
            RecordMode::Sent => "sent",
            RecordMode::Mixed => "mixed",
        })
    }
}

/// How a call sends DTMF digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DtmfMode {
    /// RFC 4733 telephone-events in the RTP stream, or SIP INFO when the peer's SDP
    /// has no telephone-event.
    #[default]
    Rfc4733,
    /// SIP INFO (`application/dtmf-relay`) always; our offers leave telephone-event out.
    /// Digits the peer sends either way are still received.
    Info,
}

/// Identifies one session (one call) within a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session-{}", self.0)
    }
}

/// Our side of a dialog: its Call-ID and our tag. For a user agent that does not fork
/// requests these two identify the dialog from the first request on, before the peer's
/// tag is known.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    /// The Call-ID header value.
    pub call_id: String,
    /// Our tag: the From tag of requests we send, the To tag of our responses.
    pub local_tag: String,
}

impl DialogId {
    /// A dialog id from its parts.
    pub fn new(call_id: impl Into<String>, local_tag: impl Into<String>) -> Self {
        Self { call_id: call_id.into(), local_tag: local_tag.into() }
    }
}

impl fmt::Display for DialogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};tag={}", self.call_id, self.local_tag)
    }
}

/// Identifies a call's media session (its RTP socket and codec state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaSessionId(pub u64);

impl fmt::Display for MediaSessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "media-{}", self.0)
    }
}

/// Who placed the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallDirection {
    /// We called (we are the UAC of the INVITE).
    Outgoing,
    /// They called (we are the UAS).
    Incoming,
}
