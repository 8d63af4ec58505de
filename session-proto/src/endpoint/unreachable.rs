//! An address the network says cannot be reached: the driver reads the ICMP error from
//! its socket and hands it in, and the requests still being sent there fail at once
//! instead of being retransmitted into the void until Timer B or F.

use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

use super::Endpoint;

/// What the network answered a datagram of ours with: the ICMP or ICMPv6 error the
/// driver read for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unreachable {
    /// Port unreachable: the host is there, but nothing listens on the port.
    Port,
    /// Host (or ICMPv6 address) unreachable.
    Host,
    /// Network unreachable: no route to the address.
    Network,
    /// Communication administratively prohibited: a firewall refused it.
    Prohibited,
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unreachable::Port => "ICMP port unreachable",
            Unreachable::Host => "ICMP host unreachable",
            Unreachable::Network => "ICMP network unreachable",
            Unreachable::Prohibited => "ICMP administratively prohibited",
        })
    }
}

impl Endpoint {
    /// The network reported `dest` unreachable (an ICMP error for a datagram sent
    /// there). Every client transaction still sending its request to `dest` ends at
    /// once as a transport failure (RFC 3261 sections 8.1.3.1 and 17.1.4), with a
    /// reason such as `127.0.0.1:5099 is unreachable (ICMP port unreachable)`:
    ///
    /// - a call's request (its INVITE, or a BYE, re-INVITE, INFO or REFER in the
    ///   dialog): the call ends with [`EndReason::Unreachable`], since no response from
    ///   the peer can come (RFC 3261 section 12.2.1.2 ends a dialog whose request got
    ///   no response); a call we were hanging up ends as [`EndReason::LocalHangup`];
    /// - a REGISTER: the registration fails (a refresh is retried later) with
    ///   [`RegistrationError::Transport`];
    /// - a request a proxy forwarded: the branch is done, as if it had timed out.
    ///
    /// Transactions that only wait there (an INVITE that got a provisional response)
    /// are left to their timers; an error for an address nothing was sent to changes
    /// nothing.
    ///
    /// [`EndReason::Unreachable`]: super::EndReason::Unreachable
    /// [`EndReason::LocalHangup`]: super::EndReason::LocalHangup
    /// [`RegistrationError::Transport`]: crate::RegistrationError::Transport
    pub fn handle_unreachable(&mut self, now: Instant, dest: SocketAddr, why: Unreachable) {
        let reason = format!("{dest} is unreachable ({why})");
        let failed = self.core.tx.on_unreachable(dest, &reason);
        tracing::debug!(%dest, %why, failed, "destination unreachable");
        self.route(now);
    }
}
