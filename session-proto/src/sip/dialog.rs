//! Dialog state (RFC 3261 section 12): the identifiers, sequence numbers, target and
//! route set that every request inside a call is built from.

use rsipstack::rsip::{Header, Request, Response};

use super::headers::{Essentials, contact_uri};
use super::write::{self, Body, RequestLine};

/// One dialog, from our side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog {
    /// Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag, once known.
    pub remote_tag: Option<String>,
    /// Our URI (From of our requests), in angle brackets.
    pub local_uri: String,
    /// The peer's URI (To of our requests), in angle brackets.
    pub remote_uri: String,
    /// Where in-dialog requests go: the peer's Contact (or the target we dialled).
    pub remote_target: String,
    /// Route headers for in-dialog requests, in order.
    pub route_set: Vec<String>,
    /// Our Contact value.
    pub local_contact: String,
    /// CSeq of our last request.
    pub local_cseq: u32,
    /// CSeq of the peer's last request.
    pub remote_cseq: Option<u32>,
    /// CSeq of the INVITE that created the dialog (ACK and CANCEL reuse it).
    pub invite_cseq: u32,
}

impl Dialog {
    /// The caller's side, before any response: `target` is the Request-URI dialled.
    pub fn uac(
        call_id: String,
        local_tag: String,
        local_uri: String,
        target: &str,
        local_contact: String,
    ) -> Self {
        Self {
            call_id,
            local_tag,
            remote_tag: None,
            local_uri,
            remote_uri: format!("<{target}>"),
            remote_target: target.to_owned(),
            route_set: Vec::new(),
            local_contact,
            local_cseq: 1,
            remote_cseq: None,
            invite_cseq: 1,
        }
    }

    /// The callee's side, from the INVITE (section 12.1.1).
    pub fn uas(request: &Request, essentials: &Essentials, local_tag: String, local_contact: String) -> Self {
        let mut remote_uri = String::new();
        let mut local_uri = String::new();
        let mut route_set = Vec::new();
        for header in request.headers.iter() {
            match header {
                Header::From(v) => remote_uri = strip_params(v.value()),
                Header::To(v) => local_uri = strip_params(v.value()),
                Header::RecordRoute(v) => route_set.push(v.value().to_owned()),
                _ => {}
            }
        }
        let remote_target =
            contact_uri(&request.headers).map_or_else(|| request.uri.to_string(), str::to_owned);
        Self {
            call_id: essentials.call_id.clone(),
            local_tag,
            remote_tag: essentials.from_tag.clone(),
            local_uri,
            remote_uri,
            remote_target,
            route_set,
            local_contact,
            local_cseq: 0,
            remote_cseq: Some(essentials.cseq),
            invite_cseq: essentials.cseq,
        }
    }

    /// A provisional or 2xx response to our INVITE fixes the peer's tag, target and
    /// (reversed) route set.
    pub fn on_invite_response(&mut self, response: &Response, essentials: &Essentials) {
        if let Some(tag) = &essentials.to_tag {
            self.remote_tag = Some(tag.clone());
        }
        if let Some(contact) = contact_uri(&response.headers) {
            self.remote_target = contact.to_owned();
        }
        let routes: Vec<String> = response
            .headers
            .iter()
            .filter_map(|h| match h {
                Header::RecordRoute(v) => Some(v.value().to_owned()),
                _ => None,
            })
            .collect();
        if !routes.is_empty() {
            self.route_set = routes.into_iter().rev().collect();
        }
    }

    /// Accepts a request's CSeq: false when it is lower than the last one (answer 500,
    /// section 12.2.2).
    pub fn accept_remote_cseq(&mut self, cseq: u32) -> bool {
        if self.remote_cseq.is_some_and(|last| cseq < last) {
            return false;
        }
        self.remote_cseq = Some(cseq);
        true
    }

    /// Our From value.
    pub fn from_value(&self) -> String {
        format!("{};tag={}", self.local_uri, self.local_tag)
    }

    /// Our To value (with the peer's tag once known).
    pub fn to_value(&self) -> String {
        match &self.remote_tag {
            Some(tag) => format!("{};tag={tag}", self.remote_uri),
            None => self.remote_uri.clone(),
        }
    }

    /// A new in-dialog request (BYE, re-INVITE, REFER, INFO, NOTIFY) with the next CSeq.
    pub fn request(
        &mut self,
        method: &str,
        via: &str,
        extra: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Vec<u8> {
        self.local_cseq += 1;
        let cseq = self.local_cseq;
        self.write(method, via, cseq, extra, body)
    }

    /// The ACK for a 2xx to the INVITE with CSeq `cseq` (a new branch, section 13.2.2.4).
    pub fn ack(&self, via: &str, cseq: u32) -> Vec<u8> {
        self.write("ACK", via, cseq, &[], None)
    }

    /// The initial INVITE (CSeq 1), to the dialled target.
    pub fn invite(&self, via: &str, body: Option<Body<'_>>) -> Vec<u8> {
        let contact = self.local_contact.clone();
        self.write(
            "INVITE",
            via,
            self.invite_cseq,
            &[("Contact", &contact), ("Allow", super::inbound::ALLOWED)],
            body,
        )
    }

    /// The CANCEL for our INVITE: its Request-URI, Via, From, To and CSeq number.
    pub fn cancel(&self, invite_via: &str) -> Vec<u8> {
        let line = RequestLine {
            method: "CANCEL",
            uri: &self.remote_target_for_initial(),
            via: invite_via,
            from: &self.from_value(),
            to: &self.remote_uri,
            call_id: &self.call_id,
            cseq: self.invite_cseq,
        };
        write::request(&line, &[], None)
    }

    fn remote_target_for_initial(&self) -> String {
        self.remote_uri.trim_start_matches('<').trim_end_matches('>').to_owned()
    }

    fn write(
        &self,
        method: &str,
        via: &str,
        cseq: u32,
        extra: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Vec<u8> {
        let routes: Vec<(&str, &str)> = self.route_set.iter().map(|r| ("Route", r.as_str())).collect();
        let mut headers: Vec<(&str, &str)> = routes;
        headers.extend_from_slice(extra);
        let uri = if method == "INVITE" && self.remote_tag.is_none() {
            self.remote_target_for_initial()
        } else {
            self.remote_target.clone()
        };
        let line = RequestLine {
            method,
            uri: &uri,
            via,
            from: &self.from_value(),
            to: &self.to_value(),
            call_id: &self.call_id,
            cseq,
        };
        write::request(&line, &headers, body)
    }
}

/// A From/To value without its tag parameter: `"Bob" <sip:bob@h>;tag=1` → `"Bob" <sip:bob@h>`.
fn strip_params(value: &str) -> String {
    match value.rfind('>') {
        Some(end) => value[..=end].to_owned(),
        None => format!("<{}>", value.split(';').next().unwrap_or(value).trim()),
    }
}
