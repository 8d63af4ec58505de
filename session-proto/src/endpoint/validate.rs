//! The checks a UAS makes before it processes a request (RFC 3261 section 8.2), in the
//! section's order: the method (8.2.1, 405), the Request-URI scheme (8.2.2.1, 416), the
//! extensions it requires (8.2.2.3, 420), the body (8.2.3, 415), and what the response
//! may carry (the Accept header, 406). A proxy checks the scheme and Proxy-Require
//! instead (section 16.3). CANCEL and ACK are not checked here: a CANCEL is matched to
//! its INVITE, and Require must be ignored in both (section 8.2.2.3).

use rsipstack::rsip::{Header, Method, Request, Scheme};

use crate::sip::body::{self, media_type};
use crate::sip::{SUPPORTED, headers};

/// Why a request is turned away: the status and the headers the RFC asks it to carry.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The status code.
    pub code: u16,
    /// Unsupported, Accept, Accept-Encoding or Allow, as the code needs.
    pub headers: Vec<(&'static str, String)>,
}

impl Refusal {
    fn new(code: u16, headers: Vec<(&'static str, String)>) -> Self {
        Self { code, headers }
    }
}

/// The checks of section 8.2, for a request the endpoint handles as a user agent.
/// `allow` is the endpoint's Allow value.
pub(crate) fn as_user_agent(request: &Request, allow: &str) -> Result<(), Refusal> {
    let method = request.method.to_string();
    if !allow.split(',').any(|m| m.trim() == method) {
        return Err(Refusal::new(405, vec![("Allow", allow.to_owned())]));
    }
    scheme(request)?;
    required(request, |h| match h {
        Header::Require(v) => Some(v.value()),
        _ => None,
    })?;
    content(request)?;
    if request.method == Method::Invite && !accepts_sdp(request) {
        return Err(Refusal::new(406, vec![("Accept", SDP.to_owned())]));
    }
    Ok(())
}

/// What a proxy checks before it forwards (section 16.3): the Request-URI scheme, and
/// the extensions Proxy-Require asks of proxies (we implement none).
pub(crate) fn as_proxy(request: &Request) -> Result<(), Refusal> {
    scheme(request)?;
    required(request, |h| match h {
        Header::ProxyRequire(v) => Some(v.value()),
        _ => None,
    })
}

/// 420 Bad Extension, with `Unsupported:` naming them, when the option tags of the
/// headers `pick` reads hold some we do not support.
fn required<'a>(request: &'a Request, pick: impl Fn(&'a Header) -> Option<&'a str>) -> Result<(), Refusal> {
    let unsupported = unsupported(request, pick);
    if unsupported.is_empty() {
        return Ok(());
    }
    Err(Refusal::new(420, vec![("Unsupported", unsupported.join(", "))]))
}

const SDP: &str = "application/sdp";

/// The body types a method's requests may carry for us to read (a multipart body with
/// an SDP part counts as SDP where SDP is read).
fn readable(method: Method) -> &'static [&'static str] {
    match method {
        Method::Invite | Method::Update | Method::PRack => &[SDP],
        Method::Info => &["application/dtmf-relay", "application/dtmf"],
        Method::Notify => &["message/sipfrag"],
        Method::Message => &["text/plain"],
        _ => &[],
    }
}

/// 416 for a Request-URI that is not sip, sips or tel (section 8.2.2.1).
fn scheme(request: &Request) -> Result<(), Refusal> {
    match &request.uri.scheme {
        None | Some(Scheme::Sip | Scheme::Sips) => Ok(()),
        Some(Scheme::Other(other)) if other.eq_ignore_ascii_case("tel") => Ok(()),
        Some(Scheme::Other(_)) => Err(Refusal::new(416, Vec::new())),
    }
}

/// The option tags of the headers `pick` chooses that we do not support.
fn unsupported<'a>(request: &'a Request, pick: impl Fn(&'a Header) -> Option<&'a str>) -> Vec<&'a str> {
    let supported = |tag: &str| SUPPORTED.split(',').any(|s| s.trim().eq_ignore_ascii_case(tag));
    request
        .headers
        .iter()
        .filter_map(pick)
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && !supported(tag))
        .collect()
}

/// 415 for a body we cannot read and may not ignore (section 8.2.3): a type the method
/// does not carry for us, or an encoding other than identity.
fn content(request: &Request) -> Result<(), Refusal> {
    // A NOTIFY of an event package we do not subscribe to is refused 489 by its usage
    // (RFC 6665 section 8.2.1), whatever its body.
    let other_event = request.method == Method::Notify && !crate::call::is_refer_event(request);
    if request.body.is_empty() || other_event {
        return Ok(());
    }
    let disposition = headers::first(&request.headers, |h| match h {
        Header::ContentDisposition(v) => Some(v.value()),
        _ => None,
    });
    if disposition.is_some_and(body::is_optional) {
        return Ok(());
    }
    let encoded = request.headers.iter().any(|h| match h {
        Header::ContentEncoding(v) => {
            v.value().split(',').any(|e| !e.trim().eq_ignore_ascii_case("identity"))
        }
        _ => false,
    });
    let readable = readable(request.method);
    let accept = || ("Accept", readable.join(", "));
    if encoded {
        return Err(Refusal::new(415, vec![accept(), ("Accept-Encoding", "identity".to_owned())]));
    }
    // A body must come with its Content-Type (section 20.15); one without is taken to
    // be of the type the method carries, as the usages read it.
    let content_type = headers::content_type(&request.headers).or(readable.first().copied()).unwrap_or("");
    let understood = readable.contains(&media_type(content_type).as_str())
        || (readable.contains(&SDP) && body::sdp(content_type, &request.body).is_some());
    match understood {
        true => Ok(()),
        false => Err(Refusal::new(415, vec![accept()])),
    }
}

/// Whether the request's Accept headers, if any, allow an SDP body in the answer
/// (no Accept header means `application/sdp`, section 20.1; an empty one, nothing).
fn accepts_sdp(request: &Request) -> bool {
    let mut values = request
        .headers
        .iter()
        .filter_map(|h| match h {
            Header::Accept(v) => Some(v.value()),
            _ => None,
        })
        .peekable();
    if values.peek().is_none() {
        return true;
    }
    values.flat_map(|v| v.split(',')).any(|range| {
        let mut params = range.split(';');
        let matches =
            matches!(media_type(params.next().unwrap_or("")).as_str(), "*/*" | "application/*" | SDP);
        let refused = params.any(|p| {
            p.split_once('=').is_some_and(|(name, q)| {
                name.trim().eq_ignore_ascii_case("q") && q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        matches && !refused
    })
}
