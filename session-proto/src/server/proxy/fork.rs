//! Forwarding one request to its targets in parallel and choosing what goes back
//! upstream (RFC 3261 sections 16.6 to 16.10).

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Method, Response};

use super::super::auth_gate::realm_of;
use super::super::{Origin, Server};
use super::Forwarding;
use crate::call::target::addr_of;
use crate::deadlines::Deadline;
use crate::endpoint::core::Core;
use crate::sip::forward::{Forward, ForwardError, forward_request, forward_response};
use crate::sip::headers::{Essentials, uri_of};
use crate::sip::transaction::{ClientKind, ClientTxId, ServerTxId};
use crate::sip::write;

/// Where one copy of a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Target {
    /// Its new Request-URI (a binding's contact); `None` keeps the request's.
    pub uri: Option<String>,
    /// Where it is sent.
    pub dest: SocketAddr,
}

/// Whether a branch's CANCEL has gone out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cancel {
    No,
    /// Wanted, but no response came yet: a CANCEL may only follow a provisional
    /// (section 9.1), so it goes when one arrives.
    Wanted,
    Sent,
}

/// One copy of the request, in its own client transaction.
#[derive(Debug)]
struct Branch {
    id: ClientTxId,
    dest: SocketAddr,
    /// Any response arrived.
    heard: bool,
    /// A final response arrived, or the transaction timed out.
    done: bool,
    cancel: Cancel,
}

/// One request being forwarded (a response context, section 16.7). Its `Debug` shows
/// the best response's code, branch and length, not its header values.
pub(crate) struct Context {
    /// Where the request came from: a 2xx passed on after our server transaction is
    /// gone goes there.
    source: SocketAddr,
    invite: bool,
    branches: Vec<Branch>,
    /// A final response went upstream.
    answered: bool,
    /// A 2xx went upstream: its retransmissions may still come.
    succeeded: bool,
    /// The caller CANCELled.
    cancelled: bool,
    /// The best final response so far (section 16.7 step 6), as it is passed on.
    best: Option<(u16, Bytes)>,
    /// When Timer C fires (an INVITE outside a dialog).
    timer_c: Option<Instant>,
    /// When the context is forgotten, once it is done.
    forget_at: Option<Instant>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let best = self.best.as_ref().map(|(code, bytes)| (code, crate::sip::redact::Datagram(bytes)));
        f.debug_struct("Context")
            .field("source", &self.source)
            .field("invite", &self.invite)
            .field("branches", &self.branches)
            .field("answered", &self.answered)
            .field("succeeded", &self.succeeded)
            .field("cancelled", &self.cancelled)
            .field("best", &best)
            .field("timer_c", &self.timer_c)
            .field("forget_at", &self.forget_at)
            .finish()
    }
}

impl Server {
    /// Forwards the request of `origin` (its bytes `raw`) to every target at once, with
    /// our Via, one hop less, our Record-Route when `how` says so, without our Route
    /// value and without the Proxy-Authorization credentials for our realm (section 22.3).
    pub(super) fn fork(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        raw: &[u8],
        how: Forwarding,
        targets: &[Target],
    ) {
        let (tx, kind, local) = (origin.tx, how.kind, core.config.local);
        let record_route = how.record_route.then(|| format!("<sip:{local};lr>"));
        let realm = self.config.realm.as_str();
        let is_ours = |route: &str| is_us(local, route);
        let drop = |name: &str, value: &str| {
            name.eq_ignore_ascii_case("proxy-authorization") && realm_of(value) == Some(realm)
        };
        let mut copies = Vec::with_capacity(targets.len());
        for target in targets {
            let (id, branch) = core.tx.new_branch();
            let via = core.via(&branch);
            let forward = Forward {
                request_uri: target.uri.as_deref(),
                record_route: record_route.as_deref(),
                strip_route: Some(&is_ours),
                drop_header: Some(&drop),
                ..Forward::new(&via)
            };
            match forward_request(raw, &forward) {
                Ok(bytes) => copies.push((id, target.dest, Bytes::from(bytes))),
                Err(ForwardError::TooManyHops) => {
                    return self.answer(core, now, origin, 483, Vec::new());
                }
                Err(error) => {
                    let warning = vec![("Warning", write::warning(&error.to_string()))];
                    return self.answer(core, now, origin, 400, warning);
                }
            }
        }
        let mut branches = Vec::with_capacity(copies.len());
        for (id, dest, bytes) in copies {
            tracing::debug!(%dest, "forwarding a request");
            core.tx.start_client(now, id, kind, dest, bytes, &mut core.deadlines);
            self.proxy.branches.insert(id, tx);
            branches.push(Branch { id, dest, heard: false, done: false, cancel: Cancel::No });
        }
        let invite = matches!(kind, ClientKind::Invite | ClientKind::Reinvite);
        let timer_c = (kind == ClientKind::Invite).then(|| now + core.config.no_answer);
        if let Some(at) = timer_c {
            core.deadlines.schedule(at, Deadline::Forward(tx));
        }
        let context = Context {
            source: origin.source,
            invite,
            branches,
            answered: false,
            succeeded: false,
            cancelled: false,
            best: None,
            timer_c,
            forget_at: None,
        };
        self.proxy.contexts.insert(tx, context);
    }

    /// A response on branch `id` (section 16.7): 1xx past 100 and every 2xx go
    /// upstream at once; the first 2xx or a 6xx CANCELs the other branches; other
    /// finals wait for the best to be chosen.
    pub fn on_branch_response(
        &mut self,
        core: &mut Core,
        now: Instant,
        id: ClientTxId,
        response: &Response,
        essentials: &Essentials,
        raw: Option<Bytes>,
    ) -> bool {
        let Some(&tx) = self.proxy.branches.get(&id) else {
            return false;
        };
        if essentials.cseq_method == Method::Cancel {
            return true; // the answer to our CANCEL: nothing to do
        }
        let no_answer = core.config.no_answer;
        let Some(context) = self.proxy.contexts.get_mut(&tx) else {
            return true;
        };
        let code = response.status_code.code();
        let Some(branch) = context.branches.iter_mut().find(|b| b.id == id) else {
            return true;
        };
        branch.heard = true;
        if code >= 200 {
            branch.done = true;
        } else if branch.cancel == Cancel::Wanted {
            send_cancel(core, now, branch);
        }
        if code == 100 {
            return true; // hop by hop: ours went upstream already
        }
        let Some(bytes) = raw.as_deref().and_then(|raw| match forward_response(raw) {
            Ok((bytes, _)) => Some(Bytes::from(bytes)),
            Err(error) => {
                tracing::debug!(%error, "a branch's response cannot be passed on; dropped");
                None
            }
        }) else {
            // A final one still ends its branch: the request may be settled without it
            // (found by tests/fuzz_endpoint.rs: the context and the server transaction
            // of a MESSAGE whose 200 could not be passed on were kept for ever).
            if code >= 200 {
                self.settle(core, now, tx);
            }
            return true;
        };
        match code {
            101..=199 => {
                if !context.answered {
                    core.tx.relay(now, tx, code, bytes, &mut core.deadlines);
                    if context.timer_c.is_some() {
                        let at = now + no_answer;
                        context.timer_c = Some(at);
                        core.deadlines.schedule(at, Deadline::Forward(tx));
                    }
                }
            }
            200..=299 => {
                if !core.tx.relay(now, tx, code, bytes.clone(), &mut core.deadlines) {
                    core.tx.send_stateless(context.source, bytes);
                }
                context.answered = true;
                context.succeeded = true;
                if context.invite {
                    cancel_pending(core, now, context);
                }
            }
            _ => {
                if !context.answered && context.best.as_ref().is_none_or(|(best, _)| better(code, *best)) {
                    context.best = Some((code, bytes));
                }
                if code >= 600 && context.invite {
                    cancel_pending(core, now, context);
                }
            }
        }
        self.settle(core, now, tx);
        true
    }

    /// Branch `id` got no final response in time (Timer B or F).
    pub fn on_branch_timeout(&mut self, core: &mut Core, now: Instant, id: ClientTxId) -> bool {
        let Some(&tx) = self.proxy.branches.get(&id) else {
            return false;
        };
        if let Some(branch) =
            self.proxy.contexts.get_mut(&tx).and_then(|c| c.branches.iter_mut().find(|b| b.id == id))
        {
            branch.done = true;
        }
        self.settle(core, now, tx);
        true
    }

    /// CANCELs every branch of `tx` still pending; `by_caller` when the caller asked,
    /// so that a request no branch answers ends with 487.
    pub(super) fn cancel_branches(&mut self, core: &mut Core, now: Instant, tx: ServerTxId, by_caller: bool) {
        if let Some(context) = self.proxy.contexts.get_mut(&tx) {
            context.cancelled |= by_caller;
            if context.invite {
                cancel_pending(core, now, context);
            }
        }
    }

    /// Timer C, or the end of a finished context, fell due for `tx`.
    pub fn on_forward_timer(&mut self, core: &mut Core, now: Instant, tx: ServerTxId) {
        let Some(context) = self.proxy.contexts.get_mut(&tx) else { return };
        if context.forget_at.is_some_and(|at| at <= now) {
            if let Some(context) = self.proxy.contexts.remove(&tx) {
                for branch in &context.branches {
                    self.proxy.branches.remove(&branch.id);
                }
            }
            return;
        }
        if context.timer_c.is_some_and(|at| at <= now) && !context.answered {
            // Nobody answered in time: give up the request (section 16.8).
            tracing::debug!(tx, "Timer C fired: the request is given up");
            context.timer_c = None;
            context.answered = true;
            cancel_pending(core, now, context);
            core.reply(now, tx, 480, &[]);
            self.settle(core, now, tx);
        }
    }

    /// Once every branch is done: the best response goes upstream when nothing final
    /// went yet (480 when no branch answered at all, 487 after the caller's CANCEL),
    /// and the context is forgotten (after 64·T1 when a 2xx went, whose
    /// retransmissions may still come).
    fn settle(&mut self, core: &mut Core, now: Instant, tx: ServerTxId) {
        let Some(context) = self.proxy.contexts.get_mut(&tx) else { return };
        if !context.branches.iter().all(|b| b.done) || context.forget_at.is_some() {
            return;
        }
        if !context.answered {
            context.answered = true;
            match context.best.take() {
                // 16.7 step 6: a 503 would tell the caller that we are unavailable.
                Some((503, _)) => core.reply(now, tx, 500, &[]),
                Some((code, bytes)) => {
                    core.tx.relay(now, tx, code, bytes, &mut core.deadlines);
                }
                None if context.cancelled => core.reply(now, tx, 487, &[]),
                None => core.reply(now, tx, 480, &[]),
            }
        }
        if context.succeeded {
            let at = now + core.tx.timers().transaction_timeout();
            context.forget_at = Some(at);
            core.deadlines.schedule(at, Deadline::Forward(tx));
        } else if let Some(context) = self.proxy.contexts.remove(&tx) {
            for branch in &context.branches {
                self.proxy.branches.remove(&branch.id);
            }
        }
    }
}

/// Whether final `code` beats `best` (section 16.7 step 6): a 6xx beats anything
/// else, then the lower class wins; the first of a class stays.
fn better(code: u16, best: u16) -> bool {
    let rank = |code: u16| if code >= 600 { 0 } else { code / 100 };
    rank(code) < rank(best)
}

fn cancel_pending(core: &mut Core, now: Instant, context: &mut Context) {
    for branch in context.branches.iter_mut().filter(|b| !b.done && b.cancel == Cancel::No) {
        if branch.heard {
            send_cancel(core, now, branch);
        } else {
            branch.cancel = Cancel::Wanted;
            core.tx.stop_waiting(now, branch.id, &mut core.deadlines);
        }
    }
}

/// The CANCEL of a branch's INVITE, which copies it (section 9.1).
fn send_cancel(core: &mut Core, now: Instant, branch: &mut Branch) {
    branch.cancel = Cancel::Sent;
    let Some(cancel) = core.tx.request_of(branch.id).and_then(|(_, request)| write::cancel_for(request))
    else {
        return tracing::warn!(dest = %branch.dest, "cannot write the CANCEL of a forwarded INVITE");
    };
    core.tx.start_client(
        now,
        branch.id,
        ClientKind::Cancel,
        branch.dest,
        Bytes::from(cancel),
        &mut core.deadlines,
    );
}

/// Whether a Route (or Record-Route) value names this endpoint's address.
pub(super) fn is_us(local: SocketAddr, route: &str) -> bool {
    addr_of(uri_of(route)) == Some(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_6xx_beats_everything_then_the_lowest_class_and_the_first_of_a_class_stays() {
        assert!(better(603, 302));
        assert!(better(302, 404));
        assert!(better(404, 503));
        assert!(!better(486, 404), "the first 4xx stays");
        assert!(!better(404, 600));
        assert!(!better(600, 603));
    }

    #[test]
    fn a_route_is_ours_by_address_and_port() {
        let local: SocketAddr = "127.0.0.1:5062".parse().unwrap();
        assert!(is_us(local, "<sip:127.0.0.1:5062;lr>"));
        assert!(!is_us(local, "<sip:127.0.0.1;lr>"), "5060 is not our port");
        assert!(!is_us(local, "<sip:proxy.example.com;lr>"));
    }
}
