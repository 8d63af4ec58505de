//! What answering a digest challenge needs from a response, for every usage that
//! sends requests: the challenges of a 401 or a 407 (RFC 3261 section 22).

use rsipstack::rsip::{Header, Response};

/// The challenges a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) carries, one
/// per header line, in order; none for any other status.
pub(crate) fn challenges(response: &Response) -> Vec<String> {
    let code = response.status_code.code();
    response
        .headers
        .iter()
        .filter_map(|h| match h {
            Header::WwwAuthenticate(v) if code == 401 => Some(v.value().to_owned()),
            Header::ProxyAuthenticate(v) if code == 407 => Some(v.value().to_owned()),
            _ => None,
        })
        .collect()
}

/// The request header that answers a challenge of status `code`.
pub(crate) fn answer_header(code: u16) -> &'static str {
    if code == 407 { "Proxy-Authorization" } else { "Authorization" }
}
