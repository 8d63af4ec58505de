//! The SIP URIs a call is placed to: checked before anything is sent, and turned into
//! the address requests go to.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

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

/// The host and port a SIP URI points to (5060 when it names no port), checked as
/// [`check_target`] checks it: what a driver looks up for an outbound proxy or a
/// registrar given as a URI.
///
/// ```
/// let (host, port) = session_proto::target_host_port("sip:proxy.example.com:5070").unwrap();
/// assert_eq!((host.as_str(), port), ("proxy.example.com", 5070));
/// assert!(session_proto::target_host_port("sip:proxy.example.com:99999").is_err());
/// ```
pub fn target_host_port(uri: &str) -> Result<(String, u16), CommandError> {
    parse(uri)
        .map(|target| (target.host, target.port))
        .map_err(|why| CommandError::InvalidTarget { target: uri.to_owned(), why })
}

/// A target (a callee, a registrar) whose IP address is of the other version than the
/// socket the peer is bound to: an IPv4 socket cannot send to an IPv6 address, nor the
/// reverse. Found before anything is sent; the message says what to bind instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct IpVersionMismatch {
    /// The URI that was given.
    pub target: String,
    /// Its address.
    pub addr: SocketAddr,
    /// The address this peer is bound to.
    pub local: SocketAddr,
}

impl IpVersionMismatch {
    /// `Err` when `addr`, the address of `target`, cannot be reached from `local`.
    pub(crate) fn check(target: &str, addr: SocketAddr, local: SocketAddr) -> Result<(), Self> {
        if addr.is_ipv4() == local.is_ipv4() {
            return Ok(());
        }
        Err(Self { target: target.to_owned(), addr, local })
    }
}

impl fmt::Display for IpVersionMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let version = |a: &SocketAddr| if a.is_ipv4() { "IPv4" } else { "IPv6" };
        let (theirs, ours) = (version(&self.addr), version(&self.local));
        write!(f, "{} is {theirs} but this peer is bound to {} ({ours}); ", self.target, self.local)?;
        match (self.addr.ip().is_loopback(), self.addr.is_ipv4()) {
            (true, true) => f.write_str("bind an IPv4 address such as 127.0.0.1:0"),
            (true, false) => f.write_str("bind an IPv6 address such as [::1]:0"),
            (false, _) => write!(f, "bind one of this host's {theirs} addresses (port 0 picks a free port)"),
        }
    }
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
            match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None if after.is_empty() => (host, None),
                None => return Err(format!("`{after}` after its IPv6 address is not `:PORT`")),
            }
        }
        None if host_port.parse::<Ipv6Addr>().is_ok() => {
            return Err(format!(
                "an IPv6 address goes in brackets in a SIP URI, as in sip:bob@[{host_port}]:5060"
            ));
        }
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    let port = match port {
        None => 5060,
        Some(text) => port_number(text)?,
    };
    Ok((host, port))
}

/// A port: 1 to 65535, in decimal.
fn port_number(text: &str) -> Result<u16, String> {
    if text.is_empty() {
        return Err("it has a `:` but no port after it".into());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a port number (1–65535)"));
    }
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!("port {text} is out of range (1–65535)")),
    }
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
        assert!(parse("sip:bob@bad host").unwrap_err().contains("neither an IP address nor a host name"));
    }

    #[test]
    fn a_port_out_of_range_is_named_so_not_a_bad_host() {
        for (uri, says) in [
            ("sip:bob@127.0.0.1:99999", "port 99999 is out of range (1–65535)"),
            ("sip:bob@127.0.0.1:0", "port 0 is out of range (1–65535)"),
            ("sip:bob@[::1]:65536", "port 65536 is out of range (1–65535)"),
            ("sip:bob@example.com:123456789012345678901234567890", "is out of range (1–65535)"),
            ("sip:bob@127.0.0.1:50x", "`50x` is not a port number (1–65535)"),
            ("sip:bob@127.0.0.1:", "no port after it"),
            ("sip:bob@::1", "in brackets in a SIP URI, as in sip:bob@[::1]:5060"),
            ("sip:bob@[::1]x", "is not `:PORT`"),
        ] {
            let why = parse(uri).unwrap_err();
            assert!(why.contains(says), "{uri}: {why}");
            assert!(!why.contains("host name"), "{uri} is not a bad host: {why}");
        }
        assert_eq!(parse("sip:bob@127.0.0.1:65535").unwrap().port, 65535);
    }

    #[test]
    fn a_target_of_the_other_ip_version_says_what_to_bind() {
        let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let v6 = "[::1]:5060".parse().unwrap();
        let error = IpVersionMismatch::check("sip:bob@[::1]:5060", v6, local).unwrap_err();
        assert_eq!(
            error.to_string(),
            "sip:bob@[::1]:5060 is IPv6 but this peer is bound to 127.0.0.1:40000 (IPv4); \
             bind an IPv6 address such as [::1]:0"
        );
        let back = IpVersionMismatch::check("sip:bob@127.0.0.1", "127.0.0.1:5060".parse().unwrap(), v6);
        assert!(back.unwrap_err().to_string().ends_with("(IPv6); bind an IPv4 address such as 127.0.0.1:0"));
        let far =
            IpVersionMismatch::check("sip:bob@[2001:db8::1]", "[2001:db8::1]:5060".parse().unwrap(), local);
        assert!(far.unwrap_err().to_string().contains("bind one of this host's IPv6 addresses"));
        assert!(
            IpVersionMismatch::check("sip:bob@127.0.0.2", "127.0.0.2:5060".parse().unwrap(), local).is_ok()
        );
    }
}
