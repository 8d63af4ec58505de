//! Requests inside a dialog the proxy Record-Routed (RFC 3261 section 16.4 and 16.12,
//! loose routing): the top Route is ours; it is removed and the request follows the
//! next Route value, or its Request-URI when none is left. An ACK for a 2xx is
//! forwarded statelessly (it is its own transaction and gets no response); any other
//! request in a transaction of its own, as a single branch.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use rsipstack::rsip::{Header, Headers, Request};

use super::super::{Origin, Server};
use super::Forwarding;
use super::fork::{Target, is_us};
use super::hops_left;
use crate::call::target::addr_of;
use crate::endpoint::core::Core;
use crate::sip::forward::{Forward, forward_request};
use crate::sip::headers::uri_of;
use crate::sip::write;

impl Server {
    /// A request with a To tag. Returns false when its top Route is not ours: it is
    /// then no dialog of ours to route, and the endpoint handles it as any other.
    pub fn on_in_dialog(
        &mut self,
        core: &mut Core,
        now: Instant,
        origin: &Origin,
        request: &Request,
        raw: Option<&Bytes>,
    ) -> bool {
        let Some((next, raw)) = next_hop(core.config.local, request).zip(raw) else {
            return false;
        };
        let refuse = |code: u16, why: &str| (code, vec![("Warning", write::warning(why))]);
        let refused = match (hops_left(&request.headers), addr_of(&next)) {
            (Err(why), _) => refuse(400, why),
            (Ok(Some(0)), _) => (483, Vec::new()),
            (Ok(_), None) => {
                refuse(500, "the next hop is not an IP address; this proxy does not look up names")
            }
            (Ok(_), Some(dest)) => {
                let target = Target { uri: None, dest };
                self.fork(core, now, origin, raw, Forwarding::in_dialog(&request.method), &[target]);
                return true;
            }
        };
        let (code, headers) = refused;
        self.answer(core, now, origin, code, headers);
        true
    }

    /// An ACK outside any transaction (the ACK for a 2xx). Returns false when its top
    /// Route is not ours.
    pub fn on_ack(&mut self, core: &mut Core, request: &Request, raw: Option<&Bytes>) -> bool {
        let local = core.config.local;
        let Some((next, raw)) = next_hop(local, request).zip(raw) else {
            return false;
        };
        let Some(dest) = addr_of(&next) else {
            tracing::debug!(%next, "an ACK for a next hop that is not an IP address; dropped");
            return true;
        };
        let (_, branch) = core.tx.new_branch();
        let via = core.via(&branch);
        let is_ours = |route: &str| is_us(local, route);
        let forward = Forward { strip_route: Some(&is_ours), ..Forward::new(&via) };
        match forward_request(raw, &forward) {
            Ok(bytes) => core.tx.send_stateless(dest, Bytes::from(bytes)),
            Err(error) => tracing::debug!(%error, "an ACK that cannot be forwarded; dropped"),
        }
        true
    }
}

/// When the request's top Route names us: the URI of the hop after us, the next
/// Route value or else the Request-URI.
fn next_hop(local: SocketAddr, request: &Request) -> Option<String> {
    let routes = route_values(&request.headers);
    if !routes.first().is_some_and(|top| is_us(local, top)) {
        return None;
    }
    Some(routes.get(1).map_or_else(|| request.uri.to_string(), |next| uri_of(next).to_owned()))
}

/// Every Route value in order, across lines.
fn route_values(headers: &Headers) -> Vec<String> {
    headers
        .iter()
        .filter_map(|h| match h {
            Header::Route(v) => Some(super::super::contacts::split_values(v.value())),
            _ => None,
        })
        .flatten()
        .collect()
}
