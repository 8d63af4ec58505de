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
}

impl EndpointConfig {
    /// Defaults for an endpoint at `local`.
    pub fn new(local: SocketAddr) -> Self {
        Self {
            local,
            user: "simplepeer".into(),
            timers: Timers::default(),
            media: MediaSettings::default(),
            no_answer: Duration::from_secs(180),
            interceptor: SignalingInterceptor::new(),
            credentials: None,
            outbound_proxy: None,
            server: None,
        }
    }
}
