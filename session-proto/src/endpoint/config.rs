//! How an endpoint presents itself and what it does with calls.

use std::net::SocketAddr;
use std::time::Duration;

use crate::auth;
use crate::interceptor::SignalingInterceptor;
use crate::media::MediaSettings;
use crate::server::ServerConfig;
use crate::sip::transaction::Timers;

/// An endpoint's settings.
#[derive(Clone, Debug)]
pub struct EndpointConfig {
    /// The address the driver's socket is bound to (Via, Contact, From).
    pub local: SocketAddr,
    /// The user part of our URI.
    pub user: String,
    /// A name for people, shown to peers before our URI in From and Referred-By
    /// (`"Alice Liddell" <sip:alice@…>`); quoted and escaped when written. Without CR,
    /// LF or other control characters, which a quoted string cannot carry
    /// ([`crate::check_display_name`] says so before it is set).
    pub display_name: Option<String>,
    /// RFC 3261 timers.
    pub timers: Timers,
    /// Codecs and DTMF.
    pub media: MediaSettings,
    /// How long a call may ring, either way, before it is given up: an incoming call is
    /// answered 480, our own is CANCELled. Three minutes by default, the shortest Timer C
    /// a proxy may use (RFC 3261 16.6), after which a proxy would give up the call anyway.
    pub no_answer: Duration,
    /// Policy for incoming requests.
    pub interceptor: SignalingInterceptor,
    /// What our requests answer a 401 or 407 with: a call's INVITE, BYE, REFER or INFO
    /// challenged by the peer or a proxy is sent once more with credentials. Set by
    /// [`crate::Endpoint::register`] too. Debug shows the user only.
    pub credentials: Option<auth::Credentials>,
    /// Every request outside a dialog (REGISTER, a call's INVITE) goes to this address
    /// with `Route: <sip:PROXY;lr>` (RFC 3261 section 8.1.2); requests in a dialog
    /// follow its route set. A name must be looked up before the endpoint is built.
    pub outbound_proxy: Option<SocketAddr>,
    /// Makes the endpoint a registrar and proxy for a domain ([`crate::server`]);
    /// `None`, the default, keeps it a plain user agent that refuses REGISTER with 405.
    pub server: Option<ServerConfig>,
    /// When new calls are refused with 503 rather than taken ([`super::overload`]).
    pub overload: super::OverloadLimits,
}

impl EndpointConfig {
    /// Defaults for an endpoint at `local`.
    pub fn new(local: SocketAddr) -> Self {
        Self {
            local,
            user: "simplepeer".into(),
            display_name: None,
            timers: Timers::default(),
            media: MediaSettings::default(),
            no_answer: Duration::from_secs(180),
            interceptor: SignalingInterceptor::new(),
            credentials: None,
            outbound_proxy: None,
            server: None,
            overload: super::OverloadLimits::default(),
        }
    }
}

/// Why a display name cannot be written as a SIP quoted string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the display name {name:?} has a control character; give a name of printable characters")]
pub struct BadDisplayName {
    /// The name given.
    pub name: String,
}

/// Checks that `name` can be a display name: no control characters (RFC 3261 25.1: a
/// quoted-string carries no CR or LF, and the others only escaped, which peers mangle).
///
/// ```
/// assert!(session_proto::check_display_name("Alice \"Al\" Liddell").is_ok());
/// assert!(session_proto::check_display_name("Alice\r\nVia: evil").is_err());
/// ```
pub fn check_display_name(name: &str) -> Result<(), BadDisplayName> {
    if name.chars().any(char::is_control) { Err(BadDisplayName { name: name.to_owned() }) } else { Ok(()) }
}

/// `uri` (in angle brackets) after the display name, quoted with `"` and `\` escaped.
pub(crate) fn named(display_name: Option<&str>, uri: &str) -> String {
    match display_name {
        Some(name) => {
            // Control characters were refused by `check_display_name`; dropped here too,
            // so that no setting can break a header.
            let printable: String = name.chars().filter(|c| !c.is_control()).collect();
            let escaped = printable.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{escaped}\" {uri}")
        }
        None => uri.to_owned(),
    }
}
