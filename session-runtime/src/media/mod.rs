//! Media for each call: the audio stream without I/O ([`stream::MediaStream`]) and the
//! task that runs it on real sockets ([`engine`]). Offer/answer is the protocol's
//! (`session_proto::media::MediaAdapter`); the endpoint asks the driver to open the
//! sockets and start the engine, and passes on what offer/answer agreed.

pub mod control;
pub mod engine;
#[cfg(test)]
mod engine_tests;
pub mod source;
pub mod stream;
#[cfg(test)]
mod stream_tests;

use std::io;
use std::net::{IpAddr, UdpSocket};
use std::ops::RangeInclusive;

pub use control::{MediaControl, MediaInfo};
pub use source::AudioSource;

/// Where a peer's RTP sockets go.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// Address RTP sockets bind to and SDP advertises.
    pub ip: IpAddr,
    /// Ports RTP sockets take (even ones, RFC 3550 section 11); any free port when `None`.
    pub ports: Option<RangeInclusive<u16>>,
}

impl MediaConfig {
    /// Binds one call's RTP socket on an even port and its RTCP socket on the port above
    /// (RFC 3550 section 11), both non-blocking: from [`MediaConfig::ports`], tried from a
    /// random place in the range so that peers sharing a range rarely collide, or else
    /// any free pair.
    pub fn bind_pair(&self) -> io::Result<(UdpSocket, UdpSocket)> {
        match &self.ports {
            Some(range) => self.bind_in(range),
            None => self.bind_any(),
        }
    }

    fn bind_in(&self, range: &RangeInclusive<u16>) -> io::Result<(UdpSocket, UdpSocket)> {
        let first = range.start().saturating_add(range.start() % 2);
        // Even ports below the end, so that the RTCP port above is in the range too.
        let evens = usize::from(range.end().saturating_sub(first)).div_ceil(2);
        let offset = if evens == 0 { 0 } else { rand::random_range(0..evens) };
        for i in 0..evens {
            let port = first + 2 * ((offset + i) % evens) as u16;
            if let Ok(pair) = self.bind(port).and_then(|rtp| Ok((rtp, self.bind(port + 1)?))) {
                return Ok(pair);
            }
        }
        let why = format!("no free RTP/RTCP port pair in ports {}-{}", range.start(), range.end());
        Err(io::Error::new(io::ErrorKind::AddrInUse, why))
    }

    /// The system picks a port; an even one becomes RTP with RTCP above it, an odd one
    /// RTCP with RTP below it.
    fn bind_any(&self) -> io::Result<(UdpSocket, UdpSocket)> {
        for _ in 0..64 {
            let picked = self.bind(0)?;
            let port = picked.local_addr()?.port();
            let pair = if port % 2 == 0 {
                port.checked_add(1).and_then(|rtcp| self.bind(rtcp).ok()).map(|rtcp| (picked, rtcp))
            } else {
                self.bind(port - 1).ok().map(|rtp| (rtp, picked))
            };
            if let Some(pair) = pair {
                return Ok(pair);
            }
        }
        Err(io::Error::new(io::ErrorKind::AddrInUse, "no free RTP/RTCP port pair among the system's ports"))
    }

    /// A non-blocking UDP socket on `port` of [`MediaConfig::ip`].
    fn bind(&self, port: u16) -> io::Result<UdpSocket> {
        let addr = std::net::SocketAddr::new(self.ip, port);
        let domain = socket2::Domain::for_address(addr);
        // Non-blocking from its creation where the system allows it: one call less.
        #[cfg(target_os = "linux")]
        let socket = socket2::Socket::new(domain, socket2::Type::DGRAM.nonblocking(), None)?;
        #[cfg(not(target_os = "linux"))]
        let socket = {
            let socket = socket2::Socket::new(domain, socket2::Type::DGRAM, None)?;
            socket.set_nonblocking(true)?;
            socket
        };
        socket.bind(&addr.into())?;
        Ok(socket.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_an_even_rtp_port_and_the_rtcp_port_above_it() {
        let any = MediaConfig { ip: std::net::Ipv4Addr::LOCALHOST.into(), ports: None };
        let held: Vec<_> = (0..20).map(|_| any.bind_pair().expect("a free pair")).collect();
        for (rtp, rtcp) in &held {
            let (rtp, rtcp) = (rtp.local_addr().unwrap().port(), rtcp.local_addr().unwrap().port());
            assert!(rtp % 2 == 0 && rtcp == rtp + 1, "RTP {rtp}, RTCP {rtcp}");
        }
        // A range of four ports holds two pairs at most, each inside it. (Another test may
        // hold a port of a range; the next range is tried then.)
        for start in (40_000u16..41_000).step_by(4) {
            let ranged = MediaConfig { ports: Some(start..=start + 3), ..any.clone() };
            let pairs: Vec<_> = std::iter::from_fn(|| ranged.bind_pair().ok()).take(3).collect();
            if pairs.len() < 2 {
                continue;
            }
            assert_eq!(pairs.len(), 2, "the range holds two pairs");
            let mut ports: Vec<u16> = pairs.iter().map(|(rtp, _)| rtp.local_addr().unwrap().port()).collect();
            ports.sort_unstable();
            assert_eq!(ports, [start, start + 2]);
            return;
        }
        panic!("no range of four free ports in 40000-41000");
    }
}
