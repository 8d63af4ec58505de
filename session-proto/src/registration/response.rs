//! Reading the registrar's responses into the table's events: the expiry it granted,
//! the address it saw us at, its challenges.

use std::net::{IpAddr, SocketAddr};

use rsipstack::rsip::{Header, Response};

use super::machine::Event;
use super::record::RegistrationRecord;
use crate::endpoint::authorize;
use crate::sip::headers;

/// The event a final response to our REGISTER is; `removing` when it asked Expires 0.
/// Provisional responses are none.
pub(super) fn event_for(
    reg: &RegistrationRecord,
    local: SocketAddr,
    response: &Response,
    removing: bool,
) -> Option<Event> {
    let code = response.status_code.code();
    Some(match code {
        0..200 => return None,
        200..300 if removing => Event::Removed,
        200..300 => Event::Accepted {
            expires: granted(reg, response),
            public_contact: public_contact(reg, local, response),
        },
        401 | 407 => Event::Challenged { code, challenges: authorize::challenges(response) },
        423 => match min_expires(response) {
            Some(min_expires) if min_expires > reg.expires => Event::IntervalTooBrief { min_expires },
            _ => Event::Refused { code, retry_after: None },
        },
        _ => Event::Refused { code, retry_after: retry_after(response) },
    })
}

/// What the registrar granted our Contact: its `expires` parameter in the 2xx's
/// Contact list, else the Expires header, else what we asked (RFC 3261 10.2.4).
fn granted(reg: &RegistrationRecord, response: &Response) -> u32 {
    let ours = response.headers.iter().find_map(|h| match h {
        Header::Contact(v) => split_list(v.value())
            .find(|contact| same_uri(headers::uri_of(contact), &reg.contact))
            .and_then(|contact| headers::param(contact, "expires")?.parse().ok()),
        _ => None,
    });
    let header = || {
        response.headers.iter().find_map(|h| match h {
            Header::Expires(v) => v.value().trim().parse().ok(),
            _ => None,
        })
    };
    ours.or_else(header).unwrap_or(reg.expires)
}

/// The Contact the 2xx's Via says the registrar saw us at (`received`, `rport`, RFC
/// 3581), when it is not ours and we have not switched to it yet.
fn public_contact(reg: &RegistrationRecord, local: SocketAddr, response: &Response) -> Option<String> {
    if reg.public_contact_used {
        return None;
    }
    let via = headers::first(&response.headers, |h| match h {
        Header::Via(v) => Some(v.value()),
        _ => None,
    })?;
    let top = via.split(',').next()?;
    let ip = headers::param(top, "received").and_then(|r| r.parse::<IpAddr>().ok()).unwrap_or(local.ip());
    let port = headers::param(top, "rport").and_then(|p| p.parse::<u16>().ok()).unwrap_or(local.port());
    let seen = SocketAddr::new(ip, port);
    (seen != local).then(|| format!("sip:{}@{seen}", reg.user))
}

/// The seconds of a Retry-After header (`120`, `120;duration=60`, `120 (busy)`).
fn retry_after(response: &Response) -> Option<u32> {
    response.headers.iter().find_map(|h| match h {
        Header::RetryAfter(v) => {
            let value = v.value();
            let digits = value.trim_start().split(|c: char| !c.is_ascii_digit()).next()?;
            digits.parse().ok()
        }
        _ => None,
    })
}

fn min_expires(response: &Response) -> Option<u32> {
    response.headers.iter().find_map(|h| match h {
        Header::MinExpires(v) => v.value().trim().parse().ok(),
        _ => None,
    })
}

/// The entries of a header list (`<sip:a@h>;expires=60, <sip:b@h>`), split at commas
/// outside `<...>` and quotes.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let (mut depth, mut quoted, mut start) = (0u32, false, 0);
    let mut parts = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => depth += 1,
            '>' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty())
}

/// Whether two SIP URIs name the same contact, URI parameters aside.
fn same_uri(a: &str, b: &str) -> bool {
    let bare = |uri: &str| uri.split(';').next().unwrap_or(uri).trim().to_ascii_lowercase();
    bare(a) == bare(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lists_split_outside_brackets_and_quotes() {
        let list: Vec<_> = split_list("\"A, B\" <sip:a@h;x=1,2>;expires=60 , <sip:b@h>;expires=30").collect();
        assert_eq!(list, ["\"A, B\" <sip:a@h;x=1,2>;expires=60", "<sip:b@h>;expires=30"]);
        assert!(same_uri("SIP:alice@127.0.0.1:5060;transport=udp", "sip:alice@127.0.0.1:5060"));
        assert!(!same_uri("sip:alice@127.0.0.1:5061", "sip:alice@127.0.0.1:5060"));
    }
}
