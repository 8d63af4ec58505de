//! `SignalingInterceptor`: application policy on incoming requests, before a session is
//! created for them.
//!
//! Each [`SignalingHandler`] looks at a new INVITE (or any other out-of-dialog request,
//! or a REFER inside a call: a transfer the peer asks for) and decides; the first handler that does not [`SignalingDecision::Defer`] wins, and
//! when every handler defers the request is accepted, as [`DefaultSignalingHandler`]
//! does.

use std::sync::Arc;

use rsipstack::rsip::{Header, Request};

use crate::sip::headers;

/// What the interceptor knows about an incoming request: one outside any dialog, or a
/// REFER inside a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingRequest {
    /// The SIP method, e.g. `INVITE`.
    pub method: String,
    /// The Request-URI.
    pub uri: String,
    /// The From URI (who calls).
    pub from: String,
    /// The To URI (whom they call).
    pub to: String,
    /// The Call-ID.
    pub call_id: String,
    /// Whether the request carries a body (an SDP offer for INVITE).
    pub has_body: bool,
    /// A REFER's Refer-To URI: whom the peer asks us to call.
    pub refer_to: Option<String>,
}

impl IncomingRequest {
    /// What `request` (of dialog or transaction `call_id`) shows the interceptor.
    pub(crate) fn of(request: &Request, call_id: &str) -> Self {
        let refer_to = headers::first(&request.headers, |h| match h {
            Header::ReferTo(v) => Some(headers::uri_of(v.value())),
            _ => None,
        });
        Self {
            method: request.method.to_string(),
            uri: request.uri.to_string(),
            from: headers::from_uri(&request.headers).unwrap_or_default().to_owned(),
            to: headers::to_uri(&request.headers).unwrap_or_default().to_owned(),
            call_id: call_id.to_owned(),
            has_body: !request.body.is_empty(),
            refer_to: refer_to.map(str::to_owned),
        }
    }
}

/// A handler's verdict on an incoming request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalingDecision {
    /// Take the request: an INVITE becomes a session handed to the application.
    Accept,
    /// Refuse it with this status code (for example 486 Busy Here or 403 Forbidden); no
    /// session is created.
    Reject(u16),
    /// No opinion: ask the next handler, and accept if none decides.
    Defer,
    /// Answer with this status and reason phrase, e.g. a 480 with a custom text.
    Custom {
        /// Status code.
        code: u16,
        /// Reason phrase.
        reason: String,
    },
}

/// Application policy for incoming requests.
pub trait SignalingHandler: Send + Sync {
    /// Decides on a new INVITE.
    fn on_invite(&self, request: &IncomingRequest) -> SignalingDecision;

    /// Decides on another out-of-dialog request (OPTIONS, MESSAGE, …), or on a REFER in
    /// a call (its [`IncomingRequest::refer_to`] says whom to call; a rejection answers
    /// the REFER with that status, and the call goes on). Deferring lets the runtime
    /// answer as it normally would.
    fn on_request(&self, request: &IncomingRequest) -> SignalingDecision {
        let _ = request;
        SignalingDecision::Defer
    }
}

/// Accepts every call.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultSignalingHandler;

impl SignalingHandler for DefaultSignalingHandler {
    fn on_invite(&self, _request: &IncomingRequest) -> SignalingDecision {
        SignalingDecision::Accept
    }
}

/// Rejects every call with a fixed status (`simplepeer listen --reject CODE`).
#[derive(Clone, Copy, Debug)]
pub struct RejectAll(pub u16);

impl SignalingHandler for RejectAll {
    fn on_invite(&self, _request: &IncomingRequest) -> SignalingDecision {
        SignalingDecision::Reject(self.0)
    }
}

/// A chain of handlers asked in order.
///
/// ```
/// use session_proto::interceptor::*;
///
/// struct NoAnonymous;
/// impl SignalingHandler for NoAnonymous {
///     fn on_invite(&self, request: &IncomingRequest) -> SignalingDecision {
///         if request.from.contains("anonymous") {
///             SignalingDecision::Reject(433)
///         } else {
///             SignalingDecision::Defer
///         }
///     }
/// }
///
/// let interceptor = SignalingInterceptor::new().with(NoAnonymous);
/// let mut call = IncomingRequest {
///     method: "INVITE".into(), uri: "sip:bob@127.0.0.1".into(),
///     from: "sip:anonymous@anonymous.invalid".into(), to: "sip:bob@127.0.0.1".into(),
///     call_id: "1".into(), has_body: true, refer_to: None,
/// };
/// assert_eq!(interceptor.handle(&call), SignalingDecision::Reject(433));
/// call.from = "sip:alice@127.0.0.1".into();
/// assert_eq!(interceptor.handle(&call), SignalingDecision::Accept);
/// ```
#[derive(Clone, Default)]
pub struct SignalingInterceptor {
    handlers: Vec<Arc<dyn SignalingHandler>>,
}

impl std::fmt::Debug for SignalingInterceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignalingInterceptor({} handlers)", self.handlers.len())
    }
}

impl SignalingInterceptor {
    /// An interceptor with no handlers: it accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handler after the existing ones.
    #[must_use]
    pub fn with(mut self, handler: impl SignalingHandler + 'static) -> Self {
        self.handlers.push(Arc::new(handler));
        self
    }

    /// Adds a handler after the existing ones.
    pub fn push(&mut self, handler: Arc<dyn SignalingHandler>) {
        self.handlers.push(handler);
    }

    /// The first decision that is not `Defer`; `Accept` when every handler defers.
    pub fn handle(&self, request: &IncomingRequest) -> SignalingDecision {
        let is_invite = request.method.eq_ignore_ascii_case("INVITE");
        self.handlers
            .iter()
            .map(|h| if is_invite { h.on_invite(request) } else { h.on_request(request) })
            .find(|d| *d != SignalingDecision::Defer)
            .unwrap_or(SignalingDecision::Accept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> IncomingRequest {
        IncomingRequest {
            method: "INVITE".into(),
            uri: "sip:bob@127.0.0.1".into(),
            from: "sip:alice@127.0.0.1".into(),
            to: "sip:bob@127.0.0.1".into(),
            call_id: "x".into(),
            has_body: true,
            refer_to: None,
        }
    }

    #[test]
    fn the_default_accepts_and_the_first_decision_wins() {
        assert_eq!(SignalingInterceptor::new().handle(&invite()), SignalingDecision::Accept);
        let chain = SignalingInterceptor::new().with(RejectAll(486)).with(RejectAll(603));
        assert_eq!(chain.handle(&invite()), SignalingDecision::Reject(486));
        let accept_first = SignalingInterceptor::new().with(DefaultSignalingHandler).with(RejectAll(603));
        assert_eq!(accept_first.handle(&invite()), SignalingDecision::Accept);
    }

    #[test]
    fn other_methods_go_to_on_request() {
        let mut options = invite();
        options.method = "OPTIONS".into();
        let chain = SignalingInterceptor::new().with(RejectAll(486));
        assert_eq!(chain.handle(&options), SignalingDecision::Accept);
    }
}
