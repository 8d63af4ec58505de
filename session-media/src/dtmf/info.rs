//! DTMF carried in SIP INFO bodies (`application/dtmf-relay`, `application/dtmf`).

use std::time::Duration;

use super::{DtmfError, digit_to_event, event_to_digit};

/// Reads one digit from a DTMF value: a digit character (`5`, `*`, `#`, `a`-`d`
/// as upper case) or an event number `10`-`15` (some phones send `Signal=10`
/// for `*`).
fn parse_signal(value: &str) -> Option<char> {
    let value = value.trim();
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => digit_to_event(c).ok().and_then(event_to_digit),
        _ => value.parse::<u8>().ok().and_then(event_to_digit),
    }
}

/// Extracts the digit from an `application/dtmf-relay` body such as
/// `Signal=5\r\nDuration=160\r\n`. Keys are case-insensitive and spaces
/// around `=` are allowed. Returns `None` when there is no valid `Signal`.
///
/// ```
/// use session_media::dtmf::parse_dtmf_relay;
/// assert_eq!(parse_dtmf_relay("Signal=5\r\nDuration=160\r\n"), Some('5'));
/// assert_eq!(parse_dtmf_relay("signal = #\nduration=250"), Some('#'));
/// assert_eq!(parse_dtmf_relay("Duration=160"), None);
/// ```
pub fn parse_dtmf_relay(body: &str) -> Option<char> {
    body.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        if key.trim().eq_ignore_ascii_case("signal") { parse_signal(value) } else { None }
    })
}

/// Extracts the digit from a SIP INFO body according to its Content-Type:
/// `application/dtmf-relay` (see [`parse_dtmf_relay`]) or `application/dtmf`
/// (the body is just the digit). Parameters after `;` and case are ignored.
/// Other content types give `None`.
///
/// ```
/// use session_media::dtmf::parse_dtmf_info;
/// assert_eq!(parse_dtmf_info("application/dtmf", "7\r\n"), Some('7'));
/// assert_eq!(parse_dtmf_info("Application/DTMF-Relay", "Signal=*"), Some('*'));
/// assert_eq!(parse_dtmf_info("text/plain", "7"), None);
/// ```
pub fn parse_dtmf_info(content_type: &str, body: &str) -> Option<char> {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case("application/dtmf-relay") {
        parse_dtmf_relay(body)
    } else if mime.eq_ignore_ascii_case("application/dtmf") {
        parse_signal(body)
    } else {
        None
    }
}

/// Builds an `application/dtmf-relay` body for sending a digit by SIP INFO
/// (`Duration` is in milliseconds, as the format's users expect).
///
/// ```
/// use std::time::Duration;
/// use session_media::dtmf::dtmf_relay_body;
/// assert_eq!(
///     dtmf_relay_body('5', Duration::from_millis(160)).unwrap(),
///     "Signal=5\r\nDuration=160\r\n"
/// );
/// ```
pub fn dtmf_relay_body(digit: char, duration: Duration) -> Result<String, DtmfError> {
    let event = digit_to_event(digit)?;
    let digit = event_to_digit(event).ok_or(DtmfError::InvalidDigit(digit))?;
    Ok(format!("Signal={digit}\r\nDuration={}\r\n", duration.as_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_variants() {
        assert_eq!(parse_dtmf_relay("Signal=10\r\nDuration=100"), Some('*'));
        assert_eq!(parse_dtmf_relay("Signal=d"), Some('D'));
        assert_eq!(parse_dtmf_relay("Signal=x"), None);
        assert_eq!(parse_dtmf_relay("Signal=99"), None);
        assert_eq!(parse_dtmf_relay(""), None);
        assert_eq!(parse_dtmf_relay("Signal="), None);
        assert_eq!(parse_dtmf_info("application/dtmf", "11"), Some('#'));
        assert_eq!(parse_dtmf_info("application/dtmf; x=y", " 0 "), Some('0'));
        assert!(dtmf_relay_body('z', Duration::ZERO).is_err());
    }
}
