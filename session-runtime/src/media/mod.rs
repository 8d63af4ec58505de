//! Media for each call: offer/answer ([`MediaAdapter`]), the audio stream without I/O
//! ([`stream::MediaStream`]) and the task that runs it on a real socket ([`engine`]).

pub mod adapter;
pub mod control;
pub mod engine;
pub mod source;
pub mod stream;
#[cfg(test)]
mod stream_tests;

use std::io;
use std::net::{IpAddr, UdpSocket};
use std::ops::RangeInclusive;

use session_media::Codec;

pub use adapter::MediaAdapter;
pub use control::{MediaControl, MediaInfo};
pub use source::AudioSource;

/// Media settings shared by every call of a peer.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// Address RTP sockets bind to and SDP advertises.
    pub ip: IpAddr,
    /// Codecs we offer and accept, in preference order.
    pub codecs: Vec<Codec>,
    /// Ports RTP sockets take (even ones, RFC 3550 section 11); any free port when `None`.
    pub ports: Option<RangeInclusive<u16>>,
}

impl MediaConfig {
    /// Binds one call's RTP socket: an even port of [`MediaConfig::ports`], tried from a
    /// random place in the range so that peers sharing a range rarely collide, or any
    /// free port.
    pub fn bind_rtp(&self) -> io::Result<UdpSocket> {
        let Some(range) = &self.ports else { return UdpSocket::bind((self.ip, 0)) };
        let first = range.start().saturating_add(range.start() % 2);
        let evens: Vec<u16> = (first..=*range.end()).step_by(2).collect();
        let offset = if evens.is_empty() { 0 } else { rand::random_range(0..evens.len()) };
        let mut tried = evens.iter().cycle().skip(offset).take(evens.len());
        tried.find_map(|&port| UdpSocket::bind((self.ip, port)).ok()).ok_or_else(|| {
            let (start, end) = (range.start(), range.end());
            io::Error::new(io::ErrorKind::AddrInUse, format!("no free even RTP port in {start}-{end}"))
        })
    }
}
