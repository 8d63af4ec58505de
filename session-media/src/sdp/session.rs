//! Per-dialog SDP state: the `o=` session id and an increasing version.

use std::net::IpAddr;

use super::build::{build_answer, offer_with};
use super::{MediaDirection, Negotiated, RemoteMedia, SdpError};
use crate::codec::Codec;
use crate::dtmf::DEFAULT_PAYLOAD_TYPE;

/// Our side of the SDP exchanges of one session (one dialog).
///
/// Keeps the `o=` session id fixed and increases the version by one for every
/// SDP it writes, as RFC 3264 section 8 requires of a changed description.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use session_media::{Codec, sdp::{SdpSession, parse, MediaDirection}};
/// let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// let mut s = SdpSession::with_id(99, 5);
/// let first = parse(&s.offer(ip, 4000, &Codec::ALL, MediaDirection::SendRecv)).unwrap();
/// let hold = parse(&s.hold_offer(ip, 4000, &Codec::ALL)).unwrap();
/// assert_eq!((first.session_version, hold.session_version), (5, 6));
/// assert_eq!(hold.direction, MediaDirection::SendOnly);
/// assert_eq!(s.resume_offer(ip, 4000, &Codec::ALL).matches("a=sendrecv").count(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpSession {
    session_id: u64,
    next_version: u64,
    telephone_event_pt: Option<u8>,
}

impl Default for SdpSession {
    fn default() -> Self {
        Self::new()
    }
}

impl SdpSession {
    /// A session with a random id (kept within 32 bits for peers that parse
    /// it narrowly) and version 1.
    pub fn new() -> Self {
        Self::with_id(u64::from(rand::random::<u32>()), 1)
    }

    /// A session with a chosen id and first version.
    pub fn with_id(session_id: u64, first_version: u64) -> Self {
        Self { session_id, next_version: first_version, telephone_event_pt: Some(DEFAULT_PAYLOAD_TYPE) }
    }

    /// Sets the telephone-event payload type our offers use (`None`: no DTMF).
    pub fn set_telephone_event_pt(&mut self, pt: Option<u8>) {
        self.telephone_event_pt = pt;
    }

    /// The `o=` session id.
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The version the next SDP will carry.
    pub fn next_version(&self) -> u64 {
        self.next_version
    }

    fn take_version(&mut self) -> u64 {
        let v = self.next_version;
        self.next_version = v.wrapping_add(1);
        v
    }

    /// A new offer (initial INVITE or re-INVITE) with the next version.
    pub fn offer(
        &mut self,
        local_ip: IpAddr,
        rtp_port: u16,
        codecs: &[Codec],
        direction: MediaDirection,
    ) -> String {
        let version = self.take_version();
        offer_with(local_ip, rtp_port, codecs, direction, self.telephone_event_pt, self.session_id, version)
    }

    /// An offer that puts the peer on hold (`a=sendonly`).
    pub fn hold_offer(&mut self, local_ip: IpAddr, rtp_port: u16, codecs: &[Codec]) -> String {
        self.offer(local_ip, rtp_port, codecs, MediaDirection::SendOnly)
    }

    /// An offer that resumes a held stream (`a=sendrecv`).
    pub fn resume_offer(&mut self, local_ip: IpAddr, rtp_port: u16, codecs: &[Codec]) -> String {
        self.offer(local_ip, rtp_port, codecs, MediaDirection::SendRecv)
    }

    /// Answers `offer` (see [`answer`](super::answer)), with the next version.
    /// `local_direction` limits what we are willing to do (e.g. `SendOnly`
    /// while we hold the call); pass `SendRecv` otherwise.
    pub fn answer(
        &mut self,
        offer: &RemoteMedia,
        local_ip: IpAddr,
        port: u16,
        supported: &[Codec],
        local_direction: MediaDirection,
    ) -> Result<(String, Negotiated), SdpError> {
        let result = build_answer(
            offer,
            local_ip,
            port,
            supported,
            local_direction,
            self.session_id,
            self.next_version,
        )?;
        self.take_version();
        Ok(result)
    }
}
