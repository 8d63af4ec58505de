//! The SIP URIs a call is placed to: checked before anything is sent, and turned into
//! the address requests go to.

use std::net::{IpAddr, SocketAddr};

use crate::endpoint::CommandError;

/// Where a `sip:` URI points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// The host: a name, or an IP address without brackets.
    pub host: String,
    /// The port (5060 when the URI names none).
    pub port: u16,
    /// The address, when the host is an IP literal; a name must be looked up.
    pub addr: Option<SocketAddr>,
}

/// Checks `uri` and says where it points, or what is wrong with it.
pub(crate) fn parse(uri: &str) -> Result<Target, String> {
    let Some(rest) = uri.strip_prefix("sip:") else {
        return Err("it does not start with `sip:`".into());
    };
    let rest = rest.split([';', '?', '>']).next().unwrap_or_default();
    let host_port = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let (host, port) = split_port(host_port)?;
    if host.is_empty() {
        return Err("it names no host".into());
    }
    let addr = host.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, port));
    let is_name = host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if addr.is_none() && !is_name {
        return Err(format!("`{host}` is neither an IP address nor a host name"));
    }
    Ok(Target { host: host.to_owned(), port, addr })
}

/// Checks that `uri` is a SIP URI a call can be placed to, or a peer transferred to,
/// without sending anything: the check that dialing and a blind transfer make first.
///
/// ```
/// assert!(session_proto::check_target("sip:bob@127.0.0.1:5060").is_ok());
/// assert!(session_proto::check_target("bob@127.0.0.1").is_err());
/// ```
pub fn check_target(uri: &str) -> Result<(), CommandError> {
    parse(uri).map(drop).map_err(|why| CommandError::InvalidTarget { target: uri.to_owned(), why })
}

/// The address of a SIP URI whose host is an IP literal (a Contact, say).
pub(crate) fn addr_of(uri: &str) -> Option<SocketAddr> {
    parse(uri).ok()?.addr
}

/// `host[:port]`, with IPv6 hosts in brackets (`[::1]:5060`).
fn split_port(host_port: &str) -> Result<(&str, u16), String> {
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("its IPv6 address has no closing `]`")?;
            (host, after.strip_prefix(':'))
        }
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    let port = match port {
        None => 5060,
        Some(text) => match text.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(format!("`{text}` is not a port number (1-65535)")),
        },
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_names_and_mistakes() {
        let v4 = parse("sip:bob@127.0.0.1:5070;transport=udp").unwrap();
        assert_eq!(v4.addr, Some("127.0.0.1:5070".parse().unwrap()));
        let v6 = parse("sip:[::1]").unwrap();
        assert_eq!(v6.addr, Some("[::1]:5060".parse().unwrap()));
        let name = parse("sip:alice@pbx.example.com").unwrap();
        assert_eq!((name.host.as_str(), name.port, name.addr), ("pbx.example.com", 5060, None));
        assert!(parse("bob@127.0.0.1").unwrap_err().contains("sip:"));
        assert!(parse("sip:bob@127.0.0.1:99999").unwrap_err().contains("99999"));
        assert!(parse("sip:bob@").unwrap_err().contains("no host"));
        assert!(parse("sip:bob@bad host").is_err());
    }
}
