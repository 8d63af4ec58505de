//! What a call reports to the application: events while it lives, a reason when it ends.

use session_proto::{CommandError, IpVersionMismatch};

use crate::machine::State;

pub use session_proto::EndReason;

pub use crate::shared::CallEvent;

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
    /// The target's IP address is of the other version than the address this peer is
    /// bound to (IPv6 from an IPv4 socket, or the reverse); nothing was sent. The
    /// message says what to bind instead.
    #[error(transparent)]
    IpVersion(#[from] IpVersionMismatch),
    /// An audio request could not be carried out (a WAV file that cannot be read, a
    /// tone outside the band); the message says what and how to fix it.
    #[error("{0}")]
    Audio(String),
    /// DTMF digits that cannot be sent: an empty string, or one with a character that is
    /// not a DTMF digit (`digit`, the first such). Nothing was sent.
    #[error("cannot send DTMF {digits:?}: {}; use 0-9, *, # and A-D (a-d too)", dtmf_problem(.digit))]
    InvalidDtmf {
        /// What was given.
        digits: String,
        /// The first character that is not a DTMF digit; `None` when `digits` is empty.
        digit: Option<char>,
    },
    /// The event is not one the application may send to a call.
    #[error("`{0}` is not a command; only command events can be sent to a call")]
    NotACommand(String),
    /// The peer has stopped (its driver task is gone).
    #[error("the peer has shut down")]
    Shutdown,
}

/// What is wrong with a DTMF string, for [`CallError::InvalidDtmf`].
fn dtmf_problem(digit: &Option<char>) -> String {
    match digit {
        Some(digit) => format!("{digit:?} is not a DTMF digit"),
        None => "there are no digits".to_owned(),
    }
}

/// Checks that every character of `digits` is a DTMF digit (`0-9`, `*`, `#`, `A-D`,
/// lower-case `a-d` too) and that there is at least one: what
/// [`Call::send_dtmf`](crate::Call::send_dtmf) checks first, for an application that
/// takes digits from its user.
///
/// ```
/// assert!(session_core::check_dtmf("123#").is_ok());
/// let error = session_core::check_dtmf("12X").unwrap_err();
/// assert!(error.to_string().contains("'X' is not a DTMF digit"), "{error}");
/// ```
pub fn check_dtmf(digits: &str) -> Result<(), CallError> {
    let invalid = |digit| CallError::InvalidDtmf { digits: digits.to_owned(), digit };
    if digits.is_empty() {
        return Err(invalid(None));
    }
    match digits.chars().find(|&c| session_media::dtmf::digit_to_event(c).is_err()) {
        Some(bad) => Err(invalid(Some(bad))),
        None => Ok(()),
    }
}

/// Checks that `uri` is a SIP URI a call can be placed to, or a peer transferred to,
/// before anything is sent: what [`SimplePeer::call`](crate::SimplePeer::call) and
/// [`Call::transfer`](crate::Call::transfer) check first, for an application that takes
/// targets from its user and wants to refuse a bad one early.
///
/// ```
/// let error = session_core::check_target("sip:bob@127.0.0.1:99999").unwrap_err();
/// assert!(error.to_string().contains("99999"), "{error}");
/// ```
pub fn check_target(uri: &str) -> Result<(), CallError> {
    session_proto::check_target(uri).map_err(CallError::from)
}

impl From<CommandError> for CallError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::InvalidState { action, state } => CallError::InvalidState { action, state },
            // `Call` replaces this with how the call really ended.
            CommandError::NoSuchCall(_) => CallError::Ended(EndReason::LocalHangup),
            CommandError::InvalidTarget { target, why } => CallError::InvalidTarget { target, why },
            CommandError::IpVersion(mismatch) => CallError::IpVersion(mismatch),
            CommandError::NotACommand(event) => CallError::NotACommand(event),
            // A registration's errors; no call command returns them.
            error @ (CommandError::InvalidRegistration { .. }
            | CommandError::NoSuchRegistration(_)
            | CommandError::InvalidRegistrationState { .. }) => CallError::NotACommand(error.to_string()),
        }
    }
}

/// The host and port `uri` points to (5060 when it names none), checked as
/// [`check_target`] checks it: for an application that looks up an outbound proxy or a
/// registrar it was given as a SIP URI.
///
/// ```
/// let (host, port) = session_core::target_host_port("sip:proxy.example.com").unwrap();
/// assert_eq!((host.as_str(), port), ("proxy.example.com", 5060));
/// ```
pub fn target_host_port(uri: &str) -> Result<(String, u16), CallError> {
    session_proto::target_host_port(uri).map_err(CallError::from)
}
