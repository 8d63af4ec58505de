//! The SIP trace: every SIP datagram a peer sends or receives, as text, for an
//! application that shows or logs the signalling ([`PeerBuilder::sip_trace`]).
//!
//! [`PeerBuilder::sip_trace`]: crate::PeerBuilder::sip_trace

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

pub use session_proto::sip::trace::REDACTED;

/// Which way a traced datagram went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceDirection {
    /// We sent it.
    Sent,
    /// We received it.
    Received,
}

impl fmt::Display for TraceDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TraceDirection::Sent => "sent to",
            TraceDirection::Received => "received from",
        })
    }
}

/// One SIP datagram, sent or received, as the trace hook sees it.
///
/// `text` is the datagram as text (invalid UTF-8 replaced) with its credentials taken
/// out: the values of Authorization and Proxy-Authorization keep only their scheme and
/// user name, the rest replaced by [`REDACTED`]. Everything else is as it went on the
/// wire, bodies (SDP) included. Datagrams the endpoint refuses (not SIP, say) are traced
/// too: the trace shows what arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SipMessageTrace {
    /// Sent or received.
    pub direction: TraceDirection,
    /// Our SIP socket's address.
    pub local: SocketAddr,
    /// Where it went, or where it came from.
    pub peer: SocketAddr,
    /// When it was sent or received (wall-clock time, for a log line).
    pub at: SystemTime,
    /// The message, credentials redacted.
    pub text: String,
}

impl SipMessageTrace {
    /// The first line: `INVITE sip:bob@… SIP/2.0`, `SIP/2.0 180 Ringing`.
    pub fn first_line(&self) -> &str {
        self.text.lines().next().unwrap_or_default()
    }
}

/// `sent to 127.0.0.1:5060:` then the message.
impl fmt::Display for SipMessageTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}:\n{}", self.direction, self.peer, self.text)
    }
}

/// The application's trace hook, shared by the driver.
type Hook = dyn Fn(&SipMessageTrace) + Send + Sync;

/// A trace hook as a peer's settings hold it ([`PeerConfig::sip_trace`]).
///
/// [`PeerConfig::sip_trace`]: crate::api::PeerConfig::sip_trace
#[derive(Clone)]
pub struct SipTrace(Arc<Hook>);

impl SipTrace {
    /// Wraps `hook`. It is called on the peer's driver task for every datagram, so it
    /// should be quick (print, log, or send to a channel) and must not block.
    pub fn new(hook: impl Fn(&SipMessageTrace) + Send + Sync + 'static) -> Self {
        Self(Arc::new(hook))
    }

    /// Hands one datagram to the hook, redacted.
    pub(crate) fn emit(
        &self,
        direction: TraceDirection,
        local: SocketAddr,
        peer: SocketAddr,
        datagram: &[u8],
    ) {
        let text = session_proto::sip::trace::redacted(datagram);
        (self.0)(&SipMessageTrace { direction, local, peer, at: SystemTime::now(), text });
    }
}

impl fmt::Debug for SipTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SipTrace(..)")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn the_hook_gets_the_message_redacted_with_its_addresses() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let keep = seen.clone();
        let trace = SipTrace::new(move |m: &SipMessageTrace| keep.lock().unwrap().push(m.clone()));
        let (local, peer) = ("127.0.0.1:5060".parse().unwrap(), "127.0.0.1:5070".parse().unwrap());
        let register = "REGISTER sip:example.com SIP/2.0\r\n\
                        Authorization: Digest username=\"alice\", response=\"0123abcd\"\r\n\r\n";
        trace.emit(TraceDirection::Sent, local, peer, register.as_bytes());
        let seen = seen.lock().unwrap();
        let message = &seen[0];
        assert_eq!((message.direction, message.local, message.peer), (TraceDirection::Sent, local, peer));
        assert_eq!(message.first_line(), "REGISTER sip:example.com SIP/2.0");
        assert!(!message.text.contains("0123abcd"), "{}", message.text);
        assert!(message.text.contains(&format!("username=\"alice\", {REDACTED}")), "{}", message.text);
        assert!(message.to_string().starts_with("sent to 127.0.0.1:5070:\nREGISTER "), "{message}");
        assert_eq!(format!("{trace:?}"), "SipTrace(..)");
    }
}
