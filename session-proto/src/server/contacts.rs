//! What a REGISTER asks for (RFC 3261 section 10.3 steps 6 to 8): its Contact values,
//! each with the expiry it gets, read from the headers as they arrived.

use rsipstack::rsip::{Header, Headers};

use crate::sip::headers::{param, uri_of};

/// The Contact header field of a REGISTER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Contacts {
    /// No Contact: the registrar only lists the current bindings.
    Query,
    /// `Contact: *` with `Expires: 0`: remove every binding.
    RemoveAll,
    /// These contacts, each with its expiry in seconds (0 removes it), in order.
    Set(Vec<(String, u32)>),
}

/// Why a REGISTER's contacts cannot be processed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 400 Bad Request, saying why.
    Malformed(&'static str),
    /// 423 Interval Too Brief: a contact asks for less than the minimum (not 0).
    TooBrief,
}

/// The limits the registrar grants expiries within.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expiries {
    pub min: u32,
    pub max: u32,
    pub default: u32,
}

/// Reads the contacts of a REGISTER and the expiry each gets: its `expires` parameter,
/// else the Expires header, else the default; longer than the maximum is cut to it;
/// shorter than the minimum (but not 0) refuses the whole request (section 10.3 step 7).
pub(crate) fn read(headers: &Headers, limits: Expiries) -> Result<Contacts, Refusal> {
    let mut expires_header = None;
    let mut values = Vec::new();
    for header in headers.iter() {
        match header {
            Header::Expires(v) => {
                if expires_header.is_some() {
                    return Err(Refusal::Malformed("more than one Expires header"));
                }
                expires_header =
                    Some(seconds(v.value()).ok_or(Refusal::Malformed("Expires is not a number"))?);
            }
            Header::Contact(v) => values.extend(split_values(v.value())),
            _ => {}
        }
    }
    if values.is_empty() {
        return Ok(Contacts::Query);
    }
    if values.iter().any(|v| v.trim() == "*") {
        return match (values.len(), expires_header) {
            (1, Some(0)) => Ok(Contacts::RemoveAll),
            (1, _) => Err(Refusal::Malformed("Contact: * needs Expires: 0")),
            _ => Err(Refusal::Malformed("Contact: * must be the only contact")),
        };
    }
    let mut set = Vec::with_capacity(values.len());
    for value in values {
        let uri = uri_of(value.trim());
        let unwritable = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',');
        if uri.is_empty() || !uri.contains(':') || uri.contains(unwritable) {
            return Err(Refusal::Malformed("a Contact that is not a URI"));
        }
        let asked = match param(&value, "expires") {
            Some(text) => {
                Some(seconds(text).ok_or(Refusal::Malformed("an expires parameter is not a number"))?)
            }
            None => expires_header,
        };
        let granted = match asked.unwrap_or(limits.default) {
            0 => 0,
            short if short < limits.min => return Err(Refusal::TooBrief),
            long => long.min(limits.max),
        };
        set.push((uri.to_owned(), granted));
    }
    Ok(Contacts::Set(set))
}

/// A delta-seconds value; one past 2³²−1 counts as 2³²−1 (section 10.2.1.1 allows any
/// size, and the maximum cuts it anyway).
fn seconds(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u32>().unwrap_or(u32::MAX))
}

/// The values of a comma-separated header (section 7.3.1); commas inside `<…>` or a
/// quoted string do not separate values.
pub(crate) fn split_values(raw: &str) -> Vec<String> {
    let (mut values, mut start) = (Vec::new(), 0);
    let (mut quoted, mut escaped, mut angle) = (false, false, false);
    for (at, c) in raw.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                values.push(raw.get(start..at).unwrap_or("").trim().to_owned());
                start = at + 1;
            }
            _ => {}
        }
    }
    values.push(raw.get(start..).unwrap_or("").trim().to_owned());
    values.retain(|v| !v.is_empty());
    values
}

#[cfg(test)]
mod tests {
    use rsipstack::rsip::Request;

    use super::*;

    const LIMITS: Expiries = Expiries { min: 60, max: 3600, default: 1800 };

    fn headers(lines: &str) -> Headers {
        let text = format!(
            "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n{lines}Content-Length: 0\r\n\r\n"
        );
        Request::try_from(text.as_bytes()).expect("a request").headers
    }

    #[test]
    fn each_contact_gets_its_own_expiry_the_header_or_the_default_within_the_limits() {
        let several = read(
            &headers(
                "Contact: <sip:a@192.0.2.1:5060;transport=udp>;expires=120, \"B, b\" <sip:b@192.0.2.2>\r\n\
                 Contact: sip:c@192.0.2.3;expires=99999\r\nExpires: 300\r\n",
            ),
            LIMITS,
        );
        let expected = [
            ("sip:a@192.0.2.1:5060;transport=udp", 120),
            ("sip:b@192.0.2.2", 300),
            ("sip:c@192.0.2.3", 3600),
        ];
        assert_eq!(several, Ok(Contacts::Set(expected.map(|(u, e)| (u.to_owned(), e)).to_vec())));
        let default = read(&headers("Contact: <sip:a@192.0.2.1>\r\n"), LIMITS);
        assert_eq!(default, Ok(Contacts::Set(vec![("sip:a@192.0.2.1".into(), 1800)])));
        let zero = read(&headers("Contact: <sip:a@192.0.2.1>;expires=0\r\n"), LIMITS);
        assert_eq!(zero, Ok(Contacts::Set(vec![("sip:a@192.0.2.1".into(), 0)])));
    }

    #[test]
    fn the_wildcard_a_query_and_what_is_refused() {
        assert_eq!(read(&headers("Contact: *\r\nExpires: 0\r\n"), LIMITS), Ok(Contacts::RemoveAll));
        assert_eq!(read(&headers(""), LIMITS), Ok(Contacts::Query));
        assert!(matches!(read(&headers("Contact: *\r\n"), LIMITS), Err(Refusal::Malformed(_))));
        assert!(matches!(
            read(&headers("Contact: *\r\nExpires: 60\r\n"), LIMITS),
            Err(Refusal::Malformed(_))
        ));
        let star_and_one = "Contact: *, <sip:a@192.0.2.1>\r\nExpires: 0\r\n";
        assert!(matches!(read(&headers(star_and_one), LIMITS), Err(Refusal::Malformed(_))));
        let brief = "Contact: <sip:a@192.0.2.1>;expires=59\r\n";
        assert_eq!(read(&headers(brief), LIMITS), Err(Refusal::TooBrief));
        assert_eq!(read(&headers("Contact: <sip:a@h>\r\nExpires: 30\r\n"), LIMITS), Err(Refusal::TooBrief));
        let bad = "Contact: <sip:a@h>;expires=soon\r\n";
        assert!(matches!(read(&headers(bad), LIMITS), Err(Refusal::Malformed(_))));
        assert!(matches!(read(&headers("Contact: <nothing>\r\n"), LIMITS), Err(Refusal::Malformed(_))));
        let unwritable = "Contact: sip:a@h>x\r\n";
        assert!(
            matches!(read(&headers(unwritable), LIMITS), Err(Refusal::Malformed(_))),
            "it would be echoed back"
        );
    }
}
