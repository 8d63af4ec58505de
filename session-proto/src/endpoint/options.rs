//! The endpoint's second usage: OPTIONS (RFC 3261 section 11) and MESSAGE (RFC 3428),
//! in a dialog or outside one. Neither creates state: each is answered at once.

use std::net::SocketAddr;
use std::time::Instant;

use rsipstack::rsip::Request;

use super::core::Core;
use super::event::{Event, IncomingMessage};
use crate::sip::headers;
use crate::sip::transaction::ServerTxId;

/// The methods this usage answers.
pub(crate) const METHODS: &[&str] = &["OPTIONS", "MESSAGE"];

/// The bodies a MESSAGE may carry for us to read.
const READABLE: &str = "text/plain";

/// OPTIONS: 200 with what we handle: methods, body types, extensions (section 11.2).
pub(crate) fn options(core: &mut Core, now: Instant, tx: ServerTxId) {
    let allow = core.allow.clone();
    let supported = ("Supported", crate::sip::SUPPORTED);
    core.reply(now, tx, 200, &[("Allow", &allow), ("Accept", "application/sdp"), supported]);
}

/// MESSAGE: a text we can read is handed to the application and answered 200; any
/// other body 415 Unsupported Media Type with the one we accept (RFC 3428 section 7).
pub(crate) fn message(core: &mut Core, now: Instant, tx: ServerTxId, request: &Request, source: SocketAddr) {
    let Some(text) = readable_text(request) else {
        return core.reply(now, tx, 415, &[("Accept", READABLE)]);
    };
    let message = IncomingMessage {
        from: headers::from_uri(&request.headers).unwrap_or_default().to_owned(),
        to: headers::to_uri(&request.headers).unwrap_or_default().to_owned(),
        text,
        source,
    };
    core.reply(now, tx, 200, &[]);
    core.emit(Event::Message(message));
}

/// The body as text, when it is `text/plain` in UTF-8 (the default charset we assume
/// when none is named, RFC 3428 section 9) or US-ASCII.
fn readable_text(request: &Request) -> Option<String> {
    let content_type = headers::content_type(&request.headers).unwrap_or(READABLE).to_ascii_lowercase();
    let mut parts = content_type.split(';').map(str::trim);
    if parts.next() != Some(READABLE) {
        return None;
    }
    let charset_ok = parts
        .filter_map(|p| p.strip_prefix("charset="))
        .all(|c| matches!(c.trim_matches('"'), "utf-8" | "us-ascii"));
    charset_ok.then(|| String::from_utf8(request.body.clone()).ok()).flatten()
}
