//! Dialog state (RFC 3261 section 12): the identifiers, sequence numbers, target and
//! route set that every request inside a dialog is built from. Nothing here is
//! INVITE-shaped: a dialog made by SUBSCRIBE or REFER is the same struct; what a usage
//! does with it (ACK, CANCEL, offers) is the usage's own.

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
}

impl Dialog {
    /// The side that sends the dialog-creating request, before any response: `target`
    /// is its Request-URI. The first [`Dialog::request`] carries CSeq 1.
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
            local_cseq: 0,
            remote_cseq: None,
        }
    }

    /// The side that answers the dialog-creating request, from that request (section
    /// 12.1.1).
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
            target_of(&request.headers).map_or_else(|| request.uri.to_string(), str::to_owned);
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
        }
    }

    /// A provisional (past 100) or 2xx response to the dialog-creating request fixes the
    /// peer's tag, target and (reversed) route set.
    pub fn on_response(&mut self, response: &Response, essentials: &Essentials) {
        if let Some(tag) = &essentials.to_tag {
            self.remote_tag = Some(tag.clone());
        }
        if let Some(contact) = target_of(&response.headers) {
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

    /// A new request in the dialog with the next CSeq: the dialog-creating request
    /// itself, then BYE, re-INVITE, REFER, INFO, NOTIFY. Returns its CSeq and bytes.
    pub fn request(
        &mut self,
        method: &str,
        via: &str,
        extra: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> (u32, Vec<u8>) {
        self.local_cseq += 1;
        let cseq = self.local_cseq;
        (cseq, self.request_with_cseq(method, via, cseq, extra, body))
    }

    /// A request with a given CSeq number: the ACK for a 2xx reuses its INVITE's
    /// (section 13.2.2.4) with a new branch.
    pub fn request_with_cseq(
        &self,
        method: &str,
        via: &str,
        cseq: u32,
        extra: &[(&str, &str)],
        body: Option<Body<'_>>,
    ) -> Vec<u8> {
        let routes = self.route_set.iter().map(|r| ("Route", r.as_str()));
        let headers: Vec<(&str, &str)> = routes.chain(extra.iter().copied()).collect();
        let line = RequestLine {
            method,
            uri: &self.remote_target,
            via,
            from: &self.from_value(),
            to: &self.to_value(),
            call_id: &self.call_id,
            cseq,
        };
        write::request(&line, &headers, body)
    }
}

/// The Contact URI, when it can be the Request-URI of our requests: one word with a
/// scheme, free of the characters that delimit a URI (RFC 3261 section 25.1), that
/// parses as a URI. Another (found by tests/fuzz_endpoint.rs: a Contact with port
/// 2147483647, a space in its host, or no closing `>` made BYEs that no parser
/// reads) counts as no Contact.
fn target_of(headers: &rsipstack::rsip::Headers) -> Option<&str> {
    contact_uri(headers).filter(|uri| {
        uri.contains(':')
            && !uri.contains(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
            && rsipstack::rsip::Uri::try_from(*uri).is_ok()
    })
}

/// A From/To value without its tag parameter: `"Bob" <sip:bob@h>;tag=1` → `"Bob" <sip:bob@h>`.
fn strip_params(value: &str) -> String {
    match value.rfind('>') {
        Some(end) => value[..=end].to_owned(),
        None => format!("<{}>", value.split(';').next().unwrap_or(value).trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::inbound::{Inbound, parse};

    fn message(start: &str, contact: &str) -> Vec<u8> {
        format!(
            "{start}\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:alice@h>;tag=a\r\n\
             To: <sip:bob@h>;tag=b\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContact: {contact}\r\nContent-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_contact_that_cannot_be_a_request_uri_is_no_target() {
        let bad =
            ["<sip:alice@127.0.0.1:2147483647>", "<sip:alice@127.001 0-15.0.1:5070>", "<sip", "<sip:a@h;x<<"];
        for contact in bad {
            let Ok(Inbound::Request(invite, essentials)) =
                parse(&message("INVITE sip:bob@h SIP/2.0", contact), "")
            else {
                panic!("an INVITE with Contact {contact}");
            };
            let mut dialog = Dialog::uas(&invite, &essentials, "b".into(), "<sip:bob@h>".into());
            assert_eq!(dialog.remote_target, "sip:bob@h", "{contact}");
            let (_, bye) = dialog.request("BYE", "SIP/2.0/UDP h;branch=z9hG4bK2", &[], None);
            assert!(parse(&bye, "").is_ok(), "{}", String::from_utf8_lossy(&bye));
            let Ok(Inbound::Response(ok, essentials)) = parse(&message("SIP/2.0 200 OK", contact), "") else {
                panic!("a 200 with Contact {contact}");
            };
            let mut dialog =
                Dialog::uac("c".into(), "a".into(), "<sip:alice@h>".into(), "sip:bob@h", String::new());
            dialog.on_response(&ok, &essentials);
            assert_eq!(
                (dialog.remote_target.as_str(), dialog.remote_tag.as_deref()),
                ("sip:bob@h", Some("b"))
            );
        }
    }
}
