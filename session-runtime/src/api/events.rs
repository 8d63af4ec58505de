//! What a call reports to the application: events while it lives, a reason when it ends.

use std::fmt;

use crate::machine::State;

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
    /// The offer had no codec in common (488), or the peer's SDP was unusable.
    MediaNegotiation(String),
    /// A request could not be delivered.
    TransportError(String),
}

impl EndReason {
    /// True for the endings of a call that was answered and then hung up by either side.
    pub fn is_normal(&self) -> bool {
        matches!(self, EndReason::LocalHangup | EndReason::RemoteHangup)
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndReason::LocalHangup => f.write_str("we hung up"),
            EndReason::RemoteHangup => f.write_str("the peer hung up"),
            EndReason::Rejected(code) => write!(
                f,
                "the peer rejected the call with {code} {}",
                crate::sip::write::reason_phrase(*code)
            ),
            EndReason::RejectedLocally(code) => write!(f, "we rejected the call with {code}"),
            EndReason::Timeout => f.write_str("timed out waiting for the peer"),
            EndReason::MediaNegotiation(why) => write!(f, "media negotiation failed: {why}"),
            EndReason::TransportError(why) => write!(f, "transport error: {why}"),
        }
    }
}

/// Something that happened in a call.
#[derive(Clone, Debug, PartialEq)]
pub enum CallEvent {
    /// The call entered a new state.
    StateChanged(State),
    /// The peer sent a DTMF digit.
    Dtmf(char),
    /// The transfer we asked for reached this status.
    TransferProgress(u16),
    /// The peer asked us to call this target (we are being transferred).
    TransferRequested(String),
    /// The call ended.
    Ended(EndReason),
}

/// Why an API call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The call's state does not allow this (hold while ringing, say).
    #[error("cannot {action} while the call is {state}")]
    InvalidState {
        /// What was asked.
        action: String,
        /// The call's state.
        state: State,
    },
    /// The call has ended.
    #[error("the call has ended ({0})")]
    Ended(EndReason),
    /// The target is not a SIP URI we can call.
    #[error("invalid target `{target}`: {why}; use sip:user@IP:PORT, e.g. sip:bob@127.0.0.1:5060")]
    InvalidTarget {
        /// What was given.
        target: String,
        /// What is wrong with it.
        why: String,
    },
    /// An audio request could not be carried out (a WAV file that cannot be read, a
    /// tone outside the band); the message says what and how to fix it.
    #[error("{0}")]
    Audio(String),
    /// The peer has stopped (its driver task is gone).
    #[error("the peer has shut down")]
    Shutdown,
}
