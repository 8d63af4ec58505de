//! What one registration is made of: the application's request ([`RegisterSpec`]),
//! its id, and the record the endpoint keeps while it lives.

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use super::machine::State;
use crate::auth;
use crate::sip::transaction::ClientTxId;

/// The expiry asked for when the application names none: one hour, RFC 3261's
/// default for a registration (section 10.2.1.1).
pub const DEFAULT_EXPIRES: u32 = 3600;

/// Identifies one registration of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationId(pub u64);

impl fmt::Display for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "registration-{}", self.0)
    }
}

/// What to register, for [`crate::Endpoint::register`].
///
/// ```
/// use session_proto::auth::Credentials;
/// use session_proto::registration::RegisterSpec;
///
/// let spec = RegisterSpec::new("sip:127.0.0.1:5070", "alice", Credentials::new("alice", "secret"));
/// assert_eq!(spec.expires, 3600);
/// ```
#[derive(Clone, Debug)]
pub struct RegisterSpec {
    /// The registrar: `sip:HOST[:PORT]` (a name is looked up by the driver).
    pub registrar: String,
    /// The user whose address of record is bound: `sip:USER@HOST`.
    pub user: String,
    /// What to answer the registrar's digest challenges with (Debug shows the user only).
    pub credentials: auth::Credentials,
    /// The expiry to ask for, in seconds; the registrar may grant less.
    pub expires: u32,
}

impl RegisterSpec {
    /// A registration of `user` at `registrar` for [`DEFAULT_EXPIRES`] seconds.
    pub fn new(
        registrar: impl Into<String>,
        user: impl Into<String>,
        credentials: auth::Credentials,
    ) -> Self {
        Self { registrar: registrar.into(), user: user.into(), credentials, expires: DEFAULT_EXPIRES }
    }
}

/// Which header our digest answer goes in, after which challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthHeader {
    /// Authorization, answering a 401's WWW-Authenticate.
    Www,
    /// Proxy-Authorization, answering a 407's Proxy-Authenticate.
    Proxy,
}

impl AuthHeader {
    pub fn for_code(code: u16) -> Self {
        if code == 407 { AuthHeader::Proxy } else { AuthHeader::Www }
    }

    /// The request header the answer goes in.
    pub fn name(self) -> &'static str {
        match self {
            AuthHeader::Www => "Authorization",
            AuthHeader::Proxy => "Proxy-Authorization",
        }
    }
}

/// Everything the endpoint knows of one registration.
#[derive(Debug)]
pub(crate) struct RegistrationRecord {
    pub id: RegistrationId,
    pub state: State,
    /// The Request-URI: `sip:HOST[:PORT]`.
    pub registrar_uri: String,
    /// The address of record, To and From: `sip:USER@HOST`.
    pub aor: String,
    pub user: String,
    /// Where REGISTERs go: the outbound proxy, or the registrar once its address is known.
    pub dest: Option<SocketAddr>,
    pub call_id: String,
    pub from_tag: String,
    /// The CSeq of our last REGISTER.
    pub cseq: u32,
    /// The Contact URI we bind.
    pub contact: String,
    /// A Contact we bound before switching to the public one, removed by the next REGISTER.
    pub stale_contact: Option<String>,
    /// We switched to the Contact the registrar saw us at (done once).
    pub public_contact_used: bool,
    /// The expiry we ask for.
    pub expires: u32,
    /// Withdrawn: every REGISTER from now on asks Expires: 0.
    pub withdrawn: bool,
    /// What the registrar granted last.
    pub granted: Option<u32>,
    /// When the refresh is due, while it is armed.
    pub refresh_at: Option<Instant>,
    /// Refreshes that failed in a row (408, 480, 5xx, no answer), for the backoff.
    pub failed_refreshes: u32,
    /// The Retry-After of the last refusal, for the next retry's wait.
    pub retry_after: Option<u32>,
    pub digest: auth::DigestClient,
    /// Which header our credentials go in, once challenged.
    pub auth_header: Option<AuthHeader>,
    /// The REGISTER in flight and whether it asked Expires: 0.
    pub in_flight: Option<(ClientTxId, bool)>,
}

impl RegistrationRecord {
    /// The expiry the next REGISTER asks for.
    pub fn asked(&self) -> u32 {
        if self.withdrawn { 0 } else { self.expires }
    }
}
