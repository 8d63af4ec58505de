//! ICMP errors for the SIP socket. On Linux, with `IP_RECVERR` (`IPV6_RECVERR` on an
//! IPv6 socket) set, the kernel queues an error for each datagram of ours that an ICMP
//! "destination unreachable" came back for, and marks the socket in error; the driver
//! then reads the queue (`recvmsg` with `MSG_ERRQUEUE`): the failed datagram's
//! destination and the ICMP type and code. Elsewhere nothing is read, and a request to
//! a closed port times out as before.

use std::io;
use std::net::SocketAddr;

use session_proto::Unreachable;
#[cfg(not(target_os = "linux"))]
use tokio::net::UdpSocket;

/// An ICMP unreachable for a datagram we sent to `dest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// Where the datagram went.
    pub dest: SocketAddr,
    /// What the network answered.
    pub why: Unreachable,
}

/// What an ICMP error of `icmp_type` and `code` says of the destination, when it is a
/// "destination unreachable" for good (RFC 792, RFC 4443 section 3.1): a fragmentation
/// needed, a time exceeded or a parameter problem is not one.
pub fn classify(v6: bool, icmp_type: u8, code: u8) -> Option<Unreachable> {
    use Unreachable::*;
    match (v6, icmp_type, code) {
        // ICMPv4 type 3: net, host, protocol, port, …, administratively prohibited.
        (false, 3, 0 | 6 | 11) => Some(Network),
        (false, 3, 1 | 7 | 8 | 12 | 14 | 15) => Some(Host),
        (false, 3, 2 | 3) => Some(Port),
        (false, 3, 9 | 10 | 13) => Some(Prohibited),
        // ICMPv6 type 1: no route, prohibited, beyond scope, address, port, policy, reject.
        (true, 1, 0 | 2) => Some(Network),
        (true, 1, 1 | 5 | 6) => Some(Prohibited),
        (true, 1, 3) => Some(Host),
        (true, 1, 4) => Some(Port),
        _ => None,
    }
}

/// Whether a send or receive failed only because an ICMP error for an earlier datagram
/// was pending on the socket (Linux reports it once, on the next call, with
/// `IP_RECVERR`): the call itself may be made again.
pub fn is_pending_icmp(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable
    )
}

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub(super) use linux::address;
#[cfg(target_os = "linux")]
pub use linux::{enable, error_ready, read};

/// Elsewhere: nothing to enable.
#[cfg(not(target_os = "linux"))]
pub fn enable(_socket: &socket2::Socket, _v6: bool) -> io::Result<()> {
    Ok(())
}

/// Elsewhere: the socket never reports an ICMP error this way.
#[cfg(not(target_os = "linux"))]
pub async fn error_ready(_socket: &UdpSocket) {
    std::future::pending::<()>().await
}

/// Elsewhere: nothing to read.
#[cfg(not(target_os = "linux"))]
pub fn read(_socket: &UdpSocket) -> io::Result<Option<Report>> {
    Err(io::ErrorKind::WouldBlock.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_destination_unreachable_for_good_counts() {
        assert_eq!(classify(false, 3, 3), Some(Unreachable::Port));
        assert_eq!(classify(false, 3, 1), Some(Unreachable::Host));
        assert_eq!(classify(false, 3, 0), Some(Unreachable::Network));
        assert_eq!(classify(false, 3, 13), Some(Unreachable::Prohibited));
        assert_eq!(classify(true, 1, 4), Some(Unreachable::Port));
        assert_eq!(classify(true, 1, 3), Some(Unreachable::Host));
        assert_eq!(classify(true, 1, 1), Some(Unreachable::Prohibited));
        for (v6, icmp_type, code) in
            [(false, 3, 4), (false, 11, 0), (false, 12, 0), (true, 2, 0), (true, 3, 0)]
        {
            assert_eq!(classify(v6, icmp_type, code), None, "{v6} {icmp_type}/{code}");
        }
    }

    #[test]
    fn a_pending_icmp_error_is_told_from_other_failures() {
        assert!(is_pending_icmp(&io::ErrorKind::ConnectionRefused.into()));
        assert!(!is_pending_icmp(&io::ErrorKind::WouldBlock.into()));
        assert!(!is_pending_icmp(&io::ErrorKind::PermissionDenied.into()));
    }
}
