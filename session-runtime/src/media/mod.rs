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
    /// (RFC 3550 section 11): from [`MediaConfig::ports`], tried from a random place in
    /// the range so that peers sharing a range rarely collide, or else any free pair.
    pub fn bind_pair(&self) -> io::Result<(UdpSocket, UdpSocket)> {
        let candidates: Box<dyn Iterator<Item = u16>> = match &self.ports {
            Some(range) => {
                let first = range.start().saturating_add(range.start() % 2);
                // Even ports below the end, so that the RTCP port above is in the range too.
                let evens = usize::from(range.end().saturating_sub(first)).div_ceil(2);
                let offset = if evens == 0 { 0 } else { rand::random_range(0..evens) };
                Box::new((0..evens).map(move |i| first + 2 * ((offset + i) % evens) as u16))
            }
            // The system picks; about half its picks are even.
            None => Box::new(std::iter::repeat_n(0, 64)),
        };
        for port in candidates {
            let Ok(rtp) = UdpSocket::bind((self.ip, port)) else { continue };
            let rtp_port = rtp.local_addr()?.port();
            let Some(rtcp_port) = rtp_port.checked_add(1).filter(|_| rtp_port % 2 == 0) else { continue };
            if let Ok(rtcp) = UdpSocket::bind((self.ip, rtcp_port)) {
                return Ok((rtp, rtcp));
            }
        }
        let range =
            self.ports.as_ref().map_or("the system's".to_owned(), |r| format!("{}-{}", r.start(), r.end()));
        Err(io::Error::new(io::ErrorKind::AddrInUse, format!("no free RTP/RTCP port pair in {range} ports")))
    }
}
