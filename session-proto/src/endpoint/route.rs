//! Routing what the transaction layer delivers: by transaction, then by dialog id, then
//! by method, to the usage that owns it. A registrar and proxy endpoint's server usage
//! sees first what is its own: CANCELs of requests it forwards, requests whose top
//! Route is ours, responses on its branches, and every request outside a dialog but
//! OPTIONS addressed to the endpoint itself.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Method, Request};

use super::{Endpoint, options, validate};
use crate::interceptor::{IncomingRequest, SignalingDecision};
use crate::server::Origin;
use crate::sip::headers::Essentials;
use crate::sip::transaction::{ServerTxId, TxEvent};
use crate::sip::write;
use crate::types::DialogId;

impl Endpoint {
    /// Hands every event of the transaction layer to its owner.
    pub(super) fn route(&mut self, now: Instant) {
        while let Some(event) = self.core.tx.poll_event() {
            let core = &mut self.core;
            match event {
                TxEvent::Request { tx, request, essentials, source, cancels, raw } => {
                    let server = self.server.as_mut();
                    if request.method == Method::Cancel {
                        let forwarded =
                            cancels.zip(server).is_some_and(|(invite, s)| s.on_cancel(core, now, tx, invite));
                        if !forwarded {
                            self.calls.on_cancel(core, now, tx, cancels);
                        }
                    } else if let Some(to_tag) = essentials.to_tag.clone() {
                        let origin = Origin { tx, essentials, source };
                        let routed = server
                            .is_some_and(|s| s.on_in_dialog(core, now, &origin, &request, raw.as_ref()));
                        if !routed {
                            let Origin { tx, essentials, source } = origin;
                            self.in_dialog(now, tx, request, essentials, source, to_tag);
                        }
                    } else {
                        self.out_of_dialog(now, tx, request, essentials, source, raw);
                    }
                }
                TxEvent::Ack { request, essentials, raw } => {
                    if !self.server.as_mut().is_some_and(|s| s.on_ack(core, &request, raw.as_ref())) {
                        self.calls.on_ack(core, now, &request, &essentials);
                    }
                }
                TxEvent::Response { tx, response, essentials, raw } => {
                    if let Some((call, purpose)) = core.registry.client(tx) {
                        self.calls.on_response(core, now, call, purpose, tx, &response, &essentials);
                    } else if let Some(registration) = core.registry.registration(tx) {
                        self.registrations.on_response(core, now, registration, tx, &response);
                    } else if let Some(server) = self.server.as_mut() {
                        server.on_branch_response(core, now, tx, &response, &essentials, raw);
                    }
                }
                TxEvent::Timeout { tx } => {
                    if let Some((call, purpose)) = core.registry.client(tx) {
                        self.calls.on_client_timeout(core, now, call, purpose, tx);
                    } else if let Some(registration) = core.registry.registration(tx) {
                        self.registrations.on_timeout(core, now, registration, tx);
                    } else if let Some(server) = self.server.as_mut() {
                        server.on_branch_timeout(core, now, tx);
                    }
                }
                TxEvent::Unreachable { tx, reason } => {
                    if let Some((call, purpose)) = core.registry.client(tx) {
                        self.calls.on_client_unreachable(core, now, call, purpose, tx, reason);
                    } else if let Some(registration) = core.registry.registration(tx) {
                        self.registrations.on_unreachable(core, now, registration, tx, reason);
                    } else if let Some(server) = self.server.as_mut() {
                        // As for a timeout: the branch is done, and another may answer.
                        server.on_branch_timeout(core, now, tx);
                    }
                }
                TxEvent::NoResponseYet { tx, waited } => {
                    if let Some((call, crate::endpoint::registry::Purpose::Invite)) = core.registry.client(tx)
                    {
                        self.calls.on_no_response_yet(core, call, waited);
                    }
                }
                TxEvent::AckTimeout { tx } => {
                    if let Some(call) = core.registry.invite(tx) {
                        self.calls.on_ack_timeout(core, now, call);
                    }
                }
            }
        }
    }

    /// A request with a To tag: it belongs to a dialog of ours, or gets 481.
    fn in_dialog(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: Request,
        essentials: Essentials,
        source: SocketAddr,
        to_tag: String,
    ) {
        let core = &mut self.core;
        let Some(call) = core.registry.dialog(&DialogId::new(essentials.call_id.clone(), to_tag)) else {
            return core.reply(now, tx, 481, &[]);
        };
        if let Err(refusal) = validate::as_user_agent(&request, &core.allow) {
            return core.refuse(now, tx, refusal);
        }
        match request.method {
            Method::Options => options::options(core, now, tx),
            Method::Message => options::message(core, now, tx, &request, source),
            method if crate::call::handles(method) => {
                self.calls.on_in_dialog(core, now, call, tx, &request, &essentials)
            }
            _ => self.not_allowed(now, tx),
        }
    }

    /// A request without a To tag: the application's policy first, then the usage that
    /// creates state for its method.
    fn out_of_dialog(
        &mut self,
        now: Instant,
        tx: ServerTxId,
        request: Request,
        essentials: Essentials,
        source: SocketAddr,
        raw: Option<Bytes>,
    ) {
        let core = &mut self.core;
        // OPTIONS to the server itself is answered here; to a user, proxied.
        let to_the_server = request.method == Method::Options && request.uri.auth.is_none();
        let proxied = self.server.is_some() && !to_the_server;
        let checked = match proxied {
            true => validate::as_proxy(&request),
            false => validate::as_user_agent(&request, &core.allow),
        };
        if let Err(refusal) = checked {
            return core.refuse(now, tx, refusal);
        }
        if request.method == Method::Invite {
            self.admission.admitted(now);
        }
        match core.config.interceptor.handle(&IncomingRequest::of(&request, &essentials.call_id)) {
            SignalingDecision::Reject(code) => return core.reply(now, tx, code, &[]),
            SignalingDecision::Custom { code, reason } => {
                return core.reply(now, tx, code, &[("Warning", &write::warning(&reason))]);
            }
            SignalingDecision::Accept | SignalingDecision::Defer => {}
        }
        if let Some(server) = self.server.as_mut().filter(|_| proxied) {
            let origin = Origin { tx, essentials, source };
            return match request.method {
                Method::Register => server.on_register(core, now, &origin, &request, raw.as_deref()),
                _ => server.on_proxy(core, now, &origin, &request, raw),
            };
        }
        match request.method {
            Method::Invite => self.calls.on_invite(core, now, tx, &request, &essentials, source),
            Method::Options => options::options(core, now, tx),
            Method::Message => options::message(core, now, tx, &request, source),
            // Methods of a dialog, outside one: there is no such dialog or transaction.
            Method::Bye | Method::Info | Method::Refer | Method::Notify => core.reply(now, tx, 481, &[]),
            _ => self.not_allowed(now, tx),
        }
    }

    /// 405 Method Not Allowed, with what we do allow (RFC 3261 section 8.2.1).
    fn not_allowed(&mut self, now: Instant, tx: ServerTxId) {
        let allow = self.core.allow.clone();
        self.core.reply(now, tx, 405, &[("Allow", &allow)]);
    }
}
