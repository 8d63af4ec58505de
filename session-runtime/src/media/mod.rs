//! Media for each call: offer/answer ([`MediaAdapter`]), the audio stream without I/O
//! ([`stream::MediaStream`]) and the task that runs it on a real socket ([`engine`]).

pub mod adapter;
pub mod control;
pub mod engine;
pub mod source;
pub mod stream;

use std::net::IpAddr;

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
}
