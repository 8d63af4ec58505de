//! Writing and sending a call's requests and responses.

use bytes::Bytes;

use super::actions::CallContext;
use crate::endpoint::Event;
use crate::endpoint::registry::Purpose;
use crate::media::MediaCommand;
use crate::sip::transaction::{ClientKind, Reply, ServerTxId};
use crate::sip::write::{self, Body};

pub(super) const SDP: &str = "application/sdp";

/// The body of a request we send.
pub(crate) enum Payload<'a> {
    /// None.
    Empty,
    /// Our current SDP.
    Sdp,
    /// Anything else.
    Other(Body<'a>),
}

impl CallContext<'_> {
    /// A new request in the call's dialog (the initial INVITE included), in a new client
    /// transaction whose responses come back to this call.
    pub(crate) fn request(
        &mut self,
        method: &str,
        purpose: Purpose,
        extra: &[(&str, &str)],
        payload: Payload<'_>,
    ) {
        // The INVITE that makes the dialog goes to the outbound proxy, if any.
        let outbound = self.call.outbound.filter(|_| purpose == Purpose::Invite);
        let Some(to) = outbound.or_else(|| self.call.destination()) else {
            return tracing::warn!(call = %self.call.id, method, "no address to send to");
        };
        let (id, branch) = self.core.tx.new_branch();
        let via = self.core.via(&branch);
        let call = &mut *self.call;
        let body = match payload {
            Payload::Sdp => {
                call.media.local_sdp().map(|sdp| Body { content_type: SDP, bytes: sdp.as_bytes() })
            }
            Payload::Other(body) => Some(body),
            Payload::Empty => None,
        };
        let route = outbound.and(self.core.route_header());
        let with_route: Vec<(&str, &str)>;
        let extra = match &route {
            Some(route) => {
                with_route = [("Route", route.as_str())].into_iter().chain(extra.iter().copied()).collect();
                &with_route[..]
            }
            None => extra,
        };
        let (cseq, bytes) = call.dialog.request(method, &via, extra, body);
        let kind = match purpose {
            Purpose::Invite => {
                call.invite_cseq = cseq;
                call.invite_client = Some(id);
                ClientKind::Invite
            }
            Purpose::Reinvite => ClientKind::Reinvite,
            Purpose::Bye | Purpose::Refer | Purpose::Info | Purpose::Notify(_) => ClientKind::NonInvite,
        };
        call.client_txs.push(id);
        self.core.registry.map_client(id, call.id, purpose);
        self.core.tx.start_client(self.now, id, kind, to, Bytes::from(bytes), &mut self.core.deadlines);
    }

    /// The ACK for a 2xx to the INVITE with CSeq `cseq`: a new branch, no transaction
    /// (RFC 3261 section 13.2.2.4).
    pub(super) fn ack(&mut self, cseq: u32) {
        let Some(to) = self.call.destination() else { return };
        let (_, branch) = self.core.tx.new_branch();
        let via = self.core.via(&branch);
        let bytes = self.call.dialog.request_with_cseq("ACK", &via, cseq, &[], None);
        self.core.tx.send_stateless(to, Bytes::from(bytes));
    }

    /// The CANCEL of our INVITE, which copies it (section 9.1).
    pub(super) fn cancel_now(&mut self) {
        let Some(invite) = self.call.invite_client else { return };
        let Some((to, cancel)) =
            self.core.tx.request_of(invite).and_then(|(to, request)| Some((to, write::cancel_for(request)?)))
        else {
            return;
        };
        let (now, deadlines) = (self.now, &mut self.core.deadlines);
        self.core.tx.start_client(now, invite, ClientKind::Cancel, to, Bytes::from(cancel), deadlines);
    }

    /// Answers a request of the call's dialog; `sdp` adds our SDP as the body.
    pub(super) fn respond(&mut self, tx: ServerTxId, code: u16, extra: &[(&str, &str)], sdp: bool) {
        let call = &*self.call;
        let body = sdp.then(|| call.media.local_sdp()).flatten();
        let reply = Reply {
            to_tag: Some(&call.dialog.local_tag),
            extra,
            body: body.map(|sdp| Body { content_type: SDP, bytes: sdp.as_bytes() }),
        };
        self.core.tx.respond(self.now, tx, code, reply, &mut self.core.deadlines);
    }

    /// Answers the INVITE that made the call: with our Contact on 1xx and 2xx, our SDP
    /// on 2xx, and a Warning that says `why` when given.
    pub(super) fn respond_invite(&mut self, code: u16, why: Option<&str>) {
        let Some(tx) = self.call.invite_tx else { return };
        let contact = self.core.local_uri.clone();
        let warning = why.map(write::warning);
        let mut extra: Vec<(&str, &str)> = Vec::with_capacity(3);
        if (101..300).contains(&code) {
            extra.push(("Contact", &contact));
        }
        if (200..300).contains(&code) {
            extra.push(("Supported", crate::sip::SUPPORTED));
        }
        if let Some(warning) = &warning {
            extra.push(("Warning", warning));
        }
        self.respond(tx, code, &extra, (200..300).contains(&code));
    }

    /// Passes a command to the call's media engine.
    pub(super) fn media(&mut self, command: MediaCommand) {
        self.emit(Event::Media { call: self.call.id, command });
    }

    pub(super) fn emit(&mut self, event: Event) {
        self.core.emit(event);
    }
}
