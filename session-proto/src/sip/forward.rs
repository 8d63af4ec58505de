//! Forwarding a request or a response as a stateful proxy does (RFC 3261 section 16).
//!
//! These helpers only rewrite messages; deciding where a request goes (16.5 location
//! lookup), forking, and the transactions on either side belong to the proxy usage.
//! They take the bytes of a message that [`inbound::parse`](super::inbound::parse)
//! accepted, rewrite the lines the RFC requires and copy every other byte unchanged:
//! header order, spelling (compact names such as `v:`), folded continuation lines,
//! Content-Length and the body. Lines they write end with CRLF. Any input is handled
//! without panicking; what cannot be forwarded is a [`ForwardError`].
//!
//! Header lines are split as rsip splits them: a line that starts with a space or a tab
//! continues the header above it, and an empty line ends the header section (whatever
//! follows it is copied as it is).

use std::fmt;

use self::head::{Edit, Field, push_line, set, split, split_first_value, trim_eol, unfold};
use super::headers::{param, uri_of};

mod head;

/// The Max-Forwards written when a request has none (section 16.6 step 3: "the proxy
/// MUST add one with a field value, which SHOULD be 70").
pub const DEFAULT_MAX_FORWARDS: u32 = 70;

/// Says whether a header line goes, given its name and value (see [`Forward::drop_header`]).
pub type DropHeader<'a> = dyn Fn(&str, &str) -> bool + 'a;

/// How to rewrite one request for one target (section 16.6 steps 2 to 8).
#[derive(Clone, Copy)]
pub struct Forward<'a> {
    /// Our full Via value (`SIP/2.0/UDP host:port;branch=z9hG4bK…`), inserted as its own
    /// line above the top Via (step 8). Its branch must start with the magic cookie
    /// `z9hG4bK` (section 8.1.1.7) and be fresh for each target.
    pub via: &'a str,
    /// The target's URI, which replaces the Request-URI (step 2); `None` keeps it.
    pub request_uri: Option<&'a str>,
    /// Our Record-Route value, a name-addr whose URI has `lr` (`<sip:proxy:5060;lr>`),
    /// when we stay on the path of the dialog (step 4). Choosing it is the caller's: a
    /// SIPS Request-URI or top Route, for one, calls for a SIPS URI here.
    pub record_route: Option<&'a str>,
    /// Says whether a Route value designates us; the top Route value is then removed
    /// (section 16.4). It is given the whole value, trimmed and unfolded, such as
    /// `<sip:proxy;lr>` ([`uri_of`] extracts its URI). `None` never removes one.
    pub strip_route: Option<&'a dyn Fn(&str) -> bool>,
    /// Says whether a header line goes, given its name as written and its value
    /// unfolded and trimmed: the proxy removes the Proxy-Authorization credentials for
    /// its own realm (RFC 3261 section 22.3), say. `None` keeps every line.
    pub drop_header: Option<&'a DropHeader<'a>>,
}

impl<'a> Forward<'a> {
    /// Forwarding with our Via only: no retargeting, no Record-Route, no Route removal.
    pub const fn new(via: &'a str) -> Self {
        Self { via, request_uri: None, record_route: None, strip_route: None, drop_header: None }
    }
}

impl fmt::Debug for Forward<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forward")
            .field("via", &self.via)
            .field("request_uri", &self.request_uri)
            .field("record_route", &self.record_route)
            .field("strip_route", &self.strip_route.map(|_| "<fn>"))
            .field("drop_header", &self.drop_header.map(|_| "<fn>"))
            .finish()
    }
}

/// Where a response goes after we removed our Via: the sent-by of the Via below ours
/// (section 18.2.2), corrected by its `received` and `rport` parameters (RFC 3581).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextHop {
    /// The transport of the Via's sent-protocol as written (`UDP`, `TCP`, `TLS`…). Over
    /// a connection-oriented transport section 18.2.2 prefers the connection the
    /// request came in on while it is open; this address is where to go without it.
    pub transport: String,
    /// The `received` address when present, otherwise the sent-by host; an IPv6
    /// address comes without its brackets.
    pub host: String,
    /// The `rport` value when present with one, otherwise the sent-by port, otherwise
    /// 5060 (5061 for TLS, the default port of SIP over TLS).
    pub port: u16,
}

/// Why a message cannot be forwarded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ForwardError {
    /// The bytes have no blank line (CRLF CRLF) that ends the header section.
    #[error("no blank line after the headers (truncated message?)")]
    NoHeaderEnd,
    /// The start line and headers are not UTF-8.
    #[error("the header section is not UTF-8")]
    NotUtf8,
    /// [`forward_request`] was given a start line that is not `METHOD SP Request-URI SP
    /// SIP-Version` (a response, or garbage); the line, clipped, is attached.
    #[error("not a request line: {0:?}")]
    NotARequest(String),
    /// [`forward_response`] was given a start line that is not `SIP-Version SP
    /// Status-Code SP Reason`; the line, clipped, is attached.
    #[error("not a status line: {0:?}")]
    NotAResponse(String),
    /// A header the forwarding rules read is missing or unreadable: no Via, a
    /// Max-Forwards that is not one number, a Via without a sent-by or with a bad port.
    #[error("malformed {header} header: {reason}")]
    Malformed {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The request arrived with `Max-Forwards: 0` and must not be forwarded. Section
    /// 16.3 step 3: "the element MUST return a 483 (Too many hops) response", except
    /// that an OPTIONS request MAY be answered by the proxy itself as its final
    /// recipient (section 11). Both are the caller's to do.
    #[error("Max-Forwards is 0: the request must not be forwarded (answer 483 Too Many Hops)")]
    TooManyHops,
    /// Our Via was the response's only one. Section 16.7 step 3: "the response was meant
    /// for this element and MUST NOT be forwarded"; the caller processes it as a UAC.
    #[error("no Via is left once ours is removed: the response is for us, not to be forwarded")]
    NoViaLeft,
    /// A [`Forward`] field the caller gave cannot be written into a message.
    #[error("invalid {field}: {reason}")]
    InvalidArgument {
        /// The [`Forward`] field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The request to send to one target, rewritten per RFC 3261 section 16.6:
///
/// * step 2: the Request-URI becomes `forward.request_uri` when given; the method and
///   the version are kept.
/// * step 3: "If the copy contains a Max-Forwards header field, the proxy MUST decrement
///   its value by one (1)"; without one, `Max-Forwards: 70` is added below the top Via
///   block (the top Via line and the Via lines right after it). A value of 0 is
///   [`ForwardError::TooManyHops`] (section 16.3 step 3); anything but one number is
///   [`ForwardError::Malformed`].
/// * step 4: the proxy "MUST insert a Record-Route header field value into the copy
///   before any existing Record-Route header field values": our line goes right above
///   the first Record-Route line or, when there is none, below the top Via block (and
///   below an added Max-Forwards). The position of a header among headers of other
///   names carries no meaning (section 7.3.1).
/// * step 7 / section 16.4: "If the first value in the Route header field indicates this
///   proxy, the proxy MUST remove that value from the request": when
///   `forward.strip_route` says the first value of the first Route line is ours, that
///   value goes (the line too when it was its only value). Only loose routing is
///   handled: a Request-URI that is our Record-Route URI (a strict router upstream,
///   16.4) and a next hop without `lr` (step 7's strict-routing rewrite) are not.
/// * step 8: `forward.via` becomes the top Via, on its own line above the first Via.
///
/// Content-Length and the body are copied unchanged. A CANCEL is not forwarded this way
/// by a stateful proxy: it answers it and cancels its own branches (section 16.10).
pub fn forward_request(message: &[u8], forward: &Forward<'_>) -> Result<Vec<u8>, ForwardError> {
    check_arguments(forward)?;
    let (head, rest) = split(message)?;
    let start_line = request_line(head.start, forward.request_uri)?;
    let max_forwards = max_forwards(&head.fields)?;
    let top_via = head.fields.iter().position(|f| f.is(VIA)).ok_or_else(|| no_via("the request"))?;
    let via_lines = head.fields.iter().skip(top_via).take_while(|f| f.is(VIA)).count();
    let via_block_end = top_via + via_lines.saturating_sub(1);
    let first_record_route = head.fields.iter().position(|f| f.is(&["record-route"]));

    let mut edits = vec![Edit::Keep; head.fields.len()];
    if let Some((at, hops)) = max_forwards {
        let name = head.fields.get(at).map_or("Max-Forwards", |f| f.name);
        set(&mut edits, at, Edit::Replace(format!("{name}: {}\r\n", hops.saturating_sub(1))));
    }
    if let Some(drop) = forward.drop_header {
        for (edit, field) in edits.iter_mut().zip(&head.fields) {
            if !field.name.is_empty() && drop(field.name, &unfold(field.value())) {
                *edit = Edit::Drop;
            }
        }
    }
    let route = head.fields.iter().enumerate().find(|(_, f)| f.is(&["route"]));
    if let (Some((at, field)), Some(is_ours)) = (route, forward.strip_route) {
        let (first, rest) = split_first_value(field.value());
        let first = unfold(first);
        if !first.is_empty() && is_ours(&first) {
            set(
                &mut edits,
                at,
                rest.map_or(Edit::Drop, |rest| Edit::Replace(format!("{}: {rest}", field.name))),
            );
        }
    }

    let mut out = Vec::with_capacity(message.len() + forward.via.len() + 64);
    out.extend_from_slice(start_line.as_bytes());
    for (index, (field, edit)) in head.fields.iter().zip(&edits).enumerate() {
        if index == top_via {
            push_line(&mut out, "Via", forward.via);
        }
        if let (Some(record_route), Some(true)) =
            (forward.record_route, first_record_route.map(|at| at == index))
        {
            push_line(&mut out, "Record-Route", record_route);
        }
        edit.write(&mut out, field.text);
        if index == via_block_end {
            if max_forwards.is_none() {
                push_line(&mut out, "Max-Forwards", &DEFAULT_MAX_FORWARDS.to_string());
            }
            if let (Some(record_route), None) = (forward.record_route, first_record_route) {
                push_line(&mut out, "Record-Route", record_route);
            }
        }
    }
    out.extend_from_slice(head.tail.as_bytes());
    out.extend_from_slice(rest);
    Ok(out)
}

/// The response to pass upstream, per RFC 3261 section 16.7 step 3: "The proxy removes
/// the topmost Via header field value from the response", which is one value of a
/// multi-value line or the whole line, and where to send it: the [`NextHop`] read from
/// the Via that is now on top. The caller has matched the response to our client
/// transaction (steps 1 and 2), so the topmost Via is ours; it is not checked here.
///
/// Only the topmost Via is read for the next hop; its `maddr` (section 18.2.2, for
/// multicast) is not considered. Our only Via is [`ForwardError::NoViaLeft`]. The status
/// line, the other headers and the body are copied unchanged.
pub fn forward_response(message: &[u8]) -> Result<(Vec<u8>, NextHop), ForwardError> {
    let (head, rest) = split(message)?;
    if !is_status_line(trim_eol(head.start)) {
        return Err(ForwardError::NotAResponse(clip(trim_eol(head.start))));
    }
    let ours = head.fields.iter().position(|f| f.is(VIA)).ok_or_else(|| no_via("the response"))?;
    let field = head.fields.get(ours).ok_or_else(|| no_via("the response"))?;
    let (first, remaining) = split_first_value(field.value());
    if unfold(first).is_empty() {
        return Err(malformed("Via", "the top Via value is empty".to_owned()));
    }
    let (edit, next) = match remaining {
        Some(remaining) => (Edit::Replace(format!("{}: {remaining}", field.name)), remaining),
        None => {
            let below = head.fields.iter().skip(ours + 1).find(|f| f.is(VIA));
            (Edit::Drop, below.ok_or(ForwardError::NoViaLeft)?.value())
        }
    };
    let next_hop = next_hop(&unfold(split_first_value(next).0))?;

    let mut out = Vec::with_capacity(message.len());
    out.extend_from_slice(head.start.as_bytes());
    for (index, field) in head.fields.iter().enumerate() {
        if index == ours { &edit } else { &Edit::Keep }.write(&mut out, field.text);
    }
    out.extend_from_slice(head.tail.as_bytes());
    out.extend_from_slice(rest);
    Ok((out, next_hop))
}

/// Via and its compact form (section 7.3.3).
const VIA: &[&str] = &["via", "v"];

fn check_arguments(forward: &Forward<'_>) -> Result<(), ForwardError> {
    let invalid = |field, reason| Err(ForwardError::InvalidArgument { field, reason });
    let one_line = |v: &str| !v.trim().is_empty() && !v.contains(['\r', '\n']);
    if !one_line(forward.via) {
        return invalid("via", "must be one non-empty line");
    }
    if !param(forward.via, "branch").is_some_and(|b| b.starts_with("z9hG4bK")) {
        return invalid("via", "needs a branch parameter starting with z9hG4bK (RFC 3261 section 8.1.1.7)");
    }
    let bad_uri =
        |uri: &str| !uri.contains(':') || uri.contains(|c: char| c.is_whitespace() || c.is_control());
    if forward.request_uri.is_some_and(bad_uri) {
        return invalid("request_uri", "must be a URI without whitespace");
    }
    if let Some(record_route) = forward.record_route {
        let name_addr =
            matches!((record_route.find('<'), record_route.find('>')), (Some(a), Some(b)) if a < b);
        if !one_line(record_route) || !name_addr || param(uri_of(record_route), "lr").is_none() {
            return invalid(
                "record_route",
                "must be one <URI> with the lr parameter (RFC 3261 section 16.6 step 4)",
            );
        }
    }
    Ok(())
}

/// The request line, with its Request-URI replaced by `uri` when given.
fn request_line(start: &str, uri: Option<&str>) -> Result<String, ForwardError> {
    let line = trim_eol(start);
    let not_a_request = || ForwardError::NotARequest(clip(line));
    let mut parts = line.split(' ');
    let (Some(method), Some(old_uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_a_request());
    };
    if method.is_empty() || old_uri.is_empty() || method.starts_with("SIP/") || !version.starts_with("SIP/") {
        return Err(not_a_request());
    }
    Ok(match uri {
        Some(uri) => format!("{method} {uri} {version}{}", start.get(line.len()..).unwrap_or("\r\n")),
        None => start.to_owned(),
    })
}

fn is_status_line(line: &str) -> bool {
    let mut parts = line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    version.starts_with("SIP/") && code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Where the Max-Forwards header is and its value.
fn max_forwards(fields: &[Field<'_>]) -> Result<Option<(usize, u32)>, ForwardError> {
    let mut found = None;
    for (at, field) in fields.iter().enumerate().filter(|(_, f)| f.is(&["max-forwards"])) {
        if found.is_some() {
            return Err(malformed("Max-Forwards", "the header appears more than once".to_owned()));
        }
        let value = unfold(field.value());
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed("Max-Forwards", format!("{:?} is not a number", clip(&value))));
        }
        let hops =
            value.parse().map_err(|_| malformed("Max-Forwards", format!("{} is too large", clip(&value))))?;
        if hops == 0 {
            return Err(ForwardError::TooManyHops);
        }
        found = Some((at, hops));
    }
    Ok(found)
}

/// The next hop from a Via value `SIP/2.0/TRANSPORT sent-by;params`.
fn next_hop(via: &str) -> Result<NextHop, ForwardError> {
    let bad = |reason: &str| malformed("Via", format!("{reason} in {:?}", clip(via)));
    let sent = via.split(';').next().unwrap_or("");
    let (protocol, rest) = sent.rsplit_once('/').ok_or_else(|| bad("no SIP/2.0/TRANSPORT"))?;
    let (transport, sent_by) =
        rest.trim_start().split_once(char::is_whitespace).ok_or_else(|| bad("no sent-by"))?;
    let sent_by = sent_by.trim();
    let (host, port) = host_port(sent_by).ok_or_else(|| bad("unreadable sent-by"))?;
    if !protocol.contains('/') || transport.is_empty() || host.is_empty() {
        return Err(bad("no SIP/2.0/TRANSPORT sent-by"));
    }
    let port = match port.map(str::parse::<u16>) {
        Some(Ok(port)) => Some(port),
        Some(Err(_)) => return Err(bad("sent-by port is not a port number")),
        None => None,
    };
    let received = param(via, "received").filter(|r| !r.is_empty());
    let received = received.map(|r| r.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(r));
    let rport = match param(via, "rport").filter(|r| !r.is_empty()) {
        Some(rport) => Some(rport.parse::<u16>().map_err(|_| bad("rport is not a port number"))?),
        None => None,
    };
    let default = if transport.eq_ignore_ascii_case("tls") { 5061 } else { 5060 };
    Ok(NextHop {
        transport: transport.to_owned(),
        host: received.unwrap_or(host).to_owned(),
        port: rport.or(port).unwrap_or(default),
    })
}

/// `host[:port]` or `[IPv6]:port`, the host without brackets.
fn host_port(sent_by: &str) -> Option<(&str, Option<&str>)> {
    if let Some(bracketed) = sent_by.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            after => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match sent_by.split_once(':') {
        Some((_, port)) if port.contains(':') => None,
        Some((host, port)) => Some((host, Some(port))),
        None => Some((sent_by, None)),
    }
}

fn malformed(header: &'static str, reason: String) -> ForwardError {
    ForwardError::Malformed { header, reason }
}

fn no_via(what: &str) -> ForwardError {
    malformed("Via", format!("{what} has no Via"))
}

/// At most 80 characters of `text`, for error messages.
fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests;
