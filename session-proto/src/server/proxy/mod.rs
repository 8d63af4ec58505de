//! The stateful proxy (RFC 3261 section 16): a request outside any dialog is
//! authenticated (Proxy-Authorization), its Request-URI looked up in the location
//! store and forked to every binding at once; requests inside a dialog we
//! Record-Routed follow their Route set through us.
//!
//! Policy, beyond the RFC's musts:
//! * every proxied request outside a dialog must carry Proxy-Authorization for our
//!   realm, and its From user must be the authenticated user (403 otherwise); requests
//!   inside a dialog are not challenged (the dialog was authenticated when it began);
//! * the Request-URI's user part names the address of record in our domain (see
//!   [`super`]); there is no routing to other domains;
//! * the next hop of a request inside a dialog must be an IP address (no name lookup);
//! * when no branch answers at all (each timed out) or Timer C (the endpoint's
//!   `no_answer`) fires first, the caller gets 480 Temporarily Unavailable; WWW- and
//!   Proxy-Authenticate values of several 401/407 branches are not merged.

mod dialog;
mod fork;

use std::collections::HashMap;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Header, Headers, Method, Request};

use self::fork::{Context, Target};
use super::auth_gate::Scheme;
use super::{Origin, Server, Waiting, user_of};
use crate::endpoint::core::Core;
use crate::location::{JobId, LocationAnswer, LocationJob};
use crate::sip::headers;
use crate::sip::transaction::{ClientKind, ClientTxId, ServerTxId};
use crate::sip::write;

/// How a request is forwarded: the kind of its client transactions, and whether we
/// Record-Route it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Forwarding {
    pub kind: ClientKind,
    pub record_route: bool,
}

impl Forwarding {
    /// A request outside any dialog: Record-Routed when it may create one, so that we
    /// stay on the dialog's path (section 16.6 step 4).
    pub fn initial(method: &Method) -> Self {
        let kind = if *method == Method::Invite { ClientKind::Invite } else { ClientKind::NonInvite };
        let record_route = matches!(method, Method::Invite | Method::Subscribe | Method::Refer);
        Self { kind, record_route }
    }

    /// A request inside a dialog we Record-Routed, following its Route set: its route
    /// set is fixed already, so it is not Record-Routed again.
    pub fn in_dialog(method: &Method) -> Self {
        let kind = if *method == Method::Invite { ClientKind::Reinvite } else { ClientKind::NonInvite };
        Self { kind, record_route: false }
    }
}

/// A request waiting for its targets from the location store.
pub(crate) struct Lookup {
    origin: Origin,
    method: Method,
    /// The request as it came, credentials included: never printed.
    raw: Bytes,
}

impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookup")
            .field("origin", &self.origin)
            .field("method", &self.method)
            .field("raw", &format_args!("<{} bytes>", self.raw.len()))
            .finish()
    }
}

/// What the proxy is forwarding.
#[derive(Debug, Default)]
pub(crate) struct Proxy {
    /// Each forwarded request, by its server transaction.
    contexts: HashMap<ServerTxId, Context>,
    /// Each branch (client transaction) to the request it forwards.
    branches: HashMap<ClientTxId, ServerTxId>,
    /// Requests waiting for a lookup, so that a CANCEL finds them.
    lookups: HashMap<ServerTxId, JobId>,
}

impl Proxy {
    pub fn is_idle(&self) -> bool {
        self.contexts.is_empty() && self.branches.is_empty() && self.lookups.is_empty()
    }

    /// Forwarding contexts, branches and lookups kept.
    pub fn held(&self) -> usize {
        self.contexts.len() + self.branches.len() + self.lookups.len()
    }
}

impl Server {
    /// A request outside any dialog for a user of our domain: checked (Max-Forwards,
    /// credentials, From), then looked up.
    pub fn on_proxy(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        request: &Request,
        raw: Option<Bytes>,
    ) {
        let refuse = |code: u16, why: &str| (code, vec![("Warning", write::warning(why))]);
        if let Err((code, headers)) = hops_left(&request.headers)
            .map_err(|why| refuse(400, why))
            .and_then(|hops| if hops == Some(0) { Err((483, Vec::new())) } else { Ok(()) })
        {
            return self.answer(core, now, origin, code, headers);
        }
        let Some(passed) = self.authenticate(core, now, origin, request, raw.as_deref(), Scheme::Proxy)
        else {
            return;
        };
        let from = headers::from_uri(&request.headers);
        let target = request.uri.to_string();
        let sender_ok = from.and_then(user_of) == Some(passed.user.as_str());
        let refused = match (sender_ok, self.config.aor(&target), raw) {
            (true, Some(aor), Some(raw)) => {
                let unix = self.config.unix_time(now);
                let work = LocationJob::Lookup { aor, nonce: Some(passed.nonce), now: unix };
                let lookup = Lookup { origin: origin.clone(), method: request.method, raw };
                let job = self.start_job(core, work, Waiting::Lookup(lookup));
                self.proxy.lookups.insert(origin.tx, job);
                return;
            }
            (false, _, _) => refuse(403, "From is not the authenticated user"),
            (_, None, _) => refuse(404, "the Request-URI names no user of this domain"),
            (_, _, None) => refuse(500, "the request's bytes were not kept"),
        };
        let (code, headers) = refused;
        self.answer(core, now, origin, code, headers);
    }

    /// The store's answer to a lookup: fork to the bindings, 404 without any, a fresh
    /// challenge for a replayed nonce count, 500 when the store failed.
    pub(super) fn looked_up(
        &mut self,
        core: &mut Core,
        now: Instant,
        lookup: Lookup,
        answer: LocationAnswer,
    ) {
        let Lookup { origin, method, raw } = lookup;
        self.proxy.lookups.remove(&origin.tx);
        match answer {
            LocationAnswer::Bindings(bindings) => {
                self.failures.succeeded(origin.source.ip());
                let unix = self.config.unix_time(now);
                let targets: Vec<Target> = bindings
                    .into_iter()
                    .filter(|b| b.expires_at > unix)
                    .map(|b| Target { uri: Some(b.contact), dest: b.source })
                    .collect();
                if targets.is_empty() {
                    return self.answer(core, now, &origin, 404, Vec::new());
                }
                self.fork(core, now, &origin, &raw, Forwarding::initial(&method), &targets);
            }
            LocationAnswer::Replayed => {
                tracing::info!(source = %origin.source, "request with a nonce count already used: refused");
                self.auth_failed(core, now, &origin, Scheme::Proxy);
            }
            LocationAnswer::Failed(why) => {
                tracing::warn!(%why, "the location store failed a lookup");
                let headers = vec![("Retry-After", "5".to_owned())];
                self.answer(core, now, &origin, 500, headers);
            }
        }
    }

    /// A CANCEL for `invite` (section 16.10): answered 200 and its branches CANCELled
    /// when we forward it, or it is answered 487 at once while its lookup is out.
    /// Returns false when `invite` is not ours.
    pub fn on_cancel(
        &mut self,
        core: &mut Core,
        now: Instant,
        cancel: ServerTxId,
        invite: ServerTxId,
    ) -> bool {
        if let Some(job) = self.proxy.lookups.remove(&invite) {
            self.jobs.remove(&job);
            core.reply(now, cancel, 200, &[]);
            core.reply(now, invite, 487, &[]);
            return true;
        }
        if !self.proxy.contexts.contains_key(&invite) {
            return false;
        }
        core.reply(now, cancel, 200, &[]);
        self.cancel_branches(core, now, invite, true);
        true
    }
}

/// The Max-Forwards value, if the request has one; an error says why it is unreadable.
fn hops_left(headers: &Headers) -> Result<Option<u32>, &'static str> {
    let value = headers::first(headers, |h| match h {
        Header::MaxForwards(v) => Some(v.value()),
        _ => None,
    });
    match value.map(str::trim) {
        None => Ok(None),
        Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(text.parse().unwrap_or(u32::MAX)))
        }
        Some(_) => Err("Max-Forwards is not a number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::headers::Essentials;

    #[test]
    fn a_waiting_request_prints_without_its_bytes() {
        let essentials = Essentials {
            branch: "z9hG4bK1".into(),
            call_id: "c".into(),
            from_tag: None,
            to_tag: None,
            cseq: 1,
            cseq_method: Method::Invite,
        };
        let raw = Bytes::from_static(
            b"INVITE sip:b@h SIP/2.0\r\nProxy-Authorization: Digest response=\"0ddba11\"\r\n\r\n",
        );
        let origin = Origin { tx: 1, essentials, source: "127.0.0.1:5060".parse().unwrap() };
        let lookup = Lookup { origin, method: Method::Invite, raw };
        let printed = format!("{lookup:?}");
        assert!(!printed.contains("0ddba11") && !printed.contains("Proxy-Authorization"), "{printed}");
        assert!(printed.contains("bytes>"), "{printed}");
    }
}
